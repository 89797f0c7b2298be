// Issue 4 through the command line: fwseal package generates and embeds the
// SBOM the spec asks for, it is covered by the signature, and fwseal sbom
// hands it out only from a package that verifies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fwseal/format/digest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

TEST(SbomCli, EmbeddedSbomIsSignedValidatedAndDiffed) {
  Workspace ws("sbom");
  ws.keygen("k", "ed25519");
  ws.write_spec();
  write_all(ws.path("sbom-spec.json"), R"({"product":"acme-cam","version":"1.4.2","security_version":3,
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
  auto schema = run({"python3", source_dir() + "/../shared/schemas/validate_cyclonedx.py", ws.path("bom.json")});
  EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
  auto bom = nlohmann::json::parse(read_all(ws.path("bom.json")));
  EXPECT_EQ(bom["metadata"]["component"]["name"], "acme-cam");
  EXPECT_EQ(ws.fwseal({"sbom", "validate", ws.path("bom.json")}).exit_code, 0);
  auto same = ws.fwseal({"sbom", "diff", pkg, ws.path("bom.json"), "--trust", trust, "--json"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_TRUE(nlohmann::json::parse(same.out)["added"].empty());

  // The SBOM's bytes are covered: changing one is a digest mismatch, and nothing is handed out.
  std::string bytes = read_all(pkg);
  auto at = bytes.find("\"bomFormat\"");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 2] = 'X';
  write_all(pkg, bytes);
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
    auto bom = nlohmann::json::parse(read_all(ws.path("bom.json")));
    const auto& hashes = bom["components"][0]["hashes"];
    ASSERT_EQ(hashes.size(), sha512 ? 2u : 1u);
    EXPECT_EQ(hashes[0]["alg"], "SHA-256");
    EXPECT_EQ(hashes[0]["content"], to_hex(sha256(read_all(ws.path("b.bin")))));
    if (sha512) {
      EXPECT_EQ(hashes[1]["alg"], "SHA-512");
    }
    auto schema = run({"python3", source_dir() + "/../shared/schemas/validate_cyclonedx.py", ws.path("bom.json")});
    EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
  }
}

}  // namespace
}  // namespace fwseal::test
