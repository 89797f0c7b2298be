// docs/FORMAT.md promises that stock `openssl` verifies a signature by hand.
// This test follows the document's commands for every algorithm, with keys
// generated inside a SoftHSM2 token and signatures made by C_Sign.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

struct Case {
  const char* alg;
  std::vector<std::string> openssl;  // {pub}, {sig}, {tbs} are replaced
};

std::vector<std::string> fill(std::vector<std::string> argv, const std::string& pub, const std::string& sig,
                              const std::string& tbs) {
  for (auto& a : argv) {
    if (a == "{pub}") a = pub;
    if (a == "{sig}") a = sig;
    if (a == "{tbs}") a = tbs;
  }
  return argv;
}

TEST(OpensslInterop, EveryAlgorithmVerifiesWithTheOpensslCommandLine) {
  const std::vector<Case> cases = {
      {"ecdsa-p256", {"openssl", "dgst", "-sha256", "-verify", "{pub}", "-signature", "{sig}", "{tbs}"}},
      {"ecdsa-p384", {"openssl", "dgst", "-sha384", "-verify", "{pub}", "-signature", "{sig}", "{tbs}"}},
      {"ed25519", {"openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "{pub}", "-rawin", "-in", "{tbs}", "-sigfile", "{sig}"}},
      {"rsa-pss-3072", {"openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                        "-sigopt", "rsa_mgf1_md:sha256", "-verify", "{pub}", "-signature", "{sig}", "{tbs}"}},
      {"rsa-pss-4096", {"openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                        "-sigopt", "rsa_mgf1_md:sha256", "-verify", "{pub}", "-signature", "{sig}", "{tbs}"}},
  };
  Workspace ws("interop");
  std::vector<std::string> keys;
  for (const auto& c : cases) {
    ws.keygen(c.alg, c.alg);
    keys.push_back(c.alg);
  }
  auto pkg = ws.signed_package(keys);
  // The bytes to check, exactly as docs/FORMAT.md builds them: the prefix, then manifest.json.
  auto manifest = run({"/bin/sh", "-c", "tar -xOf '" + pkg + "' manifest.json"});
  ASSERT_EQ(manifest.exit_code, 0) << manifest.err;
  write_bytes(ws.path("tbs.bin"), "fwseal/manifest-signature/v1\n" + manifest.out);

  auto inspect = ws.fwseal({"inspect", pkg, "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto sigs = nlohmann::json::parse(inspect.out)["signatures"];
  ASSERT_EQ(sigs.size(), cases.size());
  for (const auto& s : sigs) {
    std::string alg = s["algorithm"];
    std::string id = s["key_id"];
    SCOPED_TRACE(alg);
    std::string sig = ws.path(alg + ".sig");
    auto extract = run({"/bin/sh", "-c",
                        "tar -xOf '" + pkg + "' signatures.json | python3 -c 'import sys,json,base64; "
                            "sys.stdout.buffer.write(base64.b64decode([e for e in json.load(sys.stdin)[\"signatures\"] "
                            "if e[\"key_id\"] == \"" + id + "\"][0][\"signature\"]))' > '" + sig + "'"});
    ASSERT_EQ(extract.exit_code, 0) << extract.err;
    const Case* c = nullptr;
    for (const auto& k : cases)
      if (alg == k.alg) c = &k;
    ASSERT_NE(c, nullptr);
    auto ok = run(fill(c->openssl, ws.path(alg + ".pub.pem"), sig, ws.path("tbs.bin")));
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    // `openssl dgst` says "Verified OK", `openssl pkeyutl` "Signature Verified Successfully".
    std::string said = ok.out + ok.err;
    EXPECT_TRUE(said.find("Verified OK") != std::string::npos ||
                said.find("Signature Verified Successfully") != std::string::npos)
        << said;
    // And the same command refuses other bytes.
    write_bytes(ws.path("tbs-other.bin"), "fwseal/manifest-signature/v1\n" + manifest.out + " ");
    auto bad = run(fill(c->openssl, ws.path(alg + ".pub.pem"), sig, ws.path("tbs-other.bin")));
    EXPECT_NE(bad.exit_code, 0);
  }
}

}  // namespace
}  // namespace fwseal::test
