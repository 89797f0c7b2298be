// Issue 4 through the command line: fwseal package generates and embeds the
// SBOM the spec asks for, it is covered by the signature, and fwseal sbom
// hands it out only from a package that verifies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "fwseal/base/digest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

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
      "sbom":{"supplier":"Acme","components":["components.json"],"sha512":)" + flag + R"(},
      "images":[{"name":"rootfs","type":"rootfs","path":"b.bin"},{"name":"config","type":"config","path":"c.bin"}]})");
    const std::string pkg = ws.path("g.fwpkg"), out = ws.path("g.cdx.json");
    auto p = ws.fwseal({"package", "--spec", ws.path("gen-spec.json"), "-o", pkg, "--force", "--sbom-out", out, "--quiet"});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    std::vector<std::string> gen{"sbom", "generate", "--product", "acme-cam", "--version", "1.4.2", "--supplier", "Acme",
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

}  // namespace
}  // namespace fwseal::test
