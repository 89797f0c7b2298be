// Issue 11 through the command line: fwseal inventory records verified
// releases and answers "which releases carry X?"; every bad input is one line
// and a documented exit code, with nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSbom = R"({"bomFormat":"CycloneDX","specVersion":"1.6",
  "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
  "metadata":{"timestamp":"2026-01-01T00:00:00Z"},
  "components":[{"bom-ref":"bb","type":"application","name":"busybox","version":"1.36.1-r18",
    "purl":"pkg:generic/busybox@1.36.1-r18"}]})";

class InventoryCli : public ::testing::Test {
 protected:
  InventoryCli() : ws_("inventory"), db_("sqlite:" + ws_.path("inv.db")) {}
  RunResult inv(std::vector<std::string> args) {
    args.insert(args.begin(), "inventory");
    args.push_back("--db");
    args.push_back(db_);
    return ws_.fwseal(args);
  }
  std::string file(const std::string& name, const std::string& content) {
    write_bytes(ws_.path(name), content);
    return ws_.path(name);
  }
  Workspace ws_;
  std::string db_;
};

TEST_F(InventoryCli, AddsASignedPackageAndFindsItsComponents) {
  ws_.keygen("k", "ed25519");
  ws_.write_spec();
  write_bytes(ws_.path("spec2.json"), R"({"product":"acme-cam","version":"1.4.2","security_version":3,
    "hardware":["rev-b"],"created":1790000000,"sbom":{"supplier":"Acme"},
    "images":[{"name":"rootfs","type":"rootfs","path":"b.bin"}]})");
  std::string pkg = ws_.path("s.fwpkg");
  ASSERT_EQ(ws_.fwseal({"package", "--spec", ws_.path("spec2.json"), "-o", pkg}).exit_code, 0);
  std::string trust = ws_.trust({"k"});

  auto unsigned_add = inv({"add", pkg, "--trust", trust});
  EXPECT_EQ(unsigned_add.exit_code, 13) << unsigned_add.err;
  EXPECT_THAT(unsigned_add.err, HasSubstr("fwseal: " + pkg + ": "));

  ASSERT_EQ(ws_.fwseal({"sign", pkg, "--key", ws_.key_uri("k")}).exit_code, 0);
  auto added = inv({"add", pkg, "--trust", trust});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, HasSubstr(": added acme-cam 1.4.2"));
  auto again = inv({"add", pkg, "--trust", trust});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_THAT(again.out, HasSubstr(": unchanged acme-cam 1.4.2"));

  ASSERT_EQ(inv({"add-sbom", file("bom.json", kSbom), "--product", "gw", "--version", "2.0"}).exit_code, 0);
  auto q = inv({"query", "--purl", "pkg:generic/busybox", "--range", "vers:generic/>=1.36.1-r3|<1.36.2", "--csv"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "product,version,verified,stage,hardware,images,component,component_version,purl,cpe\n"
                   "gw,2.0,no,unknown,,,busybox,1.36.1-r18,pkg:generic/busybox@1.36.1-r18,\n");
  ASSERT_EQ(inv({"product", "gw", "--launched", "2020-01-01", "--discontinued", "2023-06-01"}).exit_code, 0);
  auto staged = inv({"query", "--name", "busybox", "--on", "2025-01-01", "--json"});
  ASSERT_EQ(staged.exit_code, 0) << staged.err;
  EXPECT_THAT(staged.out, HasSubstr("\"stage\": \"security-fixes\""));
  EXPECT_EQ(inv({"query", "--name", "busybox", "--fail-if-found"}).exit_code, 4);
  EXPECT_EQ(inv({"query", "--name", "openssl", "--fail-if-found"}).exit_code, 0);
}

TEST_F(InventoryCli, BadInputIsOneLineAndAnExitCode) {
  auto bad_purl = inv({"query", "--purl", "pkg:deb"});
  EXPECT_EQ(bad_purl.exit_code, 2);
  EXPECT_THAT(bad_purl.err, HasSubstr("fwseal: --purl: invalid purl \"pkg:deb\": no type\n"));
  auto bad_range = inv({"query", "--name", "x", "--range", "vers:deb/<abc"});
  EXPECT_EQ(bad_range.exit_code, 2);
  EXPECT_THAT(bad_range.err, HasSubstr("fwseal: invalid version range \"vers:deb/<abc\": \"abc\" is not a deb "
                                       "version: the upstream version does not start with a digit\n"));
  auto not_cdx = inv({"add-sbom", file("spdx.json", R"({"spdxVersion":"SPDX-2.3"})"), "--product", "p",
                      "--version", "1"});
  EXPECT_EQ(not_cdx.exit_code, 10);
  EXPECT_THAT(not_cdx.err, HasSubstr("not a CycloneDX SBOM fwseal can read"));
  auto bad_date = inv({"query", "--name", "x", "--on", "2024-02-30"});
  EXPECT_EQ(bad_date.exit_code, 2);
  EXPECT_THAT(bad_date.err, HasSubstr("fwseal: --on: \"2024-02-30\" is not a date (YYYY-MM-DD)\n"));
  std::string notes = file("notes.db", std::string(200, 'x'));
  auto not_db = ws_.fwseal({"inventory", "query", "--name", "x", "--db", notes});
  EXPECT_EQ(not_db.exit_code, 10);
  EXPECT_EQ(not_db.err, "fwseal: " + notes + ": not an fwseal inventory (not an SQLite database)\n");
  EXPECT_EQ(read_bytes(notes), std::string(200, 'x'));
}

}  // namespace
}  // namespace fwseal::test
