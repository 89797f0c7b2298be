#include "fwseal/testing/postgres.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace fwseal::test {
namespace {

// Runs one statement on the server's maintenance database; its error or "".
std::string admin(const std::string& sql) {
  std::string uri = postgres_uri("postgres");
  if (uri.empty()) return "FWSEAL_TEST_POSTGRESQL is not set";
  PGconn* conn = PQconnectdb(uri.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(conn);
  return error;
}

}  // namespace

std::string postgres_uri(const std::string& name) {
  const char* dir = std::getenv("FWSEAL_TEST_POSTGRESQL");
  if (!dir || !*dir) return "";
  return "postgresql:///" + name + "?host=" + dir + "&user=fwseal";
}

PostgresDatabase::PostgresDatabase() {
  static std::atomic<int> counter{0};
  name_ = "fwseal_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string error = admin("CREATE DATABASE " + name_);
  if (!error.empty()) {
    ADD_FAILURE() << "no test PostgreSQL server (" << error
                  << "): run the tests through ctest or scripts/test.sh, which start one";
    name_.clear();
    return;
  }
  uri_ = postgres_uri(name_);
}

PostgresDatabase::~PostgresDatabase() {
  if (!name_.empty()) (void)admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

}  // namespace fwseal::test
