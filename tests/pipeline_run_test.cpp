// `fwseal pipeline run`: one command from a release file to a published,
// verified release; every failure by its exit code and message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "fwseal/base/digest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class PipelineRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("pipe");
    ws_->keygen("ed", "ed25519");
    ws_->keygen("p256", "ecdsa-p256");
    ws_->write_spec();  // images a.bin, b.bin, c.bin
  }
  static void TearDownTestSuite() { delete ws_; }

  // A release file in the workspace; `extra` is spliced in before the closing brace.
  static std::string release(const std::string& name, const std::string& extra = "",
                             const std::string& trust = R"("trust": {"threshold": 2, "hardware": ["rev-b"]})") {
    std::string text = R"({
  // a test release
  "product": "acme-cam", "version": "2.0.0", "security_version": 4, "created": 1790000000,
  "hardware": ["rev-b", "rev-c"],
  "images": [
    {"name": "bootloader", "type": "bootloader", "path": "a.bin"},
    {"name": "rootfs", "type": "rootfs", "path": "b.bin"},
    {"name": "config", "type": "config", "path": "c.bin"}
  ],
  "components": [{"name": "libfoo", "version": "1.2.3", "license": "MIT", "image": "rootfs"}],
  "signing": {"keys": [{"uri": ")" + ws_->key_uri("ed") + R"("}, {"uri": ")" + ws_->key_uri("p256") + R"("}]},
  )" + trust + R"(,
  "output": "out/)" + name + "\"" + extra + "\n}\n";
    write_bytes(ws_->path(name + ".json"), text);
    return ws_->path(name + ".json");
  }
  static Workspace* ws_;
};
Workspace* PipelineRun::ws_ = nullptr;

TEST_F(PipelineRun, ReleasesVerifiedPackageSbomTrustAndReport) {
  auto r = ws_->fwseal({"pipeline", "run", release("full")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");  // not a terminal: no progress output
  EXPECT_THAT(r.out, HasSubstr("released acme-cam-2.0.0 -> " + ws_->path("out/full")));
  const std::string out = ws_->path("out/full");
  for (const char* f : {"acme-cam-2.0.0.fwpkg", "acme-cam-2.0.0.fwpkg.intoto.jsonl", "sbom.cdx.json", "trust.json",
                        "report.json", "report.html"})
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;

  // The standalone verifier accepts the package under the published policy:
  // two signatures, threshold 2, this device's hardware.
  auto v = ws_->verify({out + "/acme-cam-2.0.0.fwpkg", "--trust", out + "/trust.json", "--json"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  auto vj = nlohmann::json::parse(v.out);
  EXPECT_EQ(vj["signatures_valid"], 2);
  EXPECT_EQ(vj["signatures_required"], 2);

  // The SBOM inside the package is the published one.
  auto sbom = ws_->fwseal({"sbom", "extract", out + "/acme-cam-2.0.0.fwpkg", "--trust", out + "/trust.json"});
  ASSERT_EQ(sbom.exit_code, 0) << sbom.err;
  EXPECT_EQ(sbom.out, read_bytes(out + "/sbom.cdx.json"));

  auto report = nlohmann::json::parse(read_bytes(out + "/report.json"));
  EXPECT_EQ(report["verdict"], "pass");
  EXPECT_EQ(report["product"], "acme-cam");
  ASSERT_EQ(report["variants"].size(), 1u);
  const auto& variant = report["variants"][0];
  EXPECT_EQ(variant["verification"]["verifier"], "fwseal-verify");
  EXPECT_EQ(variant["verification"]["verdict"], "valid");
  EXPECT_EQ(variant["package"]["manifest_sha256"], vj["manifest_sha256"]);
  EXPECT_EQ(variant["signatures"].size(), 2u);
  EXPECT_EQ(variant["images"][1]["name"], "rootfs");
  EXPECT_EQ(variant["images"][1]["size"], 70000);
  EXPECT_EQ(variant["sbom"]["components"], 1);
  EXPECT_EQ(variant["sbom"]["by_licence"][0]["licence"], "MIT");
  EXPECT_EQ(variant["reproducibility"]["result"], "pass");
  EXPECT_EQ(report["signing_keys"].size(), 2u);

  // Provenance beside the package: signed by the first signing key, its
  // subject this package, built from the release file and the three images.
  auto p = ws_->verify({out + "/acme-cam-2.0.0.fwpkg", "--trust", out + "/trust.json", "--provenance",
                        out + "/acme-cam-2.0.0.fwpkg.intoto.jsonl", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto pj = nlohmann::json::parse(p.out)["provenance"];
  EXPECT_EQ(pj["release"], "full.json");
  EXPECT_EQ(pj["materials"], 4);
  EXPECT_EQ(pj["key_id"], report["signing_keys"][0]["key_id"]);
  EXPECT_EQ(report["provenance"]["key_id"], report["signing_keys"][0]["key_id"]);
  EXPECT_EQ(variant["provenance"]["file"], "acme-cam-2.0.0.fwpkg.intoto.jsonl");
  EXPECT_EQ(variant["provenance"]["sha256"], to_hex(sha256(read_bytes(out + "/acme-cam-2.0.0.fwpkg.intoto.jsonl"))));
}

TEST_F(PipelineRun, AddsThePublishedReleaseToTheInventory) {
  const std::string db = ws_->path("pipeline-inventory.db");
  auto r = ws_->fwseal({"pipeline", "run", release("inv", R"(, "inventory": {"db": "pipeline-inventory.db"})")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("inventory: added acme-cam 2.0.0 (1 components) in " + db + "\n"));
  auto q = ws_->fwseal({"inventory", "query", "--name", "libfoo", "--csv", "--db", db});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_THAT(q.out, HasSubstr("\nacme-cam,2.0.0,yes,unknown,rev-b rev-c,rootfs,libfoo,1.2.3,"));
  // The same release again is the same package: nothing changes.
  auto again = ws_->fwseal({"pipeline", "run", release("inv", R"(, "inventory": {"db": "pipeline-inventory.db"})")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("inventory: unchanged acme-cam 2.0.0 (1 components) in " + db + "\n"));

  auto bad = ws_->fwseal({"pipeline", "run", release("inv-bad", R"(, "inventory": {"db": "", "replace": false})")});
  EXPECT_EQ(bad.exit_code, 10);
  EXPECT_EQ(bad.err, "fwseal: release.inventory.db: must not be empty (leave it out for the default inventory)\n");
  EXPECT_FALSE(fs::exists(ws_->path("out/inv-bad")));
}

// "scan" in the release file: the published release is matched against the
// advisories it names; an open finding at or above fail_on fails the run
// (exit 16) after publishing, and a triage decision lets it pass.
TEST_F(PipelineRun, ScansThePublishedReleaseAndGates) {
  const std::string db = ws_->path("pipeline-scan.db");
  const std::string advisory =
      std::string(FWSEAL_SOURCE_DIR) + "/tests/data/advisories/cve5-CVE-2024-7264-curl-lessThanOrEqual.json";
  auto with_curl = [&](const std::string& name, const std::string& fail_on) {
    std::string file = release(name, R"(, "inventory": {"db": "pipeline-scan.db", "scan": {"advisories": [")" +
                                         advisory + R"("], "fail_on": ")" + fail_on + R"(", "max_age_days": 1}})");
    std::string text = read_bytes(file);
    const std::string libfoo = R"({"name": "libfoo", "version": "1.2.3", "license": "MIT", "image": "rootfs"})";
    text.replace(text.find(libfoo), libfoo.size(),
                 R"({"name": "curl", "version": "8.9.0", "license": "curl", "image": "rootfs",
                     "cpe": "cpe:2.3:a:haxx:curl:8.9.0:*:*:*:*:*:*:*"})");
    write_bytes(file, text);
    return file;
  };
  auto passed = ws_->fwseal({"pipeline", "run", with_curl("scan-high", "high")});
  ASSERT_EQ(passed.exit_code, 0) << passed.err;
  const std::string out = ws_->path("out/scan-high");
  EXPECT_THAT(passed.out, HasSubstr("vulnerabilities: acme-cam 2.0.0: 1 findings, 1 open (1 medium)\n"));
  EXPECT_THAT(passed.out, HasSubstr("vulnerabilities: " + out + "/vulnerabilities.json\n"));
  auto findings = nlohmann::json::parse(read_bytes(out + "/vulnerabilities.json"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0]["advisory"], "CVE-2024-7264");
  EXPECT_EQ(findings[0]["status"], "untriaged");

  // --fail-on on the command line overrides the release file's.
  auto stricter = ws_->fwseal({"pipeline", "run", with_curl("scan-high", "high"), "--fail-on", "medium", "--no-repro"});
  EXPECT_EQ(stricter.exit_code, 16) << stricter.err;
  EXPECT_THAT(stricter.err, HasSubstr("the vulnerability policy gate failed: 1 findings at or above medium"));
  auto gated = ws_->fwseal({"pipeline", "run", with_curl("scan-medium", "medium")});
  EXPECT_EQ(gated.exit_code, 16);
  const std::string gated_out = ws_->path("out/scan-medium");
  EXPECT_EQ(gated.err, "fwseal: published " + gated_out +
                           " and added it to the inventory, but the vulnerability policy gate failed: 1 findings at "
                           "or above medium (" + gated_out + "/vulnerabilities.json)\n");
  EXPECT_TRUE(fs::exists(gated_out + "/acme-cam-2.0.0.fwpkg"));

  ASSERT_EQ(ws_->fwseal({"inventory", "triage", "CVE-2024-7264", "--cpe", "cpe:2.3:a:haxx:curl:8.9.0:*:*:*:*:*:*:*",
                         "--status", "not_affected", "--justification", "vulnerable_code_not_in_execute_path", "--db",
                         db})
                .exit_code,
            0);
  auto triaged = ws_->fwseal({"pipeline", "run", with_curl("scan-medium", "medium")});
  EXPECT_EQ(triaged.exit_code, 0) << triaged.err;
  EXPECT_THAT(triaged.out, HasSubstr("vulnerabilities: acme-cam 2.0.0: 1 findings, 0 open\n"));

  auto no_scan = ws_->fwseal({"pipeline", "run", release("no-scan"), "--fail-on", "high"});
  EXPECT_EQ(no_scan.exit_code, 2);
  EXPECT_THAT(no_scan.err, HasSubstr("fwseal: --fail-on: the release file scans nothing; add \"inventory\": {\"scan\": {...}}\n"));
  EXPECT_FALSE(fs::exists(ws_->path("out/no-scan")));
  auto bad = ws_->fwseal({"pipeline", "run", with_curl("scan-bad", "severe")});
  EXPECT_EQ(bad.exit_code, 10);
  EXPECT_EQ(bad.err, "fwseal: release.inventory.scan.fail_on: must be critical, high, medium or low, not \"severe\"\n");
}

// "licence_policy": the SBOM is checked before anything is signed; a failing
// check fails the run with 16, publishes nothing, and the report says why.
TEST_F(PipelineRun, LicencePolicyGatesSigning) {
  write_bytes(ws_->path("licences.json"), R"({"allow": ["MIT", "GPL-2.0-only"], "signed_boot": true})");
  auto ok = ws_->fwseal({"pipeline", "run", release("lic-pass", R"(, "licence_policy": "licences.json")"), "--no-repro"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("  licence policy passed, verified"));
  auto passed = nlohmann::json::parse(read_bytes(ws_->path("out/lic-pass/report.json")));
  EXPECT_EQ(passed["verdict"], "pass");
  EXPECT_THAT(passed["message"].get<std::string>(), HasSubstr("passed its licence policy"));
  const auto& lic = passed["variants"][0]["licences"];
  EXPECT_EQ(lic["result"], "pass");
  EXPECT_EQ(lic["policy"], "licences.json");  // relative to the release file: no path of the build machine
  EXPECT_EQ(lic["signed_boot"], true);
  EXPECT_EQ(lic["summary"]["components"], 1);
  EXPECT_EQ(lic["summary"]["allowed"], 1);
  EXPECT_TRUE(lic["problems"].empty());
  EXPECT_THAT(read_bytes(ws_->path("out/lic-pass/report.html")), HasSubstr("<table id=\"licences-v0\">"));
  // Without a policy the report says so.
  ASSERT_EQ(ws_->fwseal({"pipeline", "run", release("lic-none"), "--no-repro", "--quiet"}).exit_code, 0);
  auto none = nlohmann::json::parse(read_bytes(ws_->path("out/lic-none/report.json")));
  EXPECT_TRUE(none["variants"][0]["licences"].is_null());

  write_bytes(ws_->path("no-mit.json"), R"({"allow": ["Apache-2.0"], "deny": ["MIT"]})");
  auto denied = ws_->fwseal({"pipeline", "run", release("lic-fail", R"(, "licence_policy": "no-mit.json")"), "--no-repro"});
  EXPECT_EQ(denied.exit_code, 16);
  EXPECT_THAT(denied.err, StartsWith("fwseal: licences: licence policy failed: 1 of 1 components (1 denied) (report: "));
  EXPECT_EQ(std::count(denied.err.begin(), denied.err.end(), '\n'), 1);
  const std::string out = ws_->path("out/lic-fail");
  EXPECT_FALSE(fs::exists(out + "/acme-cam-2.0.0.fwpkg"));
  EXPECT_FALSE(fs::exists(out + "/.fwseal/v/release/acme-cam-2.0.0.fwpkg"));  // never signed
  EXPECT_FALSE(fs::exists(out + "/report.json"));
  auto report = nlohmann::json::parse(read_bytes(out + "/.fwseal/report.json"));
  EXPECT_EQ(report["verdict"], "fail");
  const auto& v = report["variants"][0];
  EXPECT_EQ(v["failed_step"]["step"], "licences");
  EXPECT_EQ(v["failed_step"]["exit_code"], 16);
  EXPECT_EQ(v["licences"]["result"], "fail");
  ASSERT_EQ(v["licences"]["problems"].size(), 1u);
  EXPECT_EQ(v["licences"]["problems"][0]["component"], "libfoo@1.2.3");
  EXPECT_EQ(v["licences"]["problems"][0]["verdict"], "denied");
  EXPECT_EQ(v["licences"]["problems"][0]["reason"], "MIT is denied");
  EXPECT_TRUE(v["verification"].is_null());
  EXPECT_EQ(v["sbom"]["components"], 1);
  const std::string html = read_bytes(out + "/.fwseal/report.html");
  EXPECT_THAT(html, HasSubstr("<table id=\"licence-problems-v0\">"));
  EXPECT_THAT(html, HasSubstr("<td>libfoo@1.2.3</td><td>MIT</td>"));
  EXPECT_THAT(html, HasSubstr("MIT is denied"));
  // Allowing MIT makes the next run pass: the check runs again and signing follows.
  write_bytes(ws_->path("no-mit.json"), R"({"allow": ["Apache-2.0", "MIT"]})");
  auto again = ws_->fwseal({"pipeline", "run", release("lic-fail", R"(, "licence_policy": "no-mit.json")"), "--no-repro"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(fs::exists(out + "/acme-cam-2.0.0.fwpkg"));

  // A mistake in the policy fails the release file before any work.
  write_bytes(ws_->path("typo.json"), R"({"allow": ["MIT", "Apache2"]})");
  auto typo = ws_->fwseal({"pipeline", "run", release("lic-typo", R"(, "licence_policy": "typo.json")")});
  EXPECT_EQ(typo.exit_code, 10);
  EXPECT_EQ(typo.err, "fwseal: release.licence_policy: " + ws_->path("typo.json") +
                          ": policy.allow[1]: unknown SPDX licence id \"Apache2\" (a licence without an SPDX id is "
                          "written LicenseRef-NAME)\n");
  EXPECT_FALSE(fs::exists(ws_->path("out/lic-typo")));
}

// A sign step that has to run again while its package is up to date (here:
// a licence policy added to a release already built) packages again first
// rather than failing on the unsigned package its last run moved on.
TEST_F(PipelineRun, SigningAgainAfterTheSignStepsInputsChanged) {
  write_bytes(ws_->path("licences-again.json"), R"({"allow": ["MIT"]})");
  auto first = ws_->fwseal({"pipeline", "run", release("again"), "--no-repro"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto again = ws_->fwseal({"pipeline", "run", release("again", R"(, "licence_policy": "licences-again.json")"), "--no-repro"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("licence policy passed, verified"));
  auto v = ws_->verify({ws_->path("out/again/acme-cam-2.0.0.fwpkg"), "--trust", ws_->path("out/again/trust.json")});
  EXPECT_EQ(v.exit_code, 0) << v.err;
}

TEST_F(PipelineRun, ProvenanceKeyOfItsOwn) {
  std::string file = release("prov", R"(, "provenance": {"uri": ")" + ws_->key_uri("p256") + R"("},
  "reproducibility": {"check": false})");
  auto r = ws_->fwseal({"pipeline", "run", file, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(read_bytes(ws_->path("out/prov/report.json")));
  EXPECT_EQ(report["provenance"]["key_id"], report["signing_keys"][1]["key_id"]);
  auto p = ws_->verify({ws_->path("out/prov/acme-cam-2.0.0.fwpkg"), "--trust", ws_->path("out/prov/trust.json"),
                        "--provenance", ws_->path("out/prov/acme-cam-2.0.0.fwpkg.intoto.jsonl"), "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_EQ(nlohmann::json::parse(p.out)["provenance"]["key_id"], report["signing_keys"][1]["key_id"]);

  // A provenance key that is not in the token fails the run before any work.
  std::string missing = release("prov-missing", R"(, "provenance": {"uri": "pkcs11:token=)" + ws_->token() +
                                                    R"(;object=nope"})");
  auto m = ws_->fwseal({"pipeline", "run", missing});
  EXPECT_EQ(m.exit_code, 20) << m.err;
  EXPECT_THAT(m.err, HasSubstr("fwseal: release.provenance: "));
  EXPECT_FALSE(fs::exists(ws_->path("out/prov-missing/.fwseal")));
}

TEST_F(PipelineRun, SecondRunDoesNothing) {
  std::string file = release("again");
  ASSERT_EQ(ws_->fwseal({"pipeline", "run", file, "--quiet"}).exit_code, 0);
  const std::string pkg = ws_->path("out/again/acme-cam-2.0.0.fwpkg");
  auto before = fs::last_write_time(pkg);
  auto r = ws_->fwseal({"pipeline", "run", file, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["steps_run"], 0);
  EXPECT_EQ(j["up_to_date"], true);
  EXPECT_EQ(j["verdict"], "pass");
  EXPECT_EQ(fs::last_write_time(pkg), before);
}

TEST_F(PipelineRun, QuietPrintsNothingJsonPrintsASummary) {
  std::string file = release("quiet");
  auto q = ws_->fwseal({"pipeline", "run", file, "--quiet", "--no-repro"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "");
  EXPECT_EQ(q.err, "");
  auto j = ws_->fwseal({"pipeline", "run", file, "--json", "--no-repro"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  auto s = nlohmann::json::parse(j.out);
  EXPECT_EQ(s["exit_code"], 0);
  EXPECT_EQ(s["variants"][0]["reproducibility"], "skipped");
  EXPECT_EQ(s["variants"][0]["package"], ws_->path("out/quiet/acme-cam-2.0.0.fwpkg"));
  auto both = ws_->fwseal({"pipeline", "run", file, "--json", "--quiet"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, StartsWith("fwseal: --quiet and --json exclude each other\n"));
}

TEST_F(PipelineRun, ProgressBarOnlyOnATerminal) {
  std::string file = release("tty", "", R"("reproducibility": {"check": false})");
  // script(1) gives the command a pseudo-terminal.
  RunOptions o = ws_->env();
  auto t = run({"script", "-qec", "'" + bin("fwseal") + "' pipeline run '" + file + "'", "/dev/null"}, o);
  ASSERT_EQ(t.exit_code, 0) << t.out << t.err;
  // The running step, after the count of finished ones (package, sign, verify, provenance).
  EXPECT_THAT(t.out, HasSubstr("/4 done] "));
  EXPECT_THAT(t.out, HasSubstr("\r\033[K"));
  EXPECT_THAT(t.out, HasSubstr("released acme-cam-2.0.0"));
}

TEST_F(PipelineRun, UnknownMemberIsExit10NamingTheField) {
  auto r = ws_->fwseal({"pipeline", "run", release("unknown", R"(, "signing_keys": [])")});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_EQ(r.err, "fwseal: release.signing_keys: unknown member\n");
  EXPECT_FALSE(fs::exists(ws_->path("out/unknown")));
  std::string nested = release("nested", "", R"("trust": {"treshold": 2})");
  auto n = ws_->fwseal({"pipeline", "run", nested});
  EXPECT_EQ(n.exit_code, 10);
  EXPECT_EQ(n.err, "fwseal: release.trust.treshold: unknown member\n");
}

TEST_F(PipelineRun, MissingFileAndBadUsage) {
  auto r = ws_->fwseal({"pipeline", "run", ws_->path("nope.json")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, StartsWith("fwseal: "));
  EXPECT_THAT(r.err, HasSubstr("nope.json"));
  auto u = ws_->fwseal({"pipeline", "run"});
  EXPECT_EQ(u.exit_code, 2);
  EXPECT_THAT(u.err, StartsWith("fwseal: expected one release file\nusage: fwseal pipeline run"));
  auto j = ws_->fwseal({"pipeline", "run", ws_->path("x.json"), "-j", "0"});
  EXPECT_EQ(j.exit_code, 2);
}

TEST_F(PipelineRun, NoPinFailsBeforeAnyWork) {
  RunOptions o;
  o.unset = {"FWSEAL_PIN_FILE"};
  auto r = ws_->fwseal({"pipeline", "run", release("nopin")}, o);
  EXPECT_EQ(r.exit_code, 21);
  EXPECT_EQ(r.err,
            "fwseal: release.signing.keys[0]: signing runs in build jobs that cannot prompt for a PIN; set "
            "FWSEAL_PIN_FILE (or FWSEAL_PIN, or the key URI's pin-source)\n");
  EXPECT_FALSE(fs::exists(ws_->path("out/nopin")));
}

TEST_F(PipelineRun, MissingKeyIsAnHsmError) {
  std::string file = release("nokey");
  std::string text = read_bytes(file);
  text.replace(text.find("object=p256"), 11, "object=gone");
  write_bytes(file, text);
  auto r = ws_->fwseal({"pipeline", "run", file});
  EXPECT_EQ(r.exit_code, 20);
  EXPECT_THAT(r.err, StartsWith("fwseal: release.signing.keys[1]: "));
  EXPECT_FALSE(fs::exists(ws_->path("out/nokey")));
}

TEST_F(PipelineRun, VerifierRefusalFailsTheRunAndPublishesNothing) {
  // The policy demands a newer release than this one: fwseal-verify says 14.
  std::string file = release("rollback", "", R"("trust": {"threshold": 2, "min_security_version": 9})");
  auto r = ws_->fwseal({"pipeline", "run", file});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.err, StartsWith("fwseal: verify: fwseal-verify: "));
  EXPECT_THAT(r.err, HasSubstr("security version 4"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  const std::string out = ws_->path("out/rollback");
  EXPECT_FALSE(fs::exists(out + "/acme-cam-2.0.0.fwpkg"));
  EXPECT_FALSE(fs::exists(out + "/report.json"));
  auto report = nlohmann::json::parse(read_bytes(out + "/.fwseal/report.json"));
  EXPECT_EQ(report["verdict"], "fail");
  EXPECT_EQ(report["variants"][0]["verification"]["exit_code"], 14);
  EXPECT_EQ(report["variants"][0]["failed_step"]["step"], "verify");
}

TEST_F(PipelineRun, SbomErrorFailsThePackageStepAndLeavesNoSbom) {
  // The SBOM is made inside the package step: a declared component for an
  // image the release does not have is that step's failure, exit 10.
  std::string file = release("badcomp");
  std::string text = read_bytes(file);
  text.replace(text.find(R"("image": "rootfs")"), 17, R"("image": "kernel")");
  write_bytes(file, text);
  auto r = ws_->fwseal({"pipeline", "run", file});
  EXPECT_EQ(r.exit_code, 10) << r.err;
  EXPECT_THAT(r.err, StartsWith("fwseal: package: components/"));
  EXPECT_THAT(r.err, HasSubstr(".image: no image named \"kernel\" is being described"));
  const std::string out = ws_->path("out/badcomp");
  EXPECT_FALSE(fs::exists(out + "/acme-cam-2.0.0.fwpkg"));
  EXPECT_FALSE(fs::exists(out + "/.fwseal/v/release/sbom.cdx.json"));
  EXPECT_FALSE(fs::exists(out + "/.fwseal/v/release/unsigned.stamp"));
  auto report = nlohmann::json::parse(read_bytes(out + "/.fwseal/report.json"));
  EXPECT_EQ(report["variants"][0]["failed_step"]["step"], "package");
  EXPECT_EQ(report["variants"][0]["failed_step"]["exit_code"], 10);
  EXPECT_TRUE(report["variants"][0]["sbom"].is_null());
}

TEST_F(PipelineRun, ThresholdAboveTheKeysIsMalformedTrust) {
  auto r = ws_->fwseal({"pipeline", "run", release("threshold", "", R"("trust": {"threshold": 3})")});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_THAT(r.err, StartsWith("fwseal: T7: release.trust: trust.threshold: 3 signatures required"));
}

TEST_F(PipelineRun, CertificateChainsAndRootsReachTheReport) {
  // A root CA in the token, and a certificate for the P-256 release key under it.
  ws_->keygen("root", "ecdsa-p256");
  auto root = ws_->fwseal({"ca", "self-sign", "--ca-key", ws_->key_uri("root"), "--subject", "CN=Acme Root,O=Acme",
                           "--not-before", "2026-01-01", "--days", "3650", "-o", ws_->path("root.pem")});
  ASSERT_EQ(root.exit_code, 0) << root.err;
  auto leaf = ws_->fwseal({"ca", "issue", "--ca-key", ws_->key_uri("root"), "--ca-cert", ws_->path("root.pem"),
                           "--subject-key", ws_->key_uri("p256"), "--subject", "CN=release signer,O=Acme",
                           "--not-before", "2026-01-01", "--days", "3650", "-o", ws_->path("signer.pem")});
  ASSERT_EQ(leaf.exit_code, 0) << leaf.err;
  std::string file = release("chain");
  std::string text = read_bytes(file);
  auto swap = [&](const std::string& from, const std::string& to) {
    ASSERT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
  };
  const std::string ed = "{\"uri\": \"" + ws_->key_uri("ed") + "\"}, ";
  swap(ed, "");
  swap(ws_->key_uri("p256") + "\"}", ws_->key_uri("p256") + "\", \"certificate_chain\": \"signer.pem\"}");
  swap("\"trust\": {\"threshold\": 2, \"hardware\": [\"rev-b\"]}",
       "\"trust\": {\"pin_signing_keys\": false, \"roots\": [\"root.pem\"]}");
  write_bytes(file, text);

  auto r = ws_->fwseal({"pipeline", "run", file, "--no-repro"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(read_bytes(ws_->path("out/chain/report.json")));
  const auto& sig = report["variants"][0]["signatures"][0];
  EXPECT_EQ(sig["status"], "valid");
  EXPECT_EQ(sig["certificate_chain"], "pass");
  EXPECT_EQ(sig["certificates"][0]["subject"], "CN=release signer,O=Acme");
  EXPECT_EQ(report["trust"]["key_sets"][0]["roots"][0], "root");
  // Roots alone cannot check a DSSE signature: the report checks the
  // provenance with the run's key and says trust.json does not pin it.
  EXPECT_EQ(report["variants"][0]["provenance"]["verification"]["result"], "pass");
  EXPECT_EQ(report["variants"][0]["provenance"]["verification"]["in_trust_policy"], false);
  EXPECT_THAT(read_bytes(ws_->path("out/chain/report.html")), HasSubstr("CN=release signer,O=Acme"));
  auto v = ws_->verify({ws_->path("out/chain/acme-cam-2.0.0.fwpkg"), "--trust", ws_->path("out/chain/trust.json")});
  EXPECT_EQ(v.exit_code, 0) << v.err;
}

}  // namespace
}  // namespace fwseal::test
