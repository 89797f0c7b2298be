// End-to-end: certificate chains through the binaries, with CA and signing
// keys in SoftHSM2 tokens. Each refusal is checked by its exit code and the
// one line a technician reads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

class Chains : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("signers");
    auto ca = ws_->fwseal({"hsm", "init", "--token", "ca"});
    ASSERT_EQ(ca.exit_code, 0) << ca.err;
    for (const char* object : {"root", "other", "issuing"}) {
      auto r = ws_->fwseal({"hsm", "keygen", "--key", ca_key(object), "--alg", "ecdsa-p256"});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ws_->keygen("k", "ed25519");
    ws_->keygen("k2", "ecdsa-p384");
    ASSERT_EQ(ca_run({"self-sign", "--ca-key", ca_key("root"), "--subject", "CN=Fleet Root", "--not-before",
                      "2024-01-01", "-o", ws_->path("root.pem")}),
              0);
    ASSERT_EQ(ca_run({"self-sign", "--ca-key", ca_key("other"), "--subject", "CN=Other CA", "--not-before",
                      "2024-01-01", "-o", ws_->path("other.pem")}),
              0);
    pkg_ = package("p.fwpkg");
    write_bytes(ws_->path("trust.json"), trust_text(R"("roots":[{"name":"fleet","certificate":"root.pem"}])"));
  }
  static void TearDownTestSuite() { delete ws_; }

  static std::string ca_key(const std::string& object) { return "pkcs11:token=ca;object=" + object; }
  static int ca_run(std::vector<std::string> args) {
    args.insert(args.begin(), "ca");
    auto r = ws_->fwseal(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code;
  }
  static std::string trust_text(const std::string& members) {
    return R"({"format":"fwseal-trust","format_version":2,)" + members + "}";
  }
  static std::string package(const std::string& name) {
    std::string pkg = ws_->path(name);
    auto p = ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", pkg});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return pkg;
  }
  // A copy of the unsigned package, signed by `key` with the chain in `cert`.
  static std::string signed_with(const std::string& name, const std::string& key, const std::string& cert) {
    std::string pkg = ws_->path(name);
    write_bytes(pkg, read_bytes(pkg_));
    auto s = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri(key), "--cert", ws_->path(cert)});
    EXPECT_EQ(s.exit_code, 0) << s.err;
    return pkg;
  }
  static std::string issue(const std::string& ca, const std::string& ca_cert, const std::string& key,
                           const std::string& subject, std::vector<std::string> extra = {}) {
    std::string out = subject.substr(3) + ".pem";
    for (char& c : out)
      if (c == ' ') c = '-';
    std::vector<std::string> args{"issue",     "--ca-key",         ca_key(ca),
                                  "--ca-cert", ws_->path(ca_cert), "--subject",
                                  subject,     "--pubkey",         ws_->path(key + ".pub.pem"),
                                  "-o",        ws_->path(out)};
    if (std::find(extra.begin(), extra.end(), "--not-before") == extra.end())
      extra.insert(extra.end(), {"--not-before", "2026-01-01"});
    args.insert(args.end(), extra.begin(), extra.end());
    ca_run(args);
    return out;
  }
  static std::string trust() { return ws_->path("trust.json"); }

  static Workspace* ws_;
  static std::string pkg_;
};
Workspace* Chains::ws_ = nullptr;
std::string Chains::pkg_;

TEST_F(Chains, ExpiredBeforeTheBuildIsRefusedWithDates) {
  const std::string cert =
      issue("root", "root.pem", "k", "CN=release old", {"--not-before", "2025-01-01", "--days", "200"});
  const std::string pkg = signed_with("expired.fwpkg", "k", cert);
  auto r = ws_->verify({pkg, "--trust", trust()});
  EXPECT_EQ(r.exit_code, 13);
  EXPECT_THAT(r.err, HasSubstr("certificate 'CN=release old' expired 2025-07-20T00:00:00Z, before this package was "
                               "built (2026-09-21T14:13:20Z): re-sign with a current certificate"));
  // "validity": "none" ignores certificate dates altogether.
  write_bytes(ws_->path("trust-none.json"), trust_text(R"("roots":[{"certificate":"root.pem"}],"validity":"none")"));
  auto none = ws_->verify({pkg, "--trust", ws_->path("trust-none.json")});
  EXPECT_EQ(none.exit_code, 0) << none.err;
}

TEST_F(Chains, UnknownIssuerIsNamed) {
  const std::string cert = issue("other", "other.pem", "k", "CN=release rogue");
  auto r = ws_->verify({signed_with("rogue.fwpkg", "k", cert), "--trust", trust()});
  EXPECT_EQ(r.exit_code, 13);
  EXPECT_THAT(r.err, HasSubstr("0 of 1 required signatures: key "));
  EXPECT_THAT(r.err, HasSubstr("('CN=release rogue'): chain does not lead to a trusted root: issuer 'CN=Other CA' of "
                               "certificate 'CN=release rogue' is not in trust.json"));
}

TEST_F(Chains, IntermediateTravelsInTheEnvelope) {
  ca_run({"issue", "--ca-key", ca_key("root"), "--ca-cert", ws_->path("root.pem"), "--subject-key", ca_key("issuing"),
          "--subject", "CN=Issuing CA 1", "--ca", "--path-length", "0", "--not-before", "2026-01-01", "-o",
          ws_->path("issuing.pem")});
  const std::string leaf = issue("issuing", "issuing.pem", "k2", "CN=release via issuing");
  write_bytes(ws_->path("chain.pem"), read_bytes(ws_->path(leaf)) + read_bytes(ws_->path("issuing.pem")));
  auto r = ws_->verify({signed_with("via.fwpkg", "k2", "chain.pem"), "--trust", trust(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& chain = j["signatures"][0]["chain"];
  EXPECT_EQ(chain["result"], "pass");
  ASSERT_EQ(chain["certificates"].size(), 3u);
  EXPECT_EQ(chain["certificates"][0]["subject"], "CN=release via issuing");
  EXPECT_EQ(chain["certificates"][1]["subject"], "CN=Issuing CA 1");
  EXPECT_EQ(chain["certificates"][2]["subject"], "CN=Fleet Root");
  EXPECT_EQ(j["signatures"][0]["counted_for"], "trust");
  // Without the intermediate the chain stops short.
  auto alone = ws_->verify({signed_with("alone.fwpkg", "k2", leaf), "--trust", trust()});
  EXPECT_EQ(alone.exit_code, 13);
  EXPECT_THAT(alone.err, HasSubstr("issuer 'CN=Issuing CA 1' of certificate 'CN=release via issuing' is not in "
                                   "trust.json (nor among the signature's certificates)"));
}

TEST_F(Chains, LeafRulesNameWhatToFix) {
  const std::string server = issue("root", "root.pem", "k", "CN=release tls", {"--eku", "1.3.6.1.5.5.7.3.1"});
  auto eku = ws_->verify({signed_with("tls.fwpkg", "k", server), "--trust", trust()});
  EXPECT_EQ(eku.exit_code, 13);
  EXPECT_THAT(eku.err, HasSubstr("certificate 'CN=release tls' lacks the extended key usage 1.3.6.1.5.5.7.3.3 (code "
                                 "signing) that trust.json requires: issue the signing certificate with that extended "
                                 "key usage"));
  // The certificate of another key: fwseal sign refuses to embed it, and
  // leaves the package as it was (the verifier's own refusal of such an
  // envelope is in verifier/src/chain_test.cpp).
  const std::string k2 = issue("root", "root.pem", "k2", "CN=release k2");
  const std::string pkg = ws_->path("mismatch.fwpkg");
  write_bytes(pkg, read_bytes(pkg_));
  auto mismatch = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k"), "--cert", ws_->path(k2)});
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_THAT(mismatch.err, HasSubstr("fwseal: the certificate chain starts with a certificate for key "));
  EXPECT_THAT(mismatch.err, HasSubstr("; put the signing key's own certificate first\n"));
  EXPECT_TRUE(read_bytes(pkg) == read_bytes(pkg_));
}

TEST_F(Chains, MalformedTrustMaterial) {
  const std::string leaf = issue("root", "root.pem", "k", "CN=release leaf");
  write_bytes(ws_->path("t-leaf.json"), trust_text(R"("roots":[{"certificate":")" + leaf + R"("}])"));
  auto not_root = ws_->verify({pkg_, "--trust", ws_->path("t-leaf.json")});
  EXPECT_EQ(not_root.exit_code, 10);
  EXPECT_THAT(not_root.err, HasSubstr("trust.roots[0].certificate: 'CN=release leaf' is not a self-signed root "
                                      "certificate (issuer 'CN=Fleet Root')"));
  write_bytes(ws_->path("t-nocrl.json"), trust_text(R"("roots":[{"certificate":"root.pem"}],"crls":["missing.crl"])"));
  auto missing = ws_->verify({pkg_, "--trust", ws_->path("t-nocrl.json")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("trust.crls[0]: "));
  EXPECT_THAT(missing.err, HasSubstr("missing.crl"));
  write_bytes(ws_->path("junk.crl"), "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
  write_bytes(ws_->path("t-junk.json"), trust_text(R"("roots":[{"certificate":"root.pem"}],"crls":["junk.crl"])"));
  auto junk = ws_->verify({pkg_, "--trust", ws_->path("t-junk.json")});
  EXPECT_EQ(junk.exit_code, 10);
  EXPECT_THAT(junk.err, HasSubstr("trust.crls[0]: "));
}

}  // namespace
}  // namespace fwseal::test
