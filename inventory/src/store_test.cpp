#include "fwseal/inventory/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fwseal/inventory/query.h"
#include "fwseal/testing/temp_dir.h"
#include "test_inventory.h"

namespace fwseal::inventory {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  std::string path(const char* name) const { return tmp_ / name; }
  test::TempDir tmp_{"fwseal-store"};
  std::filesystem::path dir_{tmp_.path()};
};

// On each engine.
class StoreEngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ASSERT_FALSE(spec_.empty()); }
  TestInventory inventory_{GetParam()};
  std::string spec_ = inventory_.spec();
};

TEST_P(StoreEngineTest, CreatesTheSchemaOnceAndReopens) {
  {
    auto c = open_inventory(spec_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ((*c)->engine(), GetParam());
    auto rows = (*c)->query("SELECT value FROM fwseal_inventory WHERE key = 'schema_version'");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0][0], std::to_string(kSchemaVersion));
    ASSERT_TRUE((*c)->query("INSERT INTO products (name) VALUES (?)", {std::string("router")}).ok());
  }
  auto again = open_inventory(spec_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto rows = (*again)->query("SELECT name FROM products");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], "router");
}

TEST_P(StoreEngineTest, RefusesAnotherApplicationsDatabase) {
  {
    auto c = open_inventory(spec_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    // Some other program's table beside no fwseal_inventory table.
    ASSERT_TRUE((*c)->query("DROP TABLE fwseal_inventory").ok());
  }
  auto c = open_inventory(spec_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::malformed);
  EXPECT_THAT(c.error().message,
              ::testing::EndsWith(": not an fwseal inventory (it holds other tables); give --db a new file or an "
                                  "existing inventory"));
}

TEST_P(StoreEngineTest, RefusesANewerSchemaAndLeavesItAlone) {
  {
    auto c = open_inventory(spec_);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->query("UPDATE fwseal_inventory SET value = '99' WHERE key = 'schema_version'").ok());
  }
  auto c = open_inventory(spec_);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::malformed);
  EXPECT_THAT(c.error().message, ::testing::EndsWith(": inventory schema version 99 is newer than this fwseal "
                                                     "understands (4); use a newer fwseal"));
}

// release_components as schema versions 1 to 3 had it: image lists per link.
constexpr const char* kVersion1Links =
    "CREATE TABLE release_components (release_id BIGINT NOT NULL REFERENCES releases(id), component_id BIGINT NOT "
    "NULL REFERENCES components(id), images TEXT NOT NULL, PRIMARY KEY (release_id, component_id))";

// An inventory of schema version 3 (image lists per link, hardware ids only in
// release_hardware) keeps its links, their images and hardware ids through
// migration 4, and answers queries as one recorded by this version does.
TEST_P(StoreEngineTest, MigratesAVersion3InventoryKeepingItsLinks) {
  {
    auto c = open_inventory(spec_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    Connection& db = **c;
    ASSERT_TRUE(db.query("DROP TABLE release_components").ok());
    ASSERT_TRUE(db.query("DROP TABLE image_sets").ok());
    ASSERT_TRUE(db.query("ALTER TABLE releases DROP COLUMN hardware").ok());
    ASSERT_TRUE(db.query(kVersion1Links).ok());
    ASSERT_TRUE(db.query("UPDATE fwseal_inventory SET value = '3' WHERE key = 'schema_version'").ok());
    ASSERT_TRUE(db.query("INSERT INTO products (name) VALUES ('gw')").ok());
    for (const char* v : {"1.0", "1.1"})
      ASSERT_TRUE(db.query("INSERT INTO releases (product_id, version, manifest_digest, verified, added) SELECT id, ?, "
                           "?, 1, '2026-01-01T00:00:00Z' FROM products",
                           {std::string(v), std::string("d") + v})
                      .ok());
    ASSERT_TRUE(db.query("INSERT INTO release_hardware (release_id, hardware_id) SELECT id, 'gw-b' FROM releases").ok());
    ASSERT_TRUE(db.query("INSERT INTO release_hardware (release_id, hardware_id) SELECT id, 'gw-a' FROM releases "
                         "WHERE version = '1.0'")
                    .ok());
    ASSERT_TRUE(db.query("INSERT INTO components (identity, name, version, purl, purl_type, purl_name) VALUES ('i1', "
                         "'busybox', '1.36.1', 'pkg:generic/busybox@1.36.1', 'generic', 'busybox')")
                    .ok());
    ASSERT_TRUE(db.query("INSERT INTO release_components (release_id, component_id, images) SELECT r.id, c.id, CASE "
                         "r.version WHEN '1.0' THEN '[\"rootfs\"]' ELSE '[\"app\",\"rootfs\"]' END FROM releases r, "
                         "components c")
                    .ok());
  }
  auto c = open_inventory(spec_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  Query q;
  q.name = "busybox";
  auto hits = run_query(**c, q);
  ASSERT_TRUE(hits.ok()) << hits.error().message;
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].version, "1.0");
  EXPECT_EQ((*hits)[0].images, "[\"rootfs\"]");
  EXPECT_EQ((*hits)[0].hardware, (std::vector<std::string>{"gw-a", "gw-b"}));
  EXPECT_EQ((*hits)[1].version, "1.1");
  EXPECT_EQ((*hits)[1].images, "[\"app\",\"rootfs\"]");
  EXPECT_EQ((*hits)[1].hardware, std::vector<std::string>{"gw-b"});
  auto sets = (*c)->query("SELECT count(*) FROM image_sets");
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ((*sets)[0][0], "2");
}

// An inventory of schema version 1 (before advisories) is brought to the
// current version on open, its releases kept.
TEST_P(StoreEngineTest, MigratesAVersion1InventoryKeepingWhatItHolds) {
  {
    auto c = open_inventory(spec_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    for (const char* t : {"vex_statements", "advisory_affected", "advisory_aliases", "advisories", "advisory_imports",
                          "release_components", "image_sets"})
      ASSERT_TRUE((*c)->query(std::string("DROP TABLE ") + t).ok()) << t;
    ASSERT_TRUE((*c)->query("ALTER TABLE releases DROP COLUMN hardware").ok());
    ASSERT_TRUE((*c)->query(kVersion1Links).ok());
    ASSERT_TRUE(
        (*c)->query("CREATE INDEX release_components_component ON release_components (component_id)").ok());
    ASSERT_TRUE((*c)->query("UPDATE fwseal_inventory SET value = '1' WHERE key = 'schema_version'").ok());
    ASSERT_TRUE((*c)->query("INSERT INTO products (name) VALUES ('gw')").ok());
  }
  auto c = open_inventory(spec_);
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto version = (*c)->query("SELECT value FROM fwseal_inventory WHERE key = 'schema_version'");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ((*version)[0][0], std::to_string(kSchemaVersion));
  auto products = (*c)->query("SELECT name FROM products");
  ASSERT_TRUE(products.ok());
  ASSERT_EQ(products->size(), 1u);
  EXPECT_EQ((*products)[0][0], "gw");
  EXPECT_TRUE((*c)->query("SELECT count(*) FROM advisories").ok());
  EXPECT_TRUE((*c)->query("SELECT count(*) FROM vex_statements").ok());
}

TEST_P(StoreEngineTest, RollbackLeavesNothing) {
  auto c = open_inventory(spec_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->begin_write().ok());
  ASSERT_TRUE((*c)->query("INSERT INTO products (name) VALUES ('a')").ok());
  (*c)->rollback();
  auto rows = (*c)->query("SELECT count(*) FROM products");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "0");
}

TEST_P(StoreEngineTest, AFailedStatementNamesTheDatabase) {
  auto c = open_inventory(spec_);
  ASSERT_TRUE(c.ok());
  auto r = (*c)->query("SELECT nosuchcolumn FROM products");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("nosuchcolumn"));
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, StoreEngineTest, kEngines, engine_name);

TEST_F(StoreTest, DefaultPathIsUnderFwsealHome) {
  ::setenv("FWSEAL_HOME", (dir_ / "home").c_str(), 1);
  EXPECT_EQ(sqlite_path_of(""), (dir_ / "home" / "inventory.db").string());
  auto c = open_inventory("");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(std::filesystem::exists(dir_ / "home" / "inventory.db"));
  ::unsetenv("FWSEAL_HOME");
}

TEST_F(StoreTest, RefusesAFileThatIsNotADatabase) {
  std::string db = path("notes.txt");
  std::ofstream(db) << "these are my notes, not a database, and they are long enough to be read as a header\n";
  auto c = open_inventory(db);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::malformed);
  EXPECT_EQ(c.error().message, db + ": not an fwseal inventory (not an SQLite database)");
  std::ifstream in(db);
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first, "these are my notes, not a database, and they are long enough to be read as a header");
}

TEST_F(StoreTest, UnknownDatabaseKind) {
  auto c = open_inventory("mysql://host/db");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::usage);
}

// SQLite: another program's database file is left exactly as it was.
TEST_F(StoreTest, LeavesAnotherSqliteDatabaseAlone) {
  std::string db = path("other.db");
  ASSERT_EQ(std::system(("sqlite3 '" + db + "' 'CREATE TABLE t (x)'").c_str()), 0);
  auto c = open_inventory(db);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            db + ": not an fwseal inventory (it holds other tables); give --db a new file or an existing inventory");
  FILE* p = ::popen(("sqlite3 '" + db + "' .tables").c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[256] = {};
  std::string tables(buf, std::fread(buf, 1, sizeof buf - 1, p));
  ::pclose(p);
  EXPECT_EQ(tables, "t\n");
}

TEST_F(StoreTest, UnreachablePostgresqlIsOneLineWithoutThePassword) {
  // Nothing listens on this socket directory.
  auto c = open_inventory("postgresql://alice:s3cret@/inventory?host=" + dir_.string() + "&port=5999");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::io);
  EXPECT_THAT(c.error().message, ::testing::StartsWith("postgresql://alice@" + dir_.string() +
                                                       ":5999/inventory: cannot connect to PostgreSQL: "));
  EXPECT_EQ(c.error().message.find("s3cret"), std::string::npos);
  EXPECT_EQ(c.error().message.find('\n'), std::string::npos);
}

TEST_F(StoreTest, MalformedPostgresqlUri) {
  auto c = open_inventory("postgresql://host/db?sslmode=sometimes&password=s3cret&nosuch=1");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::usage);
  EXPECT_THAT(c.error().message, ::testing::HasSubstr("not a PostgreSQL connection URI: "));
  EXPECT_THAT(c.error().message, ::testing::HasSubstr("nosuch"));
  EXPECT_EQ(c.error().message.find("s3cret"), std::string::npos);
}

TEST_F(StoreTest, PostgresqlSchemaOnAServerNamedByTheTestRun) {
  // The same schema as SQLite's: every table and the version row.
  test::PostgresDatabase pg;
  ASSERT_FALSE(pg.uri().empty());
  auto c = open_inventory(pg.uri());
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto rows = (*c)->query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name");
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> names;
  for (const auto& r : *rows) names.push_back(r[0].value_or(""));
  EXPECT_THAT(names, ::testing::ElementsAre("advisories", "advisory_affected", "advisory_aliases", "advisory_imports",
                                            "components", "fwseal_inventory", "image_sets", "images", "products",
                                            "release_components", "release_hardware", "release_signers",
                                            "releases", "vex_statements"));
}

}  // namespace
}  // namespace fwseal::inventory
