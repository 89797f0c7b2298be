#include "sqlite_connection.h"

#include <sqlite3.h>

#include <unordered_map>

namespace fwseal::inventory {
namespace {

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  std::string_view engine() const override { return "sqlite"; }
  std::string_view id_column() const override { return "INTEGER PRIMARY KEY"; }

  Result<std::vector<Row>> query(std::string_view sql, const std::vector<Cell>& params) override {
    // Prepared statements are kept and reused: an add runs the same few
    // statements for every release.
    std::string key(sql);
    auto cached = statements_.find(key);
    if (cached == statements_.end()) {
      sqlite3_stmt* prepared = nullptr;
      if (sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &prepared,
                             nullptr) != SQLITE_OK)
        return failure();
      if (statements_.size() >= kMaxStatements) statements_.clear();
      cached = statements_.emplace(std::move(key), Statement(prepared)).first;
    }
    sqlite3_stmt* raw = cached->second.get();
    struct Reset {
      sqlite3_stmt* s;
      ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
      }
    } reset{raw};
    for (std::size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i) + 1;
      int rc = params[i] ? sqlite3_bind_text(raw, index, params[i]->data(), static_cast<int>(params[i]->size()),
                                             SQLITE_TRANSIENT)
                         : sqlite3_bind_null(raw, index);
      if (rc != SQLITE_OK) return failure();
    }
    std::vector<Row> rows;
    while (true) {
      int rc = sqlite3_step(raw);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return failure();
      Row row;
      int n = sqlite3_column_count(raw);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(raw, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
          row.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Status begin_write() override { return exec("BEGIN IMMEDIATE"); }
  Status commit() override { return exec("COMMIT"); }
  void rollback() override { (void)exec("ROLLBACK"); }

 private:
  Status exec(const char* sql) {
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) return failure();
    return ok_status();
  }
  Error failure() const {
    int code = sqlite3_errcode(db_.get());
    std::string message = path_ + ": " + sqlite3_errmsg(db_.get());
    if (code == SQLITE_NOTADB) return make_error(Code::malformed, path_ + ": not an fwseal inventory (not an SQLite database)");
    return make_error(Code::io, message);
  }

  using Statement = std::unique_ptr<sqlite3_stmt, StmtFinalize>;
  static constexpr std::size_t kMaxStatements = 64;
  // Declared after db_: destroyed (finalized) before the database closes.
  std::unique_ptr<sqlite3, DbClose> db_;
  std::string path_;
  std::unordered_map<std::string, Statement> statements_;
};

}  // namespace

Result<std::unique_ptr<Connection>> open_sqlite(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  std::unique_ptr<sqlite3, DbClose> db(raw);
  if (rc != SQLITE_OK)
    return make_error(Code::io, path + ": cannot open: " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  // Concurrent writers wait for each other instead of failing; the journal
  // makes a killed writer's transaction disappear on the next open.
  sqlite3_busy_timeout(raw, 60000);
  auto connection = std::make_unique<SqliteConnection>(db.release(), path);
  auto pragmas = connection->query("PRAGMA journal_mode = WAL", {});
  if (!pragmas.ok()) return std::move(pragmas).error();
  FWSEAL_TRY(connection->query("PRAGMA foreign_keys = ON", {}));
  // In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a
  // crash or kill never loses or corrupts anything committed, a power cut can
  // lose the last commits before the next checkpoint (docs/INVENTORY.md).
  FWSEAL_TRY(connection->query("PRAGMA synchronous = NORMAL", {}));
  // Reads through a memory map instead of one pread per page: a query that
  // visits thousands of releases spent half its time in the system calls
  // (docs/BENCHMARKS.md, "Inventory"). The map holds the file's pages, not
  // copies of them.
  FWSEAL_TRY(connection->query("PRAGMA mmap_size = 4294967296", {}));
  // Statement journals (kept while a multi-row insert runs, to undo it alone)
  // in memory rather than in a temporary file: an add wrote every page it
  // touched to that file as well (docs/BENCHMARKS.md, "Inventory").
  FWSEAL_TRY(connection->query("PRAGMA temp_store = MEMORY", {}));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace fwseal::inventory
