// The test run's PostgreSQL server: ctest starts one throwaway server per
// build (tests/tools/postgres_server.sh, the postgres_server fixture) and
// gives tests its socket directory in FWSEAL_TEST_POSTGRESQL. Each test that
// needs PostgreSQL takes a fresh database of its own.
#pragma once

#include <string>

namespace fwseal::test {

// A new, empty database on the test server, dropped (with any connection
// still open to it) when this is destroyed. Without FWSEAL_TEST_POSTGRESQL,
// or when the server cannot be reached, the test fails with a message saying
// how to run it, and uri() is empty.
class PostgresDatabase {
 public:
  PostgresDatabase();
  ~PostgresDatabase();
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  // postgresql:///NAME?host=SOCKETDIR&user=fwseal
  const std::string& uri() const { return uri_; }

 private:
  std::string name_, uri_;
};

// The URI of database `name` on the test server ("" without the server).
std::string postgres_uri(const std::string& name);

}  // namespace fwseal::test
