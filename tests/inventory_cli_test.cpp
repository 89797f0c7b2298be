// Issue 11 through the command line: fwseal inventory records verified
// releases and answers "which releases carry X?"; every bad input is one line
// and a documented exit code, with nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "fwseal/testing/postgres.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSbom = R"({"bomFormat":"CycloneDX","specVersion":"1.6",
  "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
  "metadata":{"timestamp":"2026-01-01T00:00:00Z"},
  "components":[{"bom-ref":"bb","type":"application","name":"busybox","version":"1.36.1-r18",
    "purl":"pkg:generic/busybox@1.36.1-r18"}]})";

// Every test runs on SQLite and on the test run's PostgreSQL server.
class InventoryCli : public ::testing::TestWithParam<std::string> {
 protected:
  InventoryCli() : ws_("inventory") {
    if (GetParam() == "postgresql") {
      postgres_.emplace();
      db_ = postgres_->uri();
    } else {
      db_ = "sqlite:" + ws_.path("inv.db");
    }
  }
  void SetUp() override { ASSERT_FALSE(db_.empty()); }
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
  std::optional<PostgresDatabase> postgres_;
  std::string db_;
};

TEST_P(InventoryCli, AddsASignedPackageAndFindsItsComponents) {
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

TEST_P(InventoryCli, BadInputIsOneLineAndAnExitCode) {
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
}

// Two releases of one product from bare SBOMs: the list, the diff between
// them, and the security team's page.
TEST_P(InventoryCli, ListDiffAndReport) {
  std::string v20 = kSbom;
  std::string v21 = R"({"bomFormat":"CycloneDX","specVersion":"1.6",
  "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b80","version":1,
  "metadata":{"timestamp":"2026-01-01T00:00:00Z"},
  "components":[{"bom-ref":"bb","type":"application","name":"busybox","version":"1.36.2",
    "purl":"pkg:generic/busybox@1.36.2"},
    {"bom-ref":"x","type":"library","name":"<img src=x onerror=alert(1)>","version":"1\u001b[2J"}]})";
  ASSERT_EQ(inv({"add-sbom", file("v20.json", v20), "--product", "gw", "--version", "2.0"}).exit_code, 0);
  ASSERT_EQ(inv({"add-sbom", file("v21.json", v21), "--product", "gw", "--version", "2.1"}).exit_code, 0);
  ASSERT_EQ(inv({"product", "gw", "--launched", "2020-01-01", "--discontinued", "2023-06-01"}).exit_code, 0);

  // A lifecycle file: a longer security-fix period changes the stage.
  auto lifecycle = inv({"lifecycle", file("lifecycle.json", R"({"policy": {"security_years_after_discontinuation": 10},
    "products": [{"name": "gw", "launched": "2020-01-01", "discontinued": "2023-06-01"}]})")});
  ASSERT_EQ(lifecycle.exit_code, 0) << lifecycle.err;
  EXPECT_EQ(lifecycle.out, ws_.path("lifecycle.json") +
                               ": 1 products; policy: active 2 years, fixes until discontinued, then CVSS >= 7.0 for "
                               "10 years\n");
  auto late = inv({"list", "--on", "2030-01-01", "--json"});
  ASSERT_EQ(late.exit_code, 0);
  EXPECT_THAT(late.out, HasSubstr("\"stage\": \"security-fixes\""));
  auto bad_lifecycle = inv({"lifecycle", file("bad-lifecycle.json", R"({"products": [{"name": "gw"}]})")});
  EXPECT_EQ(bad_lifecycle.exit_code, 10);
  EXPECT_THAT(bad_lifecycle.err, HasSubstr("products[0].launched"));
  ASSERT_EQ(inv({"lifecycle", file("default.json", R"({"policy": {}})")}).exit_code, 0);

  auto list = inv({"list", "--on", "2025-01-01", "--csv"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, ::testing::StartsWith("product,version,verified,stage,security_version,created,hardware,"
                                              "components,launched,discontinued,manifest_sha256\n"
                                              "gw,2.0,no,security-fixes,,,,1,2020-01-01,2023-06-01,sbom:"));
  EXPECT_THAT(list.out, HasSubstr("\ngw,2.1,no,security-fixes,,,,2,2020-01-01,2023-06-01,sbom:"));
  auto table = inv({"list", "--on", "2030-01-01"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("gw       2.1 (unverified)  end-of-support"));
  auto unknown = inv({"list", "--product", "router"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err, "fwseal: product \"router\" is not in the inventory\n");

  auto diff = inv({"diff", "gw", "2.0", "2.1"});
  EXPECT_EQ(diff.exit_code, 1) << diff.err;
  // Control characters from the SBOM never reach the terminal.
  EXPECT_EQ(diff.out, "+ <img src=x onerror=alert(1)> 1?[2J\n~ busybox 1.36.1-r18 -> 1.36.2\n"
                      "1 added, 0 removed, 1 version changed, 0 licence changed, 0 hash changed\n");
  EXPECT_EQ(inv({"diff", "gw", "2.1", "2.1"}).exit_code, 0);
  auto json_diff = inv({"diff", "gw", "2.0", "2.1", "--json"});
  EXPECT_EQ(json_diff.exit_code, 1);
  EXPECT_THAT(json_diff.out, HasSubstr("\"new_version\": \"1.36.2\""));
  auto missing = inv({"diff", "gw", "2.0", "9.9"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "fwseal: \"gw\" \"9.9\" is not in the inventory (fwseal inventory list shows what is)\n");

  std::string page = ws_.path("inventory.html");
  auto report = inv({"report", "--html", "-o", page, "--on", "2025-01-01", "--purl", "pkg:generic/busybox", "--range",
                     "vers:generic/<1.36.2"});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out, page + ": 2 releases; the query found 1 release\n");
  std::string html = read_bytes(page);
  EXPECT_THAT(html, HasSubstr("1 release carries a matching component"));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<script")));
  // A component named like markup is text on the page.
  auto hostile = inv({"report", "--html", "-o", page, "--name", "<img src=x onerror=alert(1)>"});
  ASSERT_EQ(hostile.exit_code, 0) << hostile.err;
  html = read_bytes(page);
  EXPECT_THAT(html, HasSubstr("<td>&lt;img src=x onerror=alert(1)&gt;</td>"));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<img")));
  auto bad_range = inv({"report", "--html", "-o", ws_.path("bad.html"), "--range", "vers:generic/<1"});
  EXPECT_EQ(bad_range.exit_code, 2);
  EXPECT_THAT(bad_range.err, HasSubstr("fwseal: --range needs --purl, --name or --cpe\n"));
  EXPECT_FALSE(exists(ws_.path("bad.html")));
}

std::string engine_name(const ::testing::TestParamInfo<std::string>& p) { return p.param; }
// Advisories in, findings out, and the gates: --fail-on exits 16 at or
// above its band, --max-age refuses a stale or empty advisory database.
TEST_P(InventoryCli, ScanAndGates) {
  auto empty = inv({"scan", "--max-age", "30"});
  EXPECT_EQ(empty.exit_code, 16);
  EXPECT_EQ(empty.err, "fwseal: no advisories imported: --max-age 30 cannot be met (fwseal inventory advisories "
                       "import)\n");
  ASSERT_EQ(inv({"add-sbom", file("gw.json", R"({"bomFormat":"CycloneDX","specVersion":"1.6",
    "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79","version":1,
    "components":[{"bom-ref":"s","type":"library","name":"libssl3","version":"3.0.11-1~deb12u2",
      "purl":"pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"}]})"),
                 "--product", "gw", "--version", "1.0"})
                .exit_code,
            0);
  std::string dsa = file("dsa.json", R"({"id":"DSA-5678-1","modified":"2024-01-31T00:00:00Z",
    "aliases":["CVE-2023-5678"],"affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]})");
  std::string cve = file("cve.json", R"({"id":"CVE-2023-5678","modified":"2024-02-01T00:00:00Z",
    "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}]})");
  auto imported = inv({"advisories", "import", dsa, cve});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr(dsa + ": 1 records (1 added, 0 updated, 0 withdrawn, 0 unchanged), sha256 "));

  auto table = inv({"scan", "--max-age", "1"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("medium    5.3   DSA-5678-1  gw       1.0 (unverified)"));
  EXPECT_THAT(table.out, HasSubstr("3.0.13-1~deb12u1"));
  auto json = inv({"scan", "--json"});
  ASSERT_EQ(json.exit_code, 0);
  EXPECT_THAT(json.out, HasSubstr("\"rule\": \"OSV Debian:12 openssl: < 3.0.13-1~deb12u1 (distro debian-12)\""));
  EXPECT_THAT(json.out, HasSubstr("\"cvss_source\": \"CVE-2023-5678\""));

  auto gate = inv({"scan", "--fail-on", "medium", "--csv"});
  EXPECT_EQ(gate.exit_code, 16);
  EXPECT_THAT(gate.out, ::testing::StartsWith("severity,cvss,advisory,aliases,product,version"));
  EXPECT_EQ(gate.err, "fwseal: policy gate failed: 1 findings at or above medium\n");
  // --json: one document, findings and all, whose code is the gate's (docs/JSON.md).
  auto json_gate = inv({"scan", "--fail-on", "medium", "--json"});
  EXPECT_EQ(json_gate.exit_code, 16);
  auto gate_doc = nlohmann::json::parse(json_gate.out);
  EXPECT_EQ(gate_doc["format"], "fwseal-inventory-scan");
  EXPECT_EQ(gate_doc["format_version"], 1);
  EXPECT_EQ(gate_doc["code"], "gate");
  EXPECT_EQ(gate_doc["exit_code"], 16);
  EXPECT_EQ(gate_doc["message"], "policy gate failed: 1 findings at or above medium");
  EXPECT_FALSE(gate_doc["findings"].empty());
  EXPECT_EQ(inv({"scan", "--fail-on", "high"}).exit_code, 0);
  auto bad = inv({"scan", "--fail-on", "severe"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("fwseal: --fail-on: \"severe\" is not critical, high, medium or low\n"));
  auto bad_release = inv({"scan", "--release", "gw"});
  EXPECT_EQ(bad_release.exit_code, 2);
  auto broken = inv({"advisories", "import", file("broken.json", R"({"id":"X","modified":"t",
    "affected":[{"package":{"ecosystem":"OSS-Fuzz","name":"x"},"versions":["1"]}]})")});
  EXPECT_EQ(broken.exit_code, 10);
  EXPECT_THAT(broken.err, HasSubstr("broken.json (X).affected[0].package.ecosystem: unknown ecosystem \"OSS-Fuzz\""));
}

// Triage by hand, carried to the next release; VEX in (the specifications'
// examples) and out (checked against the official CycloneDX 1.6 and OpenVEX
// 0.2 schemas); the question "which releases in support carry a severe,
// untriaged vulnerability?" as one command.
TEST_P(InventoryCli, TriageStatementsAndVex) {
  auto sbom = [&](const std::string& name, const std::string& version, const std::string& serial) {
    return file(name, R"({"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-)" +
                          serial + R"(","version":1,"components":[
      {"bom-ref":"s","type":"library","name":"libssl3","version":")" + version + R"(",
       "purl":"pkg:deb/debian/libssl3@)" + version + R"(?arch=amd64&distro=debian-12&upstream=openssl"},
      {"bom-ref":"c","type":"application","name":"curl","version":"8.9.0","purl":"pkg:generic/curl@8.9.0",
       "cpe":"cpe:2.3:a:haxx:curl:8.9.0:*:*:*:*:*:*:*"}]})");
  };
  ASSERT_EQ(inv({"add-sbom", sbom("a.json", "3.0.11-1~deb12u2", "000000000001"), "--product", "gw", "--version", "1.0"}).exit_code, 0);
  ASSERT_EQ(inv({"add-sbom", sbom("b.json", "3.0.11-1~deb12u2", "000000000002"), "--product", "old", "--version", "1.0"}).exit_code, 0);
  ASSERT_EQ(inv({"lifecycle", file("life.json", R"({"products":[{"name":"gw","launched":"2025-01-01"},
    {"name":"old","launched":"2010-01-01","discontinued":"2012-01-01"}]})")}).exit_code, 0);
  auto imported = inv({"advisories", "import", file("dsa.json", R"({"id":"DSA-5678-1","modified":"2024-01-31T00:00:00Z",
    "aliases":["CVE-2023-5678"],"affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]})"),
                       file("cve.json", R"({"id":"CVE-2023-5678","modified":"2024-02-01T00:00:00Z",
    "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]})"),
                       std::string(FWSEAL_SOURCE_DIR) + "/tests/data/advisories/cve5-CVE-2024-7264-curl-lessThanOrEqual.json"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;

  // In support, high or worse, nobody has looked: only gw (old is past its
  // end of support).
  const std::vector<std::string> question = {"scan", "--in-support", "--min-severity", "high", "--untriaged", "--csv",
                                             "--on", "2026-06-01", "--fail-on", "high"};
  auto asked = inv(question);
  EXPECT_EQ(asked.exit_code, 16) << asked.err;
  EXPECT_THAT(asked.out, HasSubstr("critical,9.8,DSA-5678-1,CVE-2023-5678,gw,1.0,no,active,libssl3,"));
  EXPECT_THAT(asked.out, ::testing::Not(HasSubstr(",old,")));
  EXPECT_THAT(asked.out, ::testing::Not(HasSubstr("CVE-2024-7264")));  // medium
  EXPECT_EQ(asked.err, "fwseal: policy gate failed: 1 findings at or above high\n");

  auto bad = inv({"triage", "CVE-2023-5678", "--purl", "pkg:deb/debian/openssl", "--status", "not_affected"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("fwseal: a not_affected statement needs a --justification or a --detail saying why\n"));
  auto recorded = inv({"triage", "CVE-2023-5678", "--purl", "pkg:deb/debian/openssl", "--range",
                       "vers:deb/<3.0.13-1~deb12u1", "--status", "not_affected", "--justification",
                       "vulnerable_code_not_in_execute_path", "--detail", "no DH key generation", "--author", "alice"});
  ASSERT_EQ(recorded.exit_code, 0) << recorded.err;
  EXPECT_THAT(recorded.out, HasSubstr("recorded: CVE-2023-5678 not_affected for pkg:deb/debian/openssl "
                                      "vers:deb/<3.0.13-1~deb12u1, by alice at "));
  auto answered = inv(question);
  EXPECT_EQ(answered.exit_code, 0) << answered.err;
  EXPECT_EQ(answered.out, "severity,cvss,advisory,aliases,product,version,verified,stage,component,component_version,purl,"
                          "fixed,rule,status,statement_scope,justification,detail\n");
  // A later release with the same package is covered by the same decision.
  ASSERT_EQ(inv({"add-sbom", sbom("c.json", "3.0.11-1~deb12u2", "000000000003"), "--product", "gw", "--version", "1.1"}).exit_code, 0);
  auto later = inv({"scan", "--release", "gw@1.1", "--json"});
  ASSERT_EQ(later.exit_code, 0) << later.err;
  EXPECT_THAT(later.out, HasSubstr("\"status\": \"not_affected\""));
  EXPECT_THAT(later.out, HasSubstr("\"author\": \"alice\""));

  // The specifications' VEX examples import; products without a purl or CPE
  // are named as skipped.
  const std::string vex_dir = std::string(FWSEAL_SOURCE_DIR) + "/tests/data/vex/";
  auto vex_in = inv({"vex", "import", vex_dir + "openvex-spec-v0.2.0-minimal-example.json",
                     vex_dir + "cdx-vex-valid-vulnerability-1.6.json", vex_dir + "csaf-vex-2022-evd-uc-01-na-001.json"});
  ASSERT_EQ(vex_in.exit_code, 0) << vex_in.err;
  EXPECT_THAT(vex_in.out, HasSubstr("openvex-spec-v0.2.0-minimal-example.json: 2 statements (openvex)\n"));
  EXPECT_THAT(vex_in.out, HasSubstr("cdx-vex-valid-vulnerability-1.6.json: 1 statements (cyclonedx)\n"));
  EXPECT_THAT(vex_in.out, HasSubstr("csaf-vex-2022-evd-uc-01-na-001.json: 0 statements (csaf)\n"));
  EXPECT_THAT(vex_in.err, HasSubstr("fwseal: warning: skipped " + vex_dir + "csaf-vex-2022-evd-uc-01-na-001.json"
                                    ".vulnerabilities[0].product_status.known_not_affected: CSAFPID-0001 names no product "
                                    "with a purl or CPE\n"));
  auto listed = inv({"statements", "--json"});
  ASSERT_EQ(listed.exit_code, 0);
  auto listed_doc = nlohmann::json::parse(listed.out);
  EXPECT_EQ(listed_doc["format"], "fwseal-inventory-statements");
  EXPECT_EQ(listed_doc["statements"].size(), 4u);
  auto broken = inv({"vex", "import", file("v.json", R"({"@context":"https://openvex.dev/ns/v0.2.0","statements":[
    {"vulnerability":{"name":"CVE-1"},"products":[{"@id":"pkg:npm/a@1.0.0"}],"status":"maybe"}]})")});
  EXPECT_EQ(broken.exit_code, 10);
  EXPECT_EQ(broken.err, "fwseal: " + ws_.path("v.json") + ".statements[0].status: not an OpenVEX status: \"maybe\"\n");

  // VEX out, every status, checked against the official schemas.
  ASSERT_EQ(inv({"triage", "CVE-2024-7264", "--cpe", "cpe:2.3:a:haxx:curl:8.9.0:*:*:*:*:*:*:*", "--status", "affected",
                 "--detail", "update in 1.2"}).exit_code, 0);
  for (const char* format : {"cyclonedx", "openvex"}) {
    const std::string out = ws_.path(std::string("gw-1.0.") + format + ".json");
    auto exported = inv({"vex", "export", "gw@1.0", "--format", format, "-o", out});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_EQ(exported.out, out + ": 2 vulnerabilities of gw 1.0 (" + format + ")\n");
    auto schema = std::string(format) == "cyclonedx"
                      ? run({"/usr/bin/python3", std::string(FWSEAL_SOURCE_DIR) + "/tests/tools/validate_cyclonedx.py", out})
                      : run({"/usr/bin/python3", std::string(FWSEAL_SOURCE_DIR) + "/tests/tools/validate_json_schema.py",
                             std::string(FWSEAL_SOURCE_DIR) + "/third_party/openvex/openvex_json_schema_0.2.0.json", out});
    EXPECT_EQ(schema.exit_code, 0) << format << ": " << schema.out << schema.err;
    auto doc = nlohmann::json::parse(read_bytes(out));
    if (std::string(format) == "cyclonedx") {
      ASSERT_EQ(doc["vulnerabilities"].size(), 2u);
      for (const auto& v : doc["vulnerabilities"])
        EXPECT_EQ(v["analysis"]["state"], v["id"] == "CVE-2024-7264" ? "exploitable" : "not_affected") << v.dump();
    } else {
      ASSERT_EQ(doc["statements"].size(), 2u);
      for (const auto& st : doc["statements"])
        if (st["status"] == "affected") EXPECT_EQ(st["action_statement"], "update in 1.2");
        else EXPECT_EQ(st["justification"], "vulnerable_code_not_in_execute_path");
    }
  }
  auto unknown = inv({"vex", "export", "gw@9.9", "--format", "openvex"});
  EXPECT_EQ(unknown.exit_code, 2);
  auto bad_format = inv({"vex", "export", "gw@1.0", "--format", "spdx"});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_THAT(bad_format.err, HasSubstr("fwseal: --format must be cyclonedx or openvex, not \"spdx\"\n"));
}

INSTANTIATE_TEST_SUITE_P(Engines, InventoryCli, ::testing::Values(std::string("sqlite"), std::string("postgresql")),
                         engine_name);

// The security team's page in a real browser: headless Chromium opens it
// offline and shows the impacted release, the products and their stages.
TEST(InventoryReport, ChromiumShowsImpactProductsAndStages) {
  Workspace ws("inventory-report");
  std::string db = "sqlite:" + ws.path("inv.db");
  write_bytes(ws.path("bom.json"), kSbom);
  ASSERT_EQ(ws.fwseal({"inventory", "add-sbom", ws.path("bom.json"), "--product", "gw", "--version", "2.0", "--db", db})
                .exit_code,
            0);
  ASSERT_EQ(ws.fwseal({"inventory", "product", "gw", "--launched", "2020-01-01", "--db", db}).exit_code, 0);
  // A release with a vulnerable curl, and the curl CNA's record of it.
  write_bytes(ws.path("bom2.json"), R"({"bomFormat":"CycloneDX","specVersion":"1.6",
    "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-000000000021","version":1,"components":[
    {"bom-ref":"c","type":"application","name":"curl","version":"8.9.0","purl":"pkg:generic/curl@8.9.0",
     "cpe":"cpe:2.3:a:haxx:curl:8.9.0:*:*:*:*:*:*:*"}]})");
  ASSERT_EQ(ws.fwseal({"inventory", "add-sbom", ws.path("bom2.json"), "--product", "gw", "--version", "2.1", "--db", db})
                .exit_code,
            0);
  ASSERT_EQ(ws.fwseal({"inventory", "advisories", "import",
                       std::string(FWSEAL_SOURCE_DIR) + "/tests/data/advisories/cve5-CVE-2024-7264-curl-lessThanOrEqual.json",
                       "--db", db})
                .exit_code,
            0);
  std::string page = ws.path("inventory.html");
  auto r = ws.fwseal({"inventory", "report", "--html", "-o", page, "--on", "2021-06-01", "--name", "busybox", "--db", db});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  TempDir profile;
  std::vector<std::string> dump = headless_chromium(profile.path());
  dump.push_back("--dump-dom");
  dump.push_back("file://" + page);
  RunOptions o;
  o.unset = chromium_unset();
  auto d = run(dump, o);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_THAT(d.out, HasSubstr("1 release carries a matching component"));
  EXPECT_THAT(d.out, HasSubstr("<td>busybox</td><td>1.36.1-r18</td>"));
  EXPECT_THAT(d.out, HasSubstr("<span class=\"stage active\">active</span>"));
  EXPECT_THAT(d.out, HasSubstr("<td>2020-01-01</td>"));
  EXPECT_THAT(d.out, HasSubstr("(unverified)"));
  EXPECT_THAT(d.out, HasSubstr("<h2 id=\"vulnerabilities\">Open vulnerabilities</h2>"));
  EXPECT_THAT(d.out, HasSubstr("1 open finding (1 medium)"));
  EXPECT_THAT(d.out, HasSubstr("<td class=\"num\">6.3</td><td>CVE-2024-7264</td><td>gw</td>"));
  EXPECT_THAT(r.out, HasSubstr("; 1 open vulnerability finding\n"));
}

TEST(InventoryDatabases, NotAnInventoryAndNoServer) {
  Workspace ws("inventory-db");
  std::string notes = ws.path("notes.db");
  write_bytes(notes, std::string(200, 'x'));
  auto not_db = ws.fwseal({"inventory", "query", "--name", "x", "--db", notes});
  EXPECT_EQ(not_db.exit_code, 10);
  EXPECT_EQ(not_db.err, "fwseal: " + notes + ": not an fwseal inventory (not an SQLite database)\n");
  EXPECT_EQ(read_bytes(notes), std::string(200, 'x'));

  // A PostgreSQL server that is not there: exit 3, one line, no password.
  auto no_server = ws.fwseal({"inventory", "query", "--name", "x", "--db",
                              "postgresql://ci:hunter2@/inv?host=" + ws.path("nosocket") + "&port=6001"});
  EXPECT_EQ(no_server.exit_code, 3);
  EXPECT_THAT(no_server.err, ::testing::StartsWith("fwseal: postgresql://ci@" + ws.path("nosocket") +
                                                   ":6001/inv: cannot connect to PostgreSQL: "));
  EXPECT_EQ(std::count(no_server.err.begin(), no_server.err.end(), '\n'), 1);
  EXPECT_EQ(no_server.err.find("hunter2"), std::string::npos);
  EXPECT_EQ(no_server.out, "");
}

}  // namespace
}  // namespace fwseal::test
