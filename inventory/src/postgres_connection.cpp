#include "postgres_connection.h"

#include <libpq-fe.h>

#include <cstring>

namespace fwseal::inventory {
namespace {

struct ConnClose {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClear {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultClear>;

// libpq's messages end in a newline and may add "DETAIL:" or "HINT:" lines;
// fwseal prints one line.
std::string first_line(const char* message) {
  std::string s = message ? message : "";
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s.empty() ? "unknown error" : s;
}

// '?' placeholders (the interface's) as $1, $2... (PostgreSQL's). A '?'
// inside a quoted literal or identifier stays.
std::string numbered_placeholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

// One lock for every fwseal writer of a database: begin_write's
// transaction-scoped advisory lock. The number is fwseal's own ("fwseal" in
// ASCII); nothing else is expected to take it.
constexpr const char* kWriterLock = "SELECT pg_advisory_xact_lock(112233011597101108)";

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}

  std::string_view engine() const override { return "postgresql"; }
  std::string_view id_column() const override { return "BIGSERIAL PRIMARY KEY"; }

  Result<std::vector<Row>> query(std::string_view sql, const std::vector<Cell>& params) override {
    std::string text = numbered_placeholders(sql);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    PgResult result(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0));
    if (!result) return failure(PQerrorMessage(conn_.get()));
    ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) return failure(PQresultErrorMessage(result.get()));
    std::vector<Row> rows;
    int n = PQntuples(result.get()), columns = PQnfields(result.get());
    rows.reserve(static_cast<std::size_t>(n));
    for (int r = 0; r < n; ++r) {
      Row row;
      row.reserve(static_cast<std::size_t>(columns));
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result.get(), r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                       static_cast<std::size_t>(PQgetlength(result.get(), r, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status begin_write() override {
    FWSEAL_TRY(query("BEGIN", {}));
    auto locked = query(kWriterLock, {});
    if (!locked.ok()) {
      rollback();
      return std::move(locked).error();
    }
    return ok_status();
  }

  Status commit() override {
    PgResult result(PQexec(conn_.get(), "COMMIT"));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      return failure(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(conn_.get()));
    // A transaction that failed earlier "commits" as a rollback.
    if (std::strcmp(PQcmdStatus(result.get()), "COMMIT") != 0)
      return make_error(Code::io, where_ + ": the transaction was rolled back by the server");
    return ok_status();
  }

  void rollback() override { PgResult(PQexec(conn_.get(), "ROLLBACK")); }

 private:
  Error failure(const char* message) const {
    if (PQstatus(conn_.get()) != CONNECTION_OK)
      return make_error(Code::io, where_ + ": lost the connection to PostgreSQL: " + first_line(message));
    return make_error(Code::io, where_ + ": " + first_line(message));
  }

  std::unique_ptr<PGconn, ConnClose> conn_;
  std::string where_;
};

// Notices ("relation already exists, skipping"...) are not fwseal's output.
void ignore_notice(void*, const char*) {}

}  // namespace

std::string postgres_display_name(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (!options) {
    if (error) PQfreemem(error);
    return "PostgreSQL database";
  }
  std::string user, host, port, dbname;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "user") == 0) user = o->val;
    else if (std::strcmp(o->keyword, "host") == 0) host = o->val;
    else if (std::strcmp(o->keyword, "port") == 0) port = o->val;
    else if (std::strcmp(o->keyword, "dbname") == 0) dbname = o->val;
  }
  PQconninfoFree(options);
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.empty() ? "localhost" : host;
  if (!port.empty()) out += ":" + port;
  return out + "/" + dbname;
}

Result<std::unique_ptr<Connection>> open_postgres(const std::string& uri) {
  std::string where = postgres_display_name(uri);
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (!options) {
    std::string message = first_line(error);
    if (error) PQfreemem(error);
    return make_error(Code::usage, "--db " + where + ": not a PostgreSQL connection URI: " + message);
  }
  PQconninfoFree(options);
  // A server that does not answer fails in 10 s rather than hanging on TCP.
  // (Defaults first: what the URI says wins.)
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "fwseal", uri.c_str(), nullptr};
  std::unique_ptr<PGconn, ConnClose> conn(PQconnectdbParams(keywords, values, 1));
  if (!conn) return make_error(Code::io, where + ": cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return make_error(Code::io, where + ": cannot connect to PostgreSQL: " + first_line(PQerrorMessage(conn.get())));
  PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
  auto connection = std::make_unique<PostgresConnection>(conn.release(), where);
  FWSEAL_TRY(connection->query("SET client_encoding = 'UTF8'", {}));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace fwseal::inventory
