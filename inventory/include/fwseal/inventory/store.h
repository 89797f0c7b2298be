// The inventory's storage: one schema, versioned migrations, over a small
// interface that SQLite (the embedded default) and PostgreSQL (a shared
// inventory, through libpq) implement.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal::inventory {

// A statement parameter or a result cell: text, or NULL.
using Cell = std::optional<std::string>;
using Row = std::vector<Cell>;

// The engine-specific part. SQL uses '?' placeholders; implementations
// translate. Every method returns Code::io with the engine's message on a
// failure of the engine.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual std::string_view engine() const = 0;  // "sqlite", "postgresql"
  virtual Result<std::vector<Row>> query(std::string_view sql, const std::vector<Cell>& params = {}) = 0;
  // Starts a write transaction that excludes every other writer until
  // commit or rollback (SQLite: BEGIN IMMEDIATE; PostgreSQL: a table lock).
  virtual Status begin_write() = 0;
  virtual Status commit() = 0;
  virtual void rollback() = 0;
  // Type of an auto-numbered primary key column in this engine's DDL.
  virtual std::string_view id_column() const = 0;
};

// `before` + "(?, ?, ...)" + `after` for `values`, a few hundred values per
// statement (engines limit a statement's parameters): every row of every
// statement, e.g. query_in(db, "SELECT id FROM t WHERE k IN ", keys).
Result<std::vector<Row>> query_in(Connection& db, std::string_view before, const std::vector<std::string>& values,
                                  std::string_view after = "");

// `before` + a test that `column` is one of `ids` (row ids the inventory
// gave) + `after`, in one statement with one parameter however many ids
// there are: a list the engine expands itself (SQLite: json_each;
// PostgreSQL: an array), planned once instead of per few hundred ids.
// Code::malformed if an id is not a decimal number.
Result<std::vector<Row>> query_ids(Connection& db, std::string_view before, std::string_view column,
                                   const std::vector<std::string>& ids, std::string_view after = "");

// The key of an image list in image_sets: the SHA-256 of its JSON text (a
// sorted array of image names), so a long list fits an index entry.
std::string image_set_digest(std::string_view images_json);

// A release's hardware ids as releases.hardware holds them: a JSON array,
// sorted.
std::string hardware_json(const std::set<std::string>& ids);

// The schema version this build writes and understands.
inline constexpr int kSchemaVersion = 4;

// Opens (creating when absent) the inventory `spec` names:
//   ""                          $FWSEAL_HOME/inventory.db (~/.fwseal if unset)
//   "sqlite:PATH" or "PATH"     an SQLite file
//   "postgresql://..."          a PostgreSQL database (a libpq connection URI;
//                               "postgres://" too)
// then brings its schema up to kSchemaVersion in one transaction.
// Code::malformed (10): the file is not an fwseal inventory, or its schema is
// newer than this build; Code::io (3): it cannot be opened or created;
// Code::usage (2): an unknown scheme.
Result<std::unique_ptr<Connection>> open_inventory(std::string_view spec);

// The inventory `spec` names, as messages show it: the SQLite file's path, or
// the PostgreSQL URI without its password and parameters.
std::string inventory_display_name(std::string_view spec);

// The SQLite file `spec` resolves to ("" -> the default path).
std::string sqlite_path_of(std::string_view spec);

}  // namespace fwseal::inventory
