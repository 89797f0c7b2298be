// The inventory a test runs against: every storage test runs once on each
// engine (INSTANTIATE_TEST_SUITE_P(..., kEngines, engine_name)).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "fwseal/inventory/store.h"
#include "fwseal/testing/postgres.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal::inventory {

inline const auto kEngines = ::testing::Values(std::string("sqlite"), std::string("postgresql"));
inline std::string engine_name(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

// An SQLite file in a scratch directory, or a fresh database on the test
// run's PostgreSQL server.
class TestInventory {
 public:
  explicit TestInventory(const std::string& engine) {
    if (engine == "postgresql") {
      postgres_.emplace();
      spec_ = postgres_->uri();
    } else {
      spec_ = "sqlite:" + (dir_ / "inv.db");
    }
  }
  // What open_inventory takes.
  const std::string& spec() const { return spec_; }
  // The inventory, opened; nullptr (and a test failure) when it cannot be.
  std::unique_ptr<Connection> open() const {
    if (spec_.empty()) return nullptr;
    auto c = open_inventory(spec_);
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return c.ok() ? std::move(c).value() : nullptr;
  }
  const test::TempDir& dir() const { return dir_; }

 private:
  test::TempDir dir_{"fwseal-inventory"};
  std::optional<test::PostgresDatabase> postgres_;
  std::string spec_;
};

}  // namespace fwseal::inventory
