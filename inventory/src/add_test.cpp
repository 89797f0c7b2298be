#include "fwseal/inventory/add.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fwseal/testing/package_builder.h"
#include "fwseal/testing/temp_dir.h"
#include "test_inventory.h"
#include "test_sbom.h"

namespace fwseal::inventory {
namespace {

class AddTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_path_ = inventory_.spec();
    ASSERT_FALSE(db_path_.empty());
    auto c = open_inventory(db_path_);
    ASSERT_TRUE(c.ok()) << c.error().message;
    db_ = std::move(c).value();
  }

  std::string write_package(test::PackageBuilder& b, const char* name) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << b.build();
    return path;
  }
  std::string count(const char* table) {
    auto rows = db_->query(std::string("SELECT count(*) FROM ") + table);
    return rows.ok() ? *(*rows)[0][0] : "error";
  }

  TestInventory inventory_{GetParam()};
  std::filesystem::path dir_{inventory_.dir().path()};
  std::string db_path_;
  std::unique_ptr<Connection> db_;
};

TEST_P(AddTest, RecordsAVerifiedPackageOnce) {
  const auto& key = test::test_key(Algorithm::ed25519);
  test::PackageBuilder b;
  b.sbom = sbom_with("1.36.1-r18");
  b.sign_with(key);
  std::string pkg = write_package(b, "a.fwpkg");
  auto trust = test::trust_for({&key});
  auto r = add_package(*db_, pkg, trust, false);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outcome, AddOutcome::added);
  EXPECT_EQ(r->product, "acme-cam");
  EXPECT_EQ(r->version, "1.4.2");
  EXPECT_EQ(r->components, 2u);
  EXPECT_EQ(count("releases"), "1");
  EXPECT_EQ(count("images"), "2");
  EXPECT_EQ(count("release_hardware"), "2");
  EXPECT_EQ(count("release_signers"), "1");
  auto rows = db_->query(
      "SELECT c.name, c.purl_type, c.upstream, s.images FROM components c JOIN release_components rc ON "
      "rc.component_id = c.id JOIN image_sets s ON s.id = rc.image_set_id ORDER BY c.name");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[1][0], "libssl3");
  EXPECT_EQ((*rows)[1][2], "openssl");
  EXPECT_EQ((*rows)[1][3], "[\"rootfs\"]");

  auto again = add_package(*db_, pkg, trust, false);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, AddOutcome::unchanged);
  EXPECT_EQ(count("releases"), "1");
  EXPECT_EQ(count("components"), "2");
}

TEST_P(AddTest, AnotherPackageForTheSameReleaseNeedsReplace) {
  const auto& key = test::test_key(Algorithm::ed25519);
  auto trust = test::trust_for({&key});
  test::PackageBuilder a;
  a.sbom = sbom_with("1.36.1-r2");
  a.sign_with(key);
  test::PackageBuilder b;
  b.sbom = sbom_with("1.36.1-r18");
  b.sign_with(key);
  std::string pa = write_package(a, "a.fwpkg"), pb = write_package(b, "b.fwpkg");
  ASSERT_TRUE(add_package(*db_, pa, trust, false).ok());
  auto refused = add_package(*db_, pb, trust, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Code::malformed);
  EXPECT_EQ(refused.error().message,
            "acme-cam 1.4.2 is already in the inventory from a different package; give --replace to record this one "
            "instead");
  auto replaced = add_package(*db_, pb, trust, true);
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_EQ(replaced->outcome, AddOutcome::replaced);
  EXPECT_EQ(count("releases"), "1");
  auto v = db_->query("SELECT c.version FROM components c JOIN release_components rc ON rc.component_id = c.id "
                      "WHERE c.name = 'busybox'");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0][0], "1.36.1-r18");
}

TEST_P(AddTest, UnsignedPackageAddsNothing) {
  const auto& key = test::test_key(Algorithm::ed25519);
  test::PackageBuilder b;
  b.sbom = sbom_with("1.36.1");
  std::string pkg = write_package(b, "unsigned.fwpkg");
  auto r = add_package(*db_, pkg, test::trust_for({&key}), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::untrusted);
  EXPECT_TRUE(r.error().message.starts_with(pkg + ": ")) << r.error().message;
  EXPECT_EQ(count("releases"), "0");
  EXPECT_EQ(count("products"), "0");
}

TEST_P(AddTest, TamperedPackageAddsNothing) {
  const auto& key = test::test_key(Algorithm::ed25519);
  test::PackageBuilder b;
  b.sbom = sbom_with("1.36.1");
  b.sign_with(key);
  std::string bytes = b.build();
  // Flip a byte of the kernel image's data (the first image, after the headers).
  std::string kernel = b.images[0];
  auto at = bytes.find(kernel);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 10] = static_cast<char>(bytes[at + 10] ^ 1);
  std::string pkg = (dir_ / "tampered.fwpkg").string();
  std::ofstream(pkg, std::ios::binary) << bytes;
  auto r = add_package(*db_, pkg, test::trust_for({&key}), false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::digest);
  EXPECT_EQ(count("releases"), "0");
}

TEST_P(AddTest, BareSbomIsUnverifiedAndComponentsAreStoredOnce) {
  auto one = add_sbom(*db_, sbom_with("1.36.1"), "a.json", "gateway", "2.0", false);
  ASSERT_TRUE(one.ok()) << one.error().message;
  auto two = add_sbom(*db_, sbom_with("1.36.2", "000000000002"), "b.json", "gateway", "2.1", false);
  ASSERT_TRUE(two.ok()) << two.error().message;
  EXPECT_EQ(count("releases"), "2");
  EXPECT_EQ(count("release_components"), "4");
  EXPECT_EQ(count("components"), "3");  // libssl3 once, busybox twice (two versions)
  auto v = db_->query("SELECT DISTINCT verified FROM releases");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ((*v)[0][0], "0");
}

TEST_P(AddTest, SbomThatIsNotCycloneDxIsRefused) {
  auto r = add_sbom(*db_, R"({"spdxVersion":"SPDX-2.3"})", "spdx.json", "gateway", "2.0", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_TRUE(r.error().message.starts_with("spdx.json: not a CycloneDX SBOM fwseal can read: ")) << r.error().message;
  EXPECT_EQ(count("releases"), "0");
}

// Many packages: verified a window at a time, recorded in order; a failure
// keeps the packages before it and stops there.
TEST_P(AddTest, ManyPackagesStopAtTheFirstFailureKeepingTheOnesBefore) {
  const auto& key = test::test_key(Algorithm::ed25519);
  auto trust = test::trust_for({&key});
  std::vector<std::string> paths;
  for (int v = 0; v < 5; ++v) {
    test::PackageBuilder b;
    b.manifest.version = "1." + std::to_string(v);
    b.sbom = sbom_with("1.36." + std::to_string(v));
    if (v != 3) b.sign_with(key);  // the fourth is unsigned
    paths.push_back(write_package(b, ("p" + std::to_string(v) + ".fwpkg").c_str()));
  }
  std::vector<std::string> recorded;
  auto s = add_packages(*db_, paths, trust, false, [&](const std::string& path, const AddResult& r) {
    recorded.push_back(path + " " + std::string(add_outcome_name(r.outcome)) + " " + r.version);
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::untrusted);
  EXPECT_TRUE(s.error().message.starts_with(paths[3] + ": ")) << s.error().message;
  EXPECT_EQ(recorded, (std::vector<std::string>{paths[0] + " added 1.0", paths[1] + " added 1.1",
                                                paths[2] + " added 1.2"}));
  EXPECT_EQ(count("releases"), "3");

  // A conflict found while writing: the ones before it are kept too.
  test::PackageBuilder other;
  other.manifest.version = "1.1";
  other.sbom = sbom_with("9.9.9");
  other.sign_with(key);
  std::string conflict = write_package(other, "conflict.fwpkg");
  recorded.clear();
  s = add_packages(*db_, {paths[4], conflict, paths[0]}, trust, false,
                   [&](const std::string& path, const AddResult&) { recorded.push_back(path); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::malformed);
  EXPECT_EQ(recorded, std::vector<std::string>{paths[4]});
  EXPECT_EQ(count("releases"), "4");
}

// Many packages are verified in windows and recorded in one transaction with
// a savepoint per window: a failure several windows in keeps every package
// before it, in order, and a conflict found while writing takes back only
// the releases of its own window that come after it.
TEST_P(AddTest, ManyWindowsStopAtTheFirstFailureKeepingTheOnesBefore) {
  const auto& key = test::test_key(Algorithm::ed25519);
  auto trust = test::trust_for({&key});
  std::vector<std::string> paths;
  for (int v = 0; v < 40; ++v) {
    test::PackageBuilder b;
    b.manifest.version = "2." + std::to_string(v);
    b.sbom = sbom_with("1.36." + std::to_string(v % 7));
    if (v != 35) b.sign_with(key);
    paths.push_back(write_package(b, ("w" + std::to_string(v) + ".fwpkg").c_str()));
  }
  std::vector<std::string> recorded;
  auto s = add_packages(*db_, paths, trust, false,
                        [&](const std::string& path, const AddResult&) { recorded.push_back(path); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::untrusted);
  EXPECT_TRUE(s.error().message.starts_with(paths[35] + ": ")) << s.error().message;
  EXPECT_EQ(recorded, std::vector<std::string>(paths.begin(), paths.begin() + 35));
  EXPECT_EQ(count("releases"), "35");
  EXPECT_EQ(count("components"), "8");  // seven busybox versions, one libssl3

  test::PackageBuilder other;
  other.manifest.version = "2.3";
  other.sbom = sbom_with("9.9.9");
  other.sign_with(key);
  std::string conflict = write_package(other, "conflict.fwpkg");
  recorded.clear();
  s = add_packages(*db_, {paths[36], paths[37], conflict, paths[38]}, trust, false,
                   [&](const std::string& path, const AddResult&) { recorded.push_back(path); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::malformed);
  EXPECT_EQ(recorded, (std::vector<std::string>{paths[36], paths[37]}));
  EXPECT_EQ(count("releases"), "37");
  // The conflicting package recorded nothing, not even its component.
  EXPECT_EQ(count("components"), "8");  // seven busybox versions, one libssl3
  // The rest goes in afterwards, reusing the components recorded before.
  s = add_packages(*db_, {paths[38], paths[39]}, trust, false, [](const std::string&, const AddResult&) {});
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(count("releases"), "39");
  EXPECT_EQ(count("release_components"), "78");
}

TEST_P(AddTest, AKilledAddLeavesNothing) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto c = open_inventory(db_path_);
    if (!c.ok() || !(*c)->begin_write().ok()) ::_exit(2);
    (void)(*c)->query("INSERT INTO products (name) VALUES ('half')");
    ::kill(::getpid(), SIGKILL);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  auto c = open_inventory(db_path_);
  ASSERT_TRUE(c.ok());
  auto rows = (*c)->query("SELECT count(*) FROM products");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ((*rows)[0][0], "0");
}

TEST_P(AddTest, ConcurrentAddsNeitherLoseNorDuplicate) {
  constexpr int kEach = 15;
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto c = open_inventory(db_path_);
      if (!c.ok()) ::_exit(2);
      for (int i = 0; i < kEach; ++i) {
        // Both processes add the shared releases 0..4, each its own others.
        int n = i < 5 ? i : 100 * (p + 1) + i;
        char serial[13];
        std::snprintf(serial, sizeof serial, "%012d", n);
        auto r = add_sbom(**c, sbom_with("1.36." + std::to_string(n), serial), "x", "gw", std::to_string(n), false);
        if (!r.ok()) ::_exit(3);
      }
      ::_exit(0);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  EXPECT_EQ(count("releases"), std::to_string(5 + 2 * (kEach - 5)));
  EXPECT_EQ(count("components"), std::to_string(1 + 5 + 2 * (kEach - 5)));
}

INSTANTIATE_TEST_SUITE_P(Engines, AddTest, kEngines, engine_name);

}  // namespace
}  // namespace fwseal::inventory
