#include "fwseal/inventory/store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fwseal/testing/temp_dir.h"

namespace fwseal::inventory {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  std::string path(const char* name) const { return tmp_ / name; }
  test::TempDir tmp_{"fwseal-store"};
  std::filesystem::path dir_{tmp_.path()};
};

TEST_F(StoreTest, CreatesTheSchemaOnceAndReopens) {
  std::string db = path("inv.db");
  {
    auto c = open_inventory("sqlite:" + db);
    ASSERT_TRUE(c.ok()) << c.error().message;
    auto rows = (*c)->query("SELECT value FROM fwseal_inventory WHERE key = 'schema_version'");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ((*rows)[0][0], std::to_string(kSchemaVersion));
    ASSERT_TRUE((*c)->query("INSERT INTO products (name) VALUES (?)", {std::string("router")}).ok());
  }
  auto again = open_inventory(db);
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto rows = (*again)->query("SELECT name FROM products");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0][0], "router");
}

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

TEST_F(StoreTest, RefusesAnotherApplicationsDatabase) {
  std::string db = path("other.db");
  {
    auto c = open_inventory(db);
    ASSERT_TRUE(c.ok());
  }
  std::filesystem::remove(db);
  // An SQLite file of some other program: a table that is not ours.
  ASSERT_EQ(std::system(("sqlite3 '" + db + "' 'CREATE TABLE t (x)'").c_str()), 0);
  auto c = open_inventory(db);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::malformed);
  EXPECT_EQ(c.error().message,
            db + ": not an fwseal inventory (it holds other tables); give --db a new file or an existing inventory");
}

TEST_F(StoreTest, RefusesANewerSchema) {
  std::string db = path("new.db");
  {
    auto c = open_inventory(db);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->query("UPDATE fwseal_inventory SET value = '99' WHERE key = 'schema_version'").ok());
  }
  auto c = open_inventory(db);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::malformed);
  EXPECT_EQ(c.error().message, db + ": inventory schema version 99 is newer than this fwseal understands (1); use a "
                                    "newer fwseal");
}

TEST_F(StoreTest, UnknownDatabaseKind) {
  auto c = open_inventory("mysql://host/db");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, Code::usage);
}

TEST_F(StoreTest, RollbackLeavesNothing) {
  auto c = open_inventory(path("tx.db"));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*c)->begin_write().ok());
  ASSERT_TRUE((*c)->query("INSERT INTO products (name) VALUES ('a')").ok());
  (*c)->rollback();
  auto rows = (*c)->query("SELECT count(*) FROM products");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "0");
}

}  // namespace
}  // namespace fwseal::inventory
