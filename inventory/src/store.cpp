#include "fwseal/inventory/store.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "fwseal/base/digest.h"
#include "postgres_connection.h"
#include "sqlite_connection.h"

namespace fwseal::inventory {
namespace {

// Migration 4's data: image_sets from schema 3's per-link image lists (each
// distinct list once, keyed as add.cpp keys it), and each release's hardware
// ids as one JSON array beside it.
Status fill_schema_4(Connection& c) {
  FWSEAL_ASSIGN(auto lists, c.query("SELECT DISTINCT images FROM release_components"));
  for (const auto& row : lists) {
    std::string images = row[0].value_or("[]");
    FWSEAL_TRY(c.query("INSERT INTO image_sets (digest, images) VALUES (?, ?)", {image_set_digest(images), images}));
  }
  FWSEAL_ASSIGN(auto hardware, c.query("SELECT release_id, hardware_id FROM release_hardware"));
  std::map<std::string, std::set<std::string>> of_release;
  for (auto& row : hardware) of_release[row[0].value_or("")].insert(row[1].value_or(""));
  for (const auto& [release, ids] : of_release)
    FWSEAL_TRY(c.query("UPDATE releases SET hardware = ? WHERE id = ?", {hardware_json(ids), release}));
  return ok_status();
}

// Each migration takes the schema from version i to i + 1: statements, then
// optionally code, then more statements. Never edit one that has shipped;
// append a new one.
struct Migration {
  Migration(std::string statements) : sql(std::move(statements)) {}  // NOLINT: a list of plain migrations reads best
  Migration(std::string before, Status (*then)(Connection&), std::string after)
      : sql(std::move(before)), code(then), sql_after(std::move(after)) {}
  std::string sql;
  Status (*code)(Connection&) = nullptr;
  std::string sql_after;
};

std::vector<Migration> migrations(const Connection& c) {
  std::string id(c.id_column());
  const bool sqlite = c.engine() == "sqlite";
  return {
      "CREATE TABLE products (id " + id + ", name TEXT NOT NULL UNIQUE, launched TEXT, discontinued TEXT);"
      "CREATE TABLE releases (id " + id + ", product_id BIGINT NOT NULL REFERENCES products(id),"
      " version TEXT NOT NULL, security_version BIGINT, created TEXT, manifest_digest TEXT,"
      " verified INTEGER NOT NULL, added TEXT NOT NULL, UNIQUE (product_id, version));"
      "CREATE TABLE release_hardware (release_id BIGINT NOT NULL REFERENCES releases(id),"
      " hardware_id TEXT NOT NULL, PRIMARY KEY (release_id, hardware_id));"
      "CREATE TABLE release_signers (release_id BIGINT NOT NULL REFERENCES releases(id),"
      " key_id TEXT NOT NULL, PRIMARY KEY (release_id, key_id));"
      "CREATE TABLE images (release_id BIGINT NOT NULL REFERENCES releases(id), name TEXT NOT NULL,"
      " type TEXT NOT NULL, size BIGINT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (release_id, name));"
      // A component is stored once however many releases carry it: `identity`
      // is the SHA-256 of its recorded fields.
      "CREATE TABLE components (id " + id + ", identity TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
      " version TEXT, purl TEXT, purl_type TEXT, purl_namespace TEXT, purl_name TEXT, upstream TEXT,"
      " cpe TEXT, licences TEXT, hashes TEXT, supplier TEXT, evidence TEXT);"
      "CREATE INDEX components_purl ON components (purl_type, purl_name);"
      "CREATE INDEX components_upstream ON components (purl_type, upstream);"
      "CREATE INDEX components_name ON components (name);"
      "CREATE INDEX components_cpe ON components (cpe);"
      "CREATE TABLE release_components (release_id BIGINT NOT NULL REFERENCES releases(id),"
      " component_id BIGINT NOT NULL REFERENCES components(id), images TEXT NOT NULL,"
      " PRIMARY KEY (release_id, component_id));"
      "CREATE INDEX release_components_component ON release_components (component_id);",
      // 2: vulnerability advisories, one form for every format they come in.
      "CREATE TABLE advisory_imports (id " + id + ", source TEXT NOT NULL, format TEXT NOT NULL,"
      " sha256 TEXT NOT NULL, imported TEXT NOT NULL, records BIGINT NOT NULL);"
      // One record per id and format: NVD's and the CVE Program's record of
      // one CVE are kept side by side, each replaced only by its own kind.
      "CREATE TABLE advisories (id " + id + ", advisory_id TEXT NOT NULL, format TEXT NOT NULL,"
      " summary TEXT, modified TEXT, withdrawn TEXT, cvss_vector TEXT, cvss_score DOUBLE PRECISION,"
      " record_sha256 TEXT NOT NULL, import_id BIGINT NOT NULL REFERENCES advisory_imports(id),"
      " UNIQUE (advisory_id, format));"
      "CREATE TABLE advisory_aliases (advisory_id BIGINT NOT NULL REFERENCES advisories(id), alias TEXT NOT NULL,"
      " PRIMARY KEY (advisory_id, alias));"
      "CREATE INDEX advisory_aliases_alias ON advisory_aliases (alias);"
      "CREATE TABLE advisory_affected (advisory_id BIGINT NOT NULL REFERENCES advisories(id),"
      " purl_type TEXT NOT NULL, purl_namespace TEXT NOT NULL, name TEXT NOT NULL, distro TEXT NOT NULL,"
      " scheme TEXT NOT NULL, ranges TEXT NOT NULL, versions TEXT NOT NULL, requires TEXT NOT NULL, rule TEXT NOT NULL);"
      "CREATE INDEX advisory_affected_package ON advisory_affected (purl_type, name);"
      "CREATE INDEX advisory_affected_advisory ON advisory_affected (advisory_id);"
      // "Which releases carry component X" reads this index alone: release
      // and images with the component, no lookup into the table per row
      // (docs/BENCHMARKS.md, "Inventory"). PostgreSQL keeps images out: an
      // index entry has a size limit that a long image list could pass.
      "DROP INDEX release_components_component;"
      "CREATE INDEX release_components_by_component ON release_components (component_id, release_id" +
          std::string(c.engine() == "sqlite" ? ", images" : "") + ");",
      // 3: triage statements (fwseal inventory triage, imported VEX).
      "CREATE TABLE vex_statements (id " + id + ", vulnerability TEXT NOT NULL, scope_kind TEXT NOT NULL,"
      " scope_type TEXT NOT NULL, scope_namespace TEXT NOT NULL, scope_name TEXT NOT NULL,"
      " scope_version TEXT NOT NULL, vers TEXT NOT NULL, product TEXT NOT NULL, status TEXT NOT NULL,"
      " justification TEXT NOT NULL, detail TEXT NOT NULL, author TEXT NOT NULL, created TEXT NOT NULL,"
      " source TEXT NOT NULL);"
      "CREATE INDEX vex_statements_vulnerability ON vex_statements (vulnerability);",
      // 4: a link names its image list by id (image_sets: few distinct lists,
      // stored once) and is clustered by component, so "which releases carry
      // component X" reads one index range holding everything it returns, on
      // both engines, and adding a release writes two B-trees per link
      // instead of three (docs/BENCHMARKS.md, "Inventory").
      // A release's hardware ids are also kept as one JSON array beside it,
      // so a query's hits need no second lookup per release.
      {"CREATE TABLE image_sets (id " + id + ", digest TEXT NOT NULL UNIQUE, images TEXT NOT NULL);"
       "ALTER TABLE releases ADD COLUMN hardware TEXT NOT NULL DEFAULT '[]'",
       fill_schema_4,
       "CREATE TABLE release_components_4 (component_id BIGINT NOT NULL REFERENCES components(id),"
       " release_id BIGINT NOT NULL REFERENCES releases(id), image_set_id BIGINT NOT NULL REFERENCES image_sets(id),"
       " PRIMARY KEY (component_id, release_id" +
           std::string(sqlite ? ")) WITHOUT ROWID" : ") INCLUDE (image_set_id))") +
           ";"
           "INSERT INTO release_components_4 (component_id, release_id, image_set_id) SELECT rc.component_id,"
           " rc.release_id, s.id FROM release_components rc JOIN image_sets s ON s.images = rc.images;"
           "DROP TABLE release_components;"
           "ALTER TABLE release_components_4 RENAME TO release_components;"
           "CREATE INDEX release_components_by_release ON release_components (release_id)"},
  };
}

Status run_statements(Connection& c, std::string_view all) {
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view statement = all.substr(0, semi);
    if (!statement.empty()) FWSEAL_TRY(c.query(statement));
    if (semi == std::string_view::npos) break;
    all.remove_prefix(semi + 1);
  }
  return ok_status();
}

constexpr std::string_view kApplication = "fwseal-inventory";

Status migrate(Connection& c, std::string_view where) {
  FWSEAL_TRY(c.begin_write());
  auto fail = [&](Error e) {
    c.rollback();
    return e;
  };
  auto tables = c.query(c.engine() == "sqlite"
                            ? "SELECT name FROM sqlite_master WHERE type = 'table'"
                            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
  if (!tables.ok()) return fail(std::move(tables).error());
  bool has_meta = false;
  for (const auto& row : *tables)
    if (row[0] == "fwseal_inventory") has_meta = true;
  int version = 0;
  if (has_meta) {
    auto rows = c.query("SELECT key, value FROM fwseal_inventory");
    if (!rows.ok()) return fail(std::move(rows).error());
    bool ours = false;
    for (const auto& row : *rows) {
      if (row[0] == "application" && row[1] == std::string(kApplication)) ours = true;
      if (row[0] == "schema_version" && row[1]) version = std::atoi(row[1]->c_str());
    }
    if (!ours || version < 1)
      return fail(make_error(Code::malformed, std::string(where) + ": not an fwseal inventory"));
  } else if (!tables->empty()) {
    return fail(make_error(Code::malformed, std::string(where) +
                                                ": not an fwseal inventory (it holds other tables); give --db a new "
                                                "file or an existing inventory"));
  }
  if (version > kSchemaVersion)
    return fail(make_error(Code::malformed, std::string(where) + ": inventory schema version " +
                                                std::to_string(version) + " is newer than this fwseal understands (" +
                                                std::to_string(kSchemaVersion) + "); use a newer fwseal"));
  if (version == kSchemaVersion) {
    c.rollback();
    return ok_status();
  }
  if (!has_meta) {
    auto r = c.query("CREATE TABLE fwseal_inventory (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    if (!r.ok()) return fail(std::move(r).error());
    r = c.query("INSERT INTO fwseal_inventory (key, value) VALUES ('application', ?), ('schema_version', '0')",
                {std::string(kApplication)});
    if (!r.ok()) return fail(std::move(r).error());
  }
  auto steps = migrations(c);
  for (int v = version; v < kSchemaVersion; ++v) {
    const Migration& m = steps[static_cast<std::size_t>(v)];
    Status done = run_statements(c, m.sql);
    if (done.ok() && m.code) done = m.code(c);
    if (done.ok()) done = run_statements(c, m.sql_after);
    if (!done.ok()) return fail(std::move(done).error());
  }
  auto r = c.query("UPDATE fwseal_inventory SET value = ? WHERE key = 'schema_version'",
                   {std::to_string(kSchemaVersion)});
  if (!r.ok()) return fail(std::move(r).error());
  return c.commit();
}

}  // namespace

std::string image_set_digest(std::string_view images_json) { return sha256_hex(images_json); }

std::string hardware_json(const std::set<std::string>& ids) { return nlohmann::json(ids).dump(); }

std::string sqlite_path_of(std::string_view spec) {
  if (spec.starts_with("sqlite:")) return std::string(spec.substr(7));
  if (!spec.empty()) return std::string(spec);
  std::filesystem::path home;
  if (const char* h = std::getenv("FWSEAL_HOME"); h && *h) home = h;
  else if (const char* u = std::getenv("HOME"); u && *u) home = std::filesystem::path(u) / ".fwseal";
  else home = ".fwseal";
  return (home / "inventory.db").string();
}

Result<std::vector<Row>> query_in(Connection& db, std::string_view before, const std::vector<std::string>& values,
                                  std::string_view after) {
  constexpr std::size_t kPerStatement = 250;
  std::vector<Row> rows;
  for (std::size_t at = 0; at < values.size(); at += kPerStatement) {
    std::size_t n = std::min(kPerStatement, values.size() - at);
    std::string sql(before);
    sql += "(";
    std::vector<Cell> params;
    for (std::size_t i = 0; i < n; ++i) {
      sql += i ? ", ?" : "?";
      params.push_back(values[at + i]);
    }
    sql += ")";
    sql += after;
    FWSEAL_ASSIGN(auto part, db.query(sql, params));
    rows.insert(rows.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return rows;
}

Result<std::vector<Row>> query_ids(Connection& db, std::string_view before, std::string_view column,
                                   const std::vector<std::string>& ids, std::string_view after) {
  std::string list;
  for (const auto& id : ids) {
    if (id.empty() || id.size() > 19 || id.find_first_not_of("0123456789") != std::string::npos)
      return make_error(Code::malformed, "inventory: a row id that is not a number");
    list += (list.empty() ? "" : ",") + id;
  }
  const bool sqlite = db.engine() == "sqlite";
  std::string sql = std::string(before) + " " + std::string(column) +
                    (sqlite ? " IN (SELECT value FROM json_each(?))" : " = ANY (CAST(? AS bigint[]))") +
                    std::string(after);
  return db.query(sql, {sqlite ? "[" + list + "]" : "{" + list + "}"});
}

std::string inventory_display_name(std::string_view spec) {
  if (spec.starts_with("postgresql://") || spec.starts_with("postgres://"))
    return postgres_display_name(std::string(spec));
  return sqlite_path_of(spec);
}

Result<std::unique_ptr<Connection>> open_inventory(std::string_view spec) {
  if (spec.starts_with("postgresql://") || spec.starts_with("postgres://")) {
    std::string uri(spec);
    FWSEAL_ASSIGN(auto connection, open_postgres(uri));
    FWSEAL_TRY(migrate(*connection, postgres_display_name(uri)));
    return connection;
  }
  if (auto colon = spec.find(':'); colon != std::string_view::npos && colon > 1 && !spec.starts_with("sqlite:") &&
                                   spec.find('/') > colon)
    return make_error(Code::usage, "--db " + std::string(spec) + ": unknown database kind (use sqlite:PATH or a path)");
  std::string path = sqlite_path_of(spec);
  if (spec.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  }
  FWSEAL_ASSIGN(auto connection, open_sqlite(path));
  FWSEAL_TRY(migrate(*connection, path));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace fwseal::inventory
