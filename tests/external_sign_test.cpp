// External signing: the bytes from `fwseal sign --export-tbs` are signed by
// the openssl command line (standing in for an offline HSM or a signing
// service) and embedded with --import-signature, which checks them first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

struct External {
  const char* alg;
  std::vector<std::string> genkey;  // {key} replaced
  std::vector<std::string> sign;    // {key}, {tbs}, {sig} replaced
};

std::vector<std::string> fill(std::vector<std::string> v, const std::map<std::string, std::string>& with) {
  for (auto& a : v)
    if (auto it = with.find(a); it != with.end()) a = it->second;
  return v;
}

TEST(ExternalSigning, OpensslSignaturesAreImportedAndVerify) {
  const std::vector<External> cases = {
      {"ed25519", {"openssl", "genpkey", "-algorithm", "ed25519", "-out", "{key}"},
       {"openssl", "pkeyutl", "-sign", "-inkey", "{key}", "-rawin", "-in", "{tbs}", "-out", "{sig}"}},
      {"ecdsa-p256", {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "{key}"},
       {"openssl", "dgst", "-sha256", "-sign", "{key}", "-out", "{sig}", "{tbs}"}},
      {"rsa-pss-3072", {"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072", "-out", "{key}"},
       {"openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-sigopt",
        "rsa_mgf1_md:sha256", "-sign", "{key}", "-out", "{sig}", "{tbs}"}},
  };
  Workspace ws("external");
  std::string pkg = ws.path("ext.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.write_spec(), "-o", pkg}).exit_code, 0);
  auto tbs = ws.fwseal({"sign", pkg, "--export-tbs", ws.path("tbs.bin")});
  ASSERT_EQ(tbs.exit_code, 0) << tbs.err;
  EXPECT_EQ(read_bytes(ws.path("tbs.bin")).rfind("fwseal/manifest-signature/v1\n{", 0), 0u);

  std::vector<std::string> trust_args{"trust", "create", "-o", ws.path("trust.json"), "--threshold", "3"};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.alg);
    std::map<std::string, std::string> with = {{"{key}", ws.path(std::string(c.alg) + ".key")},
                                               {"{tbs}", ws.path("tbs.bin")},
                                               {"{sig}", ws.path(std::string(c.alg) + ".sig")}};
    ASSERT_EQ(run(fill(c.genkey, with)).exit_code, 0);
    std::string pub = ws.path(std::string(c.alg) + ".pub.pem");
    ASSERT_EQ(run({"openssl", "pkey", "-in", with["{key}"], "-pubout", "-out", pub}).exit_code, 0);
    auto s = run(fill(c.sign, with));
    ASSERT_EQ(s.exit_code, 0) << s.err;

    // A signature over other bytes is refused and nothing is written.
    std::string bad = read_bytes(with["{sig}"]);
    bad[bad.size() / 2] ^= 0x01;
    write_bytes(ws.path("bad.sig"), bad);
    auto size = std::filesystem::file_size(pkg);
    auto refused = ws.fwseal({"sign", pkg, "--import-signature", ws.path("bad.sig"), "--pubkey", pub});
    EXPECT_EQ(refused.exit_code, 12) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("imported signature refused"));
    EXPECT_EQ(std::filesystem::file_size(pkg), size);

    auto ok = ws.fwseal({"sign", pkg, "--import-signature", with["{sig}"], "--pubkey", pub});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_THAT(ok.out, HasSubstr(c.alg));
    trust_args.push_back("--pubkey");
    trust_args.push_back(pub);
  }
  ASSERT_EQ(ws.fwseal(trust_args).exit_code, 0);
  auto v = ws.verify({pkg, "--trust", ws.path("trust.json")});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, HasSubstr("3 of 3"));

  auto usage = ws.fwseal({"sign", pkg, "--import-signature", ws.path("bad.sig")});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_THAT(usage.err, HasSubstr("--pubkey"));
  auto both = ws.fwseal({"sign", pkg, "--export-tbs", ws.path("x"), "--key", ws.key_uri("k")});
  EXPECT_EQ(both.exit_code, 2);
}

// -o OUT: the imported signature goes into a new package; PKG stays unsigned.
TEST(ExternalSigning, ImportedSignatureIntoANewPackageWithOutput) {
  Workspace ws("external-o");
  const std::string pkg = ws.path("ext.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.write_spec(), "-o", pkg, "--quiet"}).exit_code, 0);
  const std::string unsigned_bytes = read_bytes(pkg);
  ASSERT_EQ(ws.fwseal({"sign", pkg, "--export-tbs", ws.path("tbs.bin"), "--quiet"}).exit_code, 0);
  const std::string key = ws.path("ed.key"), pub = ws.path("ed.pub.pem"), sig = ws.path("ed.sig");
  ASSERT_EQ(run({"openssl", "genpkey", "-algorithm", "ed25519", "-out", key}).exit_code, 0);
  ASSERT_EQ(run({"openssl", "pkey", "-in", key, "-pubout", "-out", pub}).exit_code, 0);
  ASSERT_EQ(run({"openssl", "pkeyutl", "-sign", "-inkey", key, "-rawin", "-in", ws.path("tbs.bin"), "-out", sig}).exit_code,
            0);
  const std::string out = ws.path("ext.signed.fwpkg");
  auto ok = ws.fwseal({"sign", pkg, "--import-signature", sig, "--pubkey", pub, "-o", out});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("signed " + out + " with ed25519 key "));
  EXPECT_EQ(read_bytes(pkg), unsigned_bytes);
  ASSERT_EQ(ws.fwseal({"trust", "create", "-o", ws.path("trust.json"), "--pubkey", pub}).exit_code, 0);
  EXPECT_EQ(ws.verify({out, "--trust", ws.path("trust.json"), "--quiet"}).exit_code, 0);

  // An existing OUT is refused before anything is copied; nothing else appears.
  auto again = ws.fwseal({"sign", pkg, "--import-signature", sig, "--pubkey", pub, "-o", out});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr(out + " already exists; fwseal sign -o does not replace a file"));
  auto tbs_o = ws.fwseal({"sign", pkg, "--export-tbs", ws.path("t2.bin"), "-o", ws.path("x.fwpkg")});
  EXPECT_EQ(tbs_o.exit_code, 2);
  EXPECT_THAT(tbs_o.err, HasSubstr("--export-tbs writes no package: no -o"));
  for (const auto& e : std::filesystem::directory_iterator(ws.dir().path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace fwseal::test
