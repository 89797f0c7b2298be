// Issue 4 through the command line: fwseal package generates and embeds the
// SBOM the spec asks for, it is covered by the signature, and fwseal sbom
// hands it out only from a package that verifies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

#include "fwseal/base/digest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// `fwseal sbom validate`: the official schema of each supported version,
// built in; exit 10 (malformed) with the JSON path of the first error.
TEST(SbomCli, ValidateChecksTheOfficialSchemaOfEachVersion) {
  Workspace ws("sbom-validate");
  const std::string official = source_dir() + "/sbom-gen/testdata/cyclonedx/";
  for (const char* v : {"1.4", "1.5", "1.6"}) {
    std::string file = official + "valid-bom-" + v + ".json";
    auto ok = ws.fwseal({"sbom", "validate", file});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_EQ(ok.out, file + ": valid CycloneDX " + v + " SBOM\n");
  }
  write_bytes(ws.path("old.json"), R"({"bomFormat": "CycloneDX", "specVersion": "1.3", "version": 1})");
  auto old = ws.fwseal({"sbom", "validate", ws.path("old.json")});
  EXPECT_EQ(old.exit_code, 10);
  EXPECT_EQ(old.err, "fwseal: " + ws.path("old.json") +
                         ": sbom: $.specVersion: CycloneDX \"1.3\" is not supported; fwseal validates CycloneDX 1.4, "
                         "1.5 and 1.6\n");
  write_bytes(ws.path("extra.json"),
              R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": {"lifecycle": []}})");
  auto extra = ws.fwseal({"sbom", "validate", ws.path("extra.json")});
  EXPECT_EQ(extra.exit_code, 10);
  EXPECT_EQ(extra.err, "fwseal: " + ws.path("extra.json") +
                           ": sbom: $.metadata: CycloneDX 1.5 schema: Object contains a property that could not be "
                           "validated using 'properties' or 'additionalProperties' constraints: 'lifecycle'\n");
}

TEST(SbomCli, EmbeddedSbomIsSignedValidatedAndDiffed) {
  Workspace ws("sbom");
  ws.keygen("k", "ed25519");
  ws.write_spec();
  write_bytes(ws.path("sbom-spec.json"), R"({"product":"acme-cam","version":"1.4.2","security_version":3,
    "hardware":["rev-b"],"created":1790000000,"sbom":{"supplier":"Acme"},
    "images":[{"name":"rootfs","type":"rootfs","path":"b.bin"},{"name":"config","type":"config","path":"c.bin"}]})");
  std::string pkg = ws.path("s.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.path("sbom-spec.json"), "-o", pkg}).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"sign", pkg, "--key", ws.key_uri("k")}).exit_code, 0);
  std::string trust = ws.trust({"k"});

  auto no_trust = ws.fwseal({"sbom", "extract", pkg});
  EXPECT_EQ(no_trust.exit_code, 2);
  EXPECT_THAT(no_trust.err, HasSubstr("--trust"));
  auto ex = ws.fwseal({"sbom", "extract", pkg, "--trust", trust, "-o", ws.path("bom.json")});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  auto schema = run({"/usr/bin/python3", source_dir() + "/tests/tools/validate_cyclonedx.py", ws.path("bom.json")});
  EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
  auto bom = nlohmann::json::parse(read_bytes(ws.path("bom.json")));
  EXPECT_EQ(bom["metadata"]["component"]["name"], "acme-cam");
  EXPECT_EQ(ws.fwseal({"sbom", "validate", ws.path("bom.json")}).exit_code, 0);
  auto same = ws.fwseal({"sbom", "diff", pkg, ws.path("bom.json"), "--trust", trust, "--json"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_TRUE(nlohmann::json::parse(same.out)["added"].empty());
  // Different SBOMs: exit 1, as diff(1) does, with the differences on stdout.
  auto edited = bom;
  edited["components"].push_back({{"type", "library"}, {"name", "zlib"}, {"version", "1.3"}});
  write_bytes(ws.path("bom2.json"), edited.dump());
  auto differ = ws.fwseal({"sbom", "diff", ws.path("bom.json"), ws.path("bom2.json")});
  EXPECT_EQ(differ.exit_code, 1) << differ.err;
  EXPECT_THAT(differ.out, HasSubstr("+ zlib 1.3"));
  EXPECT_TRUE(differ.err.empty()) << differ.err;

  // The SBOM's bytes are covered: changing one is a digest mismatch, and nothing is handed out.
  std::string bytes = read_bytes(pkg);
  auto at = bytes.find("\"bomFormat\"");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 2] = 'X';
  write_bytes(pkg, bytes);
  auto bad = ws.fwseal({"sbom", "extract", pkg, "--trust", trust});
  EXPECT_EQ(bad.exit_code, 11);
  EXPECT_THAT(bad.err, HasSubstr("sbom"));
  EXPECT_TRUE(bad.out.empty());
}

// Image digests: SHA-256 (the manifest's) always, SHA-512 only when asked for.
TEST(SbomCli, GenerateSha512OnlyWhenAskedFor) {
  Workspace ws("sbom-sha512");
  ws.write_spec();
  for (bool sha512 : {false, true}) {
    std::vector<std::string> args{"sbom", "generate", "--product", "acme-cam", "--version", "1",
                                  "--image", "rootfs:rootfs=" + ws.path("b.bin"), "-o", ws.path("bom.json")};
    if (sha512) args.push_back("--sha512");
    auto r = ws.fwseal(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto bom = nlohmann::json::parse(read_bytes(ws.path("bom.json")));
    const auto& hashes = bom["components"][0]["hashes"];
    ASSERT_EQ(hashes.size(), sha512 ? 2u : 1u);
    EXPECT_EQ(hashes[0]["alg"], "SHA-256");
    EXPECT_EQ(hashes[0]["content"], to_hex(sha256(read_bytes(ws.path("b.bin")))));
    if (sha512) {
      EXPECT_EQ(hashes[1]["alg"], "SHA-512");
    }
    auto schema = run({"/usr/bin/python3", source_dir() + "/tests/tools/validate_cyclonedx.py", ws.path("bom.json")});
    EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
  }
}

// fwseal package makes the SBOM from its own read of the images (the copy's
// digests): the same bytes `fwseal sbom generate` writes for the same inputs,
// with or without SHA-512, and --sbom-out hands them out beside the package.
TEST(SbomCli, PackageEmbedsAndWritesTheSbomSbomGenerateMakes) {
  Workspace ws("sbom-package");
  ws.write_spec();
  write_bytes(ws.path("components.json"), R"({"components":[{"name":"fpga","version":"7","license":"MIT"}]})");
  for (bool sha512 : {false, true}) {
    const std::string flag = sha512 ? "true" : "false";
    write_bytes(ws.path("gen-spec.json"), R"({"product":"acme-cam","version":"1.4.2","security_version":3,
      "hardware":["rev-b"],"created":1790000000,
      "sbom":{"supplier":"Acme","components":["components.json"],"sha512":)" + flag + R"(,
              "manufacturer":{"name":"Acme GmbH","url":["https://acme.example"],"contact":{"email":"psirt@acme.example"}},
              "authors":[{"name":"Release team","email":"release@acme.example"}]},
      "images":[{"name":"rootfs","type":"rootfs","path":"b.bin"},{"name":"config","type":"config","path":"c.bin"}]})");
    const std::string pkg = ws.path("g.fwpkg"), out = ws.path("g.cdx.json");
    auto p = ws.fwseal({"package", "--spec", ws.path("gen-spec.json"), "-o", pkg, "--force", "--sbom-out", out, "--quiet"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    write_bytes(ws.path("parties.json"), R"({"manufacturer":{"name":"Acme GmbH","url":["https://acme.example"],
      "contact":{"email":"psirt@acme.example"}},"authors":[{"name":"Release team","email":"release@acme.example"}]})");
    std::vector<std::string> gen{"sbom", "generate", "--product", "acme-cam", "--version", "1.4.2", "--supplier", "Acme",
                                 "--parties", ws.path("parties.json"),
                                 "--image", "rootfs:rootfs=" + ws.path("b.bin"), "--image",
                                 "config:config=" + ws.path("c.bin"), "--components", "components.json", "-o",
                                 ws.path("alone.cdx.json")};
    if (sha512) gen.push_back("--sha512");
    RunOptions o;
    o.cwd = ws.path("");
    o.env["SOURCE_DATE_EPOCH"] = "1790000000";
    auto g = ws.fwseal(gen, o);
    ASSERT_EQ(g.exit_code, 0) << g.err;
    const std::string written = read_bytes(out);
    EXPECT_EQ(written, read_bytes(ws.path("alone.cdx.json"))) << "sha512 " << flag;
    EXPECT_NE(read_bytes(pkg).find(written), std::string::npos) << "the package embeds another SBOM";
    auto bom = nlohmann::json::parse(written);
    EXPECT_EQ(bom["metadata"]["manufacturer"]["name"], "Acme GmbH");
    EXPECT_EQ(bom["metadata"]["authors"][0]["email"], "release@acme.example");
    bool seen = false;
    for (const auto& c : bom["components"])
      if (c["name"] == "rootfs") {
        seen = true;
        EXPECT_EQ(c["hashes"][0]["content"], to_hex(sha256(read_bytes(ws.path("b.bin")))));
      }
    EXPECT_TRUE(seen);
  }
  // --sbom-out needs a spec that asks for a generated SBOM.
  auto bad = ws.fwseal({"package", "--spec", ws.path("spec.json"), "-o", ws.path("x.fwpkg"), "--sbom-out",
                        ws.path("x.cdx.json")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--sbom-out: the spec does not ask for a generated SBOM"));
  EXPECT_FALSE(std::filesystem::exists(ws.path("x.fwpkg")));
  EXPECT_FALSE(std::filesystem::exists(ws.path("x.cdx.json")));
}

// fwseal sbom check: the licence policy over an SBOM file or a verified
// package's SBOM; 0 passed, 16 failed, 10 for a malformed policy or SBOM, 2
// for usage.
TEST(SbomCli, CheckJudgesTheLicencesAgainstAPolicy) {
  Workspace ws("sbom-check");
  ws.keygen("k", "ed25519");
  ws.write_spec();
  write_bytes(ws.path("components.json"), R"({"components":[
    {"name":"busybox","version":"1.36.1","license":"GPL-2.0-only"},
    {"name":"openssl","version":"3.0.13","license":"Apache-2.0"},
    {"name":"gdbserver","version":"13.2","license":"GPL-3.0-or-later WITH GCC-exception-3.1 OR MIT"}]})");
  write_bytes(ws.path("check-spec.json"), R"({"product":"acme-cam","version":"1.4.2","security_version":3,
    "hardware":["rev-b"],"created":1790000000,"sbom":{"components":["components.json"]},
    "images":[{"name":"rootfs","type":"rootfs","path":"b.bin"}]})");
  const std::string pkg = ws.path("check.fwpkg"), bom = ws.path("check.cdx.json");
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.path("check-spec.json"), "-o", pkg, "--sbom-out", bom, "--quiet"}).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"sign", pkg, "--key", ws.key_uri("k")}).exit_code, 0);
  const std::string trust = ws.trust({"k"});

  // gdbserver's OR lets MIT be chosen: no conflict with signed boot, no source offer.
  write_bytes(ws.path("policy.json"), R"(// the product's licences
    {"allow": ["MIT", "Apache-2.0", "GPL-2.0-only", "GPL-3.0-or-later"], "deny": ["AGPL-3.0-only"], "signed_boot": true})");
  auto pass = ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), bom});
  EXPECT_EQ(pass.exit_code, 0) << pass.err;
  EXPECT_EQ(pass.out,
            "source offer required: busybox@1.36.1 (GPL-2.0-only)\n"
            "licence policy: pass: 3 components: 3 allowed, 0 denied, 0 not allowed, 0 unknown, 0 in conflict with "
            "signed boot; 1 need a source offer\n");
  EXPECT_EQ(pass.err, "");
  // The same from the package, verified first.
  auto from_pkg = ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), pkg, "--trust", trust, "--json"});
  EXPECT_EQ(from_pkg.exit_code, 0) << from_pkg.err;
  auto pj = nlohmann::json::parse(from_pkg.out);
  EXPECT_EQ(pj["verdict"], "pass");
  EXPECT_EQ(pj["source_offer"][0]["component"], "busybox@1.36.1");

  // Without MIT the OR is down to GPLv3 under signed boot: a conflict; an unlisted licence is not allowed.
  write_bytes(ws.path("strict.json"), R"({"allow": ["GPL-2.0-only", "GPL-3.0-or-later"], "signed_boot": true})");
  auto strict = ws.fwseal({"sbom", "check", "--policy", ws.path("strict.json"), bom});
  EXPECT_EQ(strict.exit_code, 16);
  EXPECT_EQ(strict.out,
            "conflict: gdbserver@13.2 (GPL-3.0-or-later WITH GCC-exception-3.1 OR MIT): GPL-3.0-or-later conflicts "
            "with signed_boot (installation information, GPLv3 section 6); MIT is neither allowed nor denied\n"
            "not allowed: openssl@3.0.13 (Apache-2.0): Apache-2.0 is neither allowed nor denied\n"
            "source offer required: busybox@1.36.1 (GPL-2.0-only)\n"
            "source offer required: gdbserver@13.2 (GPL-3.0-or-later)\n"
            "licence policy: fail: 3 components: 1 allowed, 0 denied, 1 not allowed, 0 unknown, 1 in conflict with "
            "signed boot; 2 need a source offer\n");
  EXPECT_EQ(strict.err, "fwseal: licence policy failed: 2 of 3 components (1 not allowed, 1 in conflict with signed boot)\n");
  auto strict_json = ws.fwseal({"sbom", "check", "--policy", ws.path("strict.json"), bom, "--json"});
  EXPECT_EQ(strict_json.exit_code, 16);
  auto sj = nlohmann::json::parse(strict_json.out);
  EXPECT_EQ(sj["verdict"], "fail");
  EXPECT_EQ(sj["summary"]["conflict"], 1);
  ASSERT_EQ(sj["problems"].size(), 2u);
  EXPECT_EQ(sj["problems"][0]["component"], "gdbserver@13.2");
  EXPECT_EQ(sj["problems"][0]["conflicts"], nlohmann::json::array({"GPL-3.0-or-later"}));
  EXPECT_EQ(sj["problems"][1]["verdict"], "not_allowed");

  // Denied, and unknown (no licence, a name that is no SPDX id): each its own line.
  auto edited = nlohmann::json::parse(read_bytes(bom));
  edited["components"].push_back({{"type", "library"}, {"name", "ghostscript"}, {"version", "10"},
                                  {"licenses", {{{"expression", "AGPL-3.0-only"}}}}});
  edited["components"].push_back({{"type", "library"}, {"name", "blob"}, {"version", "2"}});
  edited["components"].push_back({{"type", "library"}, {"name", "eula"}, {"version", "3"},
                                  {"licenses", {{{"license", {{"name", "Acme EULA"}}}}}}});
  write_bytes(ws.path("edited.cdx.json"), edited.dump());
  auto denied = ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), ws.path("edited.cdx.json")});
  EXPECT_EQ(denied.exit_code, 16);
  EXPECT_THAT(denied.out, StartsWith("denied: ghostscript@10 (AGPL-3.0-only): AGPL-3.0-only is denied\n"
                                    "unknown: blob@2 (no licence): the SBOM states no licence\n"
                                    "unknown: eula@3 (Acme EULA): \"Acme EULA\" is a licence name, not an SPDX id or "
                                    "expression\n"));
  EXPECT_EQ(denied.err, "fwseal: licence policy failed: 3 of 6 components (1 denied, 2 unknown)\n");

  // A policy naming an id SPDX does not know: one line, exit 10, nothing judged.
  write_bytes(ws.path("typo.json"), R"({"allow": ["MIT", "Apache-2"], "signed_boot": false})");
  auto typo = ws.fwseal({"sbom", "check", "--policy", ws.path("typo.json"), bom});
  EXPECT_EQ(typo.exit_code, 10);
  EXPECT_EQ(typo.err, "fwseal: " + ws.path("typo.json") +
                          ": policy.allow[1]: unknown SPDX licence id \"Apache-2\" (a licence without an SPDX id is "
                          "written LicenseRef-NAME)\n");
  EXPECT_EQ(typo.out, "");
  write_bytes(ws.path("member.json"), R"({"allow": ["MIT"], "signed-boot": true})");
  auto member = ws.fwseal({"sbom", "check", "--policy", ws.path("member.json"), bom});
  EXPECT_EQ(member.exit_code, 10);
  EXPECT_EQ(member.err, "fwseal: " + ws.path("member.json") + ": policy.signed-boot: unknown member\n");
  // The SBOM given as the policy, and a malformed SBOM.
  auto swapped = ws.fwseal({"sbom", "check", "--policy", bom, ws.path("policy.json")});
  EXPECT_EQ(swapped.exit_code, 10);
  EXPECT_EQ(swapped.err, "fwseal: \"" + bom + "\" is a CycloneDX SBOM, not a licence policy\n");
  write_bytes(ws.path("broken.cdx.json"), R"({"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": "x"}]})");
  auto broken = ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), ws.path("broken.cdx.json")});
  EXPECT_EQ(broken.exit_code, 10);
  EXPECT_THAT(broken.err, HasSubstr("broken.cdx.json: sbom: $.components[0].type"));

  // Usage: exit 2.
  auto no_policy = ws.fwseal({"sbom", "check", bom});
  EXPECT_EQ(no_policy.exit_code, 2);
  EXPECT_THAT(no_policy.err, StartsWith("fwseal: missing --policy\nusage: "));
  EXPECT_EQ(ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), bom, bom}).exit_code, 2);
  auto no_trust = ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), pkg});
  EXPECT_EQ(no_trust.exit_code, 2);
  EXPECT_THAT(no_trust.err, HasSubstr("--trust"));
  auto help = ws.fwseal({"sbom", "check", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("usage: fwseal sbom check SBOM|PKG --policy POLICY.json"));
  EXPECT_THAT(help.out, HasSubstr("the licence policy (required)"));

  // A package whose SBOM was changed is refused before any licence is judged.
  std::string bytes = read_bytes(pkg);
  auto at = bytes.find("\"GPL-2.0-only\"");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 14, "\"GPL-3.0-only\"");
  write_bytes(pkg, bytes);
  auto tampered = ws.fwseal({"sbom", "check", "--policy", ws.path("policy.json"), pkg, "--trust", trust});
  EXPECT_EQ(tampered.exit_code, 11);
  EXPECT_EQ(tampered.out, "");
}

// A real Yocto license.manifest's longest LICENSE line (linux-firmware,
// 1,397 bytes) is read; one field over 16 KiB costs its entry alone: exit 0,
// a warning naming the file, line and field on stderr and in the BOM.
TEST(SbomCli, OversizedManifestEntryIsAWarningNotARefusal) {
  Workspace ws("sbom-yocto-limits");
  ws.write_spec();
  std::string firmware = "GPL-2.0-only";
  for (int i = 0; firmware.size() < 1370; ++i) firmware += " & Firmware-vendor" + std::to_string(i);
  firmware += " & Firmware-" + std::string(1397 - firmware.size() - 12, 'x');  // 1,397 bytes in all
  write_bytes(ws.path("license.manifest"),
              "PACKAGE NAME: linux-firmware\nPACKAGE VERSION: 20240312\nRECIPE NAME: linux-firmware\nLICENSE: " +
                  firmware + "\n\nPACKAGE NAME: odd\nPACKAGE VERSION: " + std::string(16385, '1') +
                  "\nLICENSE: MIT\n\nPACKAGE NAME: zlib\nPACKAGE VERSION: 1.3.1\nLICENSE: Zlib\n");
  auto r = ws.fwseal({"sbom", "generate", "--product", "acme-cam", "--version", "1", "--image",
                      "rootfs:rootfs=" + ws.path("b.bin"), "--components", ws.path("license.manifest"), "-o",
                      ws.path("bom.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string warning = ws.path("license.manifest") +
                        ":7: PACKAGE VERSION: 16385 bytes, over the limit of 16384 bytes per field; the block of "
                        "line 6 is skipped";
  EXPECT_EQ(r.err, "fwseal: warning: " + warning + "\n");
  auto bom = nlohmann::json::parse(read_bytes(ws.path("bom.json")));
  std::set<std::string> names;
  for (const auto& c : bom["components"]) names.insert(c["name"].get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"linux-firmware", "rootfs", "zlib"}));
  EXPECT_EQ(bom["metadata"]["properties"],
            nlohmann::json::parse(R"([{"name":"fwseal:warning","value":)" + nlohmann::json(warning).dump() + "}]"));
  auto schema = run({"/usr/bin/python3", source_dir() + "/tests/tools/validate_cyclonedx.py", ws.path("bom.json")});
  EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
}

}  // namespace
}  // namespace fwseal::test
