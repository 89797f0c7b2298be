#include "fwseal/inventory/store.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <filesystem>

#include "postgres_connection.h"
#include "sqlite_connection.h"

namespace fwseal::inventory {
namespace {

// Each migration takes the schema from version i to i + 1. Never edit one that
// has shipped; append a new one.
std::vector<std::string> migrations(const Connection& c) {
  std::string id(c.id_column());
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
  };
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
    std::string_view all = steps[static_cast<std::size_t>(v)];
    while (!all.empty()) {
      auto semi = all.find(';');
      std::string_view statement = all.substr(0, semi);
      if (!statement.empty()) {
        auto r = c.query(statement);
        if (!r.ok()) return fail(std::move(r).error());
      }
      if (semi == std::string_view::npos) break;
      all.remove_prefix(semi + 1);
    }
  }
  auto r = c.query("UPDATE fwseal_inventory SET value = ? WHERE key = 'schema_version'",
                   {std::to_string(kSchemaVersion)});
  if (!r.ok()) return fail(std::move(r).error());
  return c.commit();
}

}  // namespace

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
