// End-to-end: the key and root rotations of docs/TRUST.md, with real SoftHSM2
// tokens. A root CA whose key lives in a token issues release certificates and
// CRLs (`fwseal ca`); packages are signed with `fwseal sign --cert`; devices
// decide with `fwseal-verify` and a trust.json that names the root and CRL
// files beside it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

class Rotation : public ::testing::Test {
 protected:
  // Token "rel" holds the release keys, token "ca" the root CA keys.
  static void SetUpTestSuite() {
    ws_ = new Workspace("rel");
    auto ca = ws_->fwseal({"hsm", "init", "--token", "ca"});
    ASSERT_EQ(ca.exit_code, 0) << ca.err;
    for (const auto& [object, alg] : {std::pair{"root-1", "ecdsa-p384"}, std::pair{"root-2", "ed25519"}}) {
      auto r = ws_->fwseal({"hsm", "keygen", "--key", ca_key(object), "--alg", alg});
      ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ws_->keygen("rel-a", "ed25519");
    ws_->keygen("rel-b", "ecdsa-p256");
    ws_->keygen("rel-c", "ecdsa-p256");
    self_sign("root-1", "CN=Acme Fleet Root 1,O=Acme");
    self_sign("root-2", "CN=Acme Fleet Root 2,O=Acme");
  }
  static void TearDownTestSuite() { delete ws_; }

  static std::string ca_key(const std::string& object) { return "pkcs11:token=ca;object=" + object; }

  static void self_sign(const std::string& root, const std::string& subject) {
    auto r = ws_->fwseal({"ca", "self-sign", "--ca-key", ca_key(root), "--subject", subject, "--not-before",
                          "2026-01-01", "--days", "7300", "-o", ws_->path(root + ".pem")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("self-signed root '" + subject + "'"));
  }

  // A release certificate for a key in token "rel", issued by `root`.
  static void issue(const std::string& root, const std::string& key, const std::string& subject) {
    auto r = ws_->fwseal({"ca", "issue", "--ca-key", ca_key(root), "--ca-cert", ws_->path(root + ".pem"),
                          "--subject-key", ws_->key_uri(key), "--subject", subject, "--not-before", "2026-01-01",
                          "--days", "1095", "-o", ws_->path(key + ".cert.pem")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("issued signing certificate '" + subject + "'"));
  }

  // An unsigned package built on 2026-09-21 (the spec's created time).
  static std::string package(const std::string& name) {
    std::string pkg = ws_->path(name);
    auto p = ws_->fwseal({"package", "--spec", ws_->write_spec(), "-o", pkg});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    return pkg;
  }

  static void sign(const std::string& pkg, const std::string& key) {
    auto s = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri(key), "--cert", ws_->path(key + ".cert.pem")});
    EXPECT_EQ(s.exit_code, 0) << s.err;
  }

  // trust.json naming root and CRL files beside it, as a device keeps them.
  static std::string trust(const std::string& name, const std::vector<std::string>& roots,
                           const std::vector<std::string>& crls = {}, bool require_crl = false) {
    nlohmann::json j = {{"format", "fwseal-trust"}, {"format_version", 2}, {"hardware", {"rev-b"}}};
    j["roots"] = nlohmann::json::array();
    for (const auto& r : roots)
      j["roots"].push_back({{"name", r}, {"certificate", r + ".pem"}, {"require_crl", require_crl}});
    if (!crls.empty()) j["crls"] = crls;
    write_bytes(ws_->path(name), j.dump(2));
    return ws_->path(name);
  }

  static Workspace* ws_;
};
Workspace* Rotation::ws_ = nullptr;

TEST_F(Rotation, RevokedSigningCertificateIsReplaced) {
  issue("root-1", "rel-a", "CN=release A,O=Acme");
  const std::string a_pkg = package("a.fwpkg");
  sign(a_pkg, "rel-a");
  // Devices start with the root and its (empty) CRL, and require CRLs.
  auto first = ws_->fwseal({"ca", "crl", "--ca-key", ca_key("root-1"), "--ca-cert", ws_->path("root-1.pem"),
                            "--this-update", "2026-02-01", "-o", ws_->path("root-1-initial.crl")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("0 revoked certificates,"));
  const std::string before = trust("trust-before.json", {"root-1"}, {"root-1-initial.crl"}, true);
  auto ok = ws_->verify({a_pkg, "--trust", before, "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["signatures"][0]["status"], "valid");
  EXPECT_EQ(j["signatures"][0]["chain"]["result"], "pass");
  EXPECT_EQ(j["signatures"][0]["chain"]["root"], "root 'root-1' (CN=Acme Fleet Root 1,O=Acme)");
  EXPECT_EQ(j["signatures"][0]["chain"]["certificates"][0]["subject"], "CN=release A,O=Acme");

  // Key A is compromised: the root CA key in its token signs a CRL revoking
  // certificate A, and issues certificate B for a new release key.
  auto crl = ws_->fwseal({"ca", "crl", "--ca-key", ca_key("root-1"), "--ca-cert", ws_->path("root-1.pem"), "--revoke",
                          ws_->path("rel-a.cert.pem"), "--this-update", "2026-10-01", "-o", ws_->path("root-1.crl")});
  ASSERT_EQ(crl.exit_code, 0) << crl.err;
  EXPECT_THAT(crl.out, HasSubstr("CRL of 'CN=Acme Fleet Root 1,O=Acme'"));
  EXPECT_THAT(crl.out, HasSubstr("1 revoked certificate,"));
  issue("root-1", "rel-b", "CN=release B,O=Acme");
  const std::string b_pkg = package("b.fwpkg");
  sign(b_pkg, "rel-b");

  const std::string after = trust("trust-after.json", {"root-1"}, {"root-1.crl"}, true);
  auto refused = ws_->verify({a_pkg, "--trust", after, "--hw", "rev-b"});
  EXPECT_EQ(refused.exit_code, 13) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("('CN=release A,O=Acme'): certificate 'CN=release A,O=Acme' (serial "));
  EXPECT_THAT(refused.err,
              HasSubstr(") is revoked since 2026-10-01T00:00:00Z by the CRL of 'CN=Acme Fleet Root 1,O=Acme' "
                        "(trust.crls[0] (root-1.crl)): re-sign with a certificate that is not revoked"));
  auto json = ws_->verify({a_pkg, "--trust", after, "--json"});
  EXPECT_EQ(json.exit_code, 13);
  auto jr = nlohmann::json::parse(json.out);
  EXPECT_EQ(jr["signatures"][0]["status"], "revoked");
  EXPECT_EQ(jr["signatures"][0]["chain"]["result"], "fail");
  // Version 2 decides on the signatures right after the manifest.
  EXPECT_EQ(jr["checks"][6]["step"], "6");
  EXPECT_EQ(jr["checks"][6]["name"], "check_signatures");
  EXPECT_EQ(jr["checks"][6]["result"], "fail");
  EXPECT_EQ(jr["checks"][9]["name"], "read_contents");
  EXPECT_EQ(jr["checks"][9]["result"], "skip");
  EXPECT_EQ(jr["checks"][9]["detail"], "not reached: an earlier step failed");

  auto accepted = ws_->fwseal({"verify", b_pkg, "--trust", after});
  EXPECT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_THAT(accepted.out, HasSubstr("VALID: acme-cam 1.4.2"));

  // require_crl: a device whose trust.json lost the CRL refuses rather than
  // accept unchecked; without require_crl it accepts and says so.
  const std::string no_crl = trust("trust-no-crl.json", {"root-1"}, {}, true);
  auto closed = ws_->verify({b_pkg, "--trust", no_crl});
  EXPECT_EQ(closed.exit_code, 13);
  EXPECT_THAT(closed.err, HasSubstr("no CRL from 'CN=Acme Fleet Root 1,O=Acme' in trust.json to check certificate "
                                    "'CN=release B,O=Acme', and root 'root-1' (CN=Acme Fleet Root 1,O=Acme) requires "
                                    "one (require_crl): add that CA's current CRL to trust.json crls"));
  const std::string open_policy = trust("trust-open.json", {"root-1"});
  auto open = ws_->verify({b_pkg, "--trust", open_policy, "--json"});
  EXPECT_EQ(open.exit_code, 0) << open.err;
  EXPECT_THAT(nlohmann::json::parse(open.out)["signatures"][0]["chain"]["notes"][0].get<std::string>(),
              HasSubstr("was not checked for revocation"));
}

TEST_F(Rotation, FleetMovesFromRootOneToRootTwo) {
  issue("root-1", "rel-a", "CN=release A,O=Acme");
  issue("root-2", "rel-c", "CN=release C,O=Acme");
  const std::string v1 = trust("trust-v1.json", {"root-1"});            // in the field today
  const std::string v2 = trust("trust-v2.json", {"root-1", "root-2"});  // shipped in release N
  const std::string v3 = trust("trust-v3.json", {"root-2"});            // shipped in release N+1

  // Release N is signed under both roots: devices on trust-v1 accept it by
  // root 1, and install trust-v2 with it.
  const std::string n = package("release-n.fwpkg");
  sign(n, "rel-a");
  sign(n, "rel-c");
  auto n_on_v1 = ws_->verify({n, "--trust", v1, "--json"});
  ASSERT_EQ(n_on_v1.exit_code, 0) << n_on_v1.err;
  auto j = nlohmann::json::parse(n_on_v1.out);
  // Envelopes are listed in key-id order: find each by its status.
  ASSERT_EQ(j["signatures"].size(), 2u);
  const bool first_valid = j["signatures"][0]["status"] == "valid";
  const auto& valid = j["signatures"][first_valid ? 0 : 1];
  const auto& other = j["signatures"][first_valid ? 1 : 0];
  EXPECT_EQ(valid["status"], "valid");
  EXPECT_EQ(other["status"], "chain-not-trusted");
  EXPECT_THAT(other["detail"].get<std::string>(),
              HasSubstr("chain does not lead to a trusted root: issuer 'CN=Acme Fleet Root 2,O=Acme' of certificate "
                        "'CN=release C,O=Acme' is not in trust.json"));
  EXPECT_EQ(ws_->verify({n, "--trust", v2}).exit_code, 0);

  // Release N+1 is signed under root 2 only.
  const std::string n1 = package("release-n1.fwpkg");
  sign(n1, "rel-c");
  auto n1_on_v2 = ws_->verify({n1, "--trust", v2});
  EXPECT_EQ(n1_on_v2.exit_code, 0) << n1_on_v2.err;
  EXPECT_EQ(ws_->verify({n1, "--trust", v3}).exit_code, 0);
  // A device that skipped release N still trusts root 1 only: it must take N first.
  auto skipped = ws_->verify({n1, "--trust", v1});
  EXPECT_EQ(skipped.exit_code, 13);
  EXPECT_THAT(skipped.err, HasSubstr("0 of 1 required signatures: key "));
  EXPECT_THAT(skipped.err, HasSubstr("chain does not lead to a trusted root: issuer 'CN=Acme Fleet Root 2,O=Acme' of "
                                     "certificate 'CN=release C,O=Acme' is not in trust.json"));
  // Once trust-v3 is installed, packages signed under root 1 alone are refused.
  const std::string old = package("old.fwpkg");
  sign(old, "rel-a");
  auto old_on_v3 = ws_->verify({old, "--trust", v3});
  EXPECT_EQ(old_on_v3.exit_code, 13);
  EXPECT_THAT(old_on_v3.err, HasSubstr("issuer 'CN=Acme Fleet Root 1,O=Acme' of certificate 'CN=release A,O=Acme' is "
                                       "not in trust.json"));
}

TEST_F(Rotation, CaCommandRefusesMistakes) {
  auto wrong_ca = ws_->fwseal({"ca", "issue", "--ca-key", ca_key("root-2"), "--ca-cert", ws_->path("root-1.pem"),
                               "--pubkey", ws_->path("rel-a.pub.pem"), "--subject", "CN=x", "-o", ws_->path("x.pem")});
  EXPECT_EQ(wrong_ca.exit_code, 2);
  EXPECT_THAT(wrong_ca.err, HasSubstr("the CA certificate 'CN=Acme Fleet Root 1,O=Acme' is not for this CA key"));
  auto bad_name =
      ws_->fwseal({"ca", "issue", "--ca-key", ca_key("root-1"), "--ca-cert", ws_->path("root-1.pem"), "--pubkey",
                   ws_->path("rel-a.pub.pem"), "--subject", "release A", "-o", ws_->path("x.pem")});
  EXPECT_EQ(bad_name.exit_code, 2);
  EXPECT_THAT(bad_name.err, HasSubstr("--subject: \"release A\" is not TYPE=value"));
  auto both = ws_->fwseal({"ca", "issue", "--ca-key", ca_key("root-1"), "--ca-cert", ws_->path("root-1.pem"),
                           "--pubkey", ws_->path("rel-a.pub.pem"), "--subject-key", ws_->key_uri("rel-a"), "--subject",
                           "CN=x", "-o", ws_->path("x.pem")});
  EXPECT_EQ(both.exit_code, 2);
  auto pin = ws_->fwseal({"ca", "self-sign", "--ca-key", ca_key("root-1"), "--subject", "CN=x", "--pin", "1234", "-o",
                          ws_->path("x.pem")});
  EXPECT_EQ(pin.exit_code, 2);
  EXPECT_THAT(pin.err, HasSubstr("never taken on the command line"));
  // A certificate of another CA cannot be put on this CA's CRL.
  issue("root-2", "rel-c", "CN=release C,O=Acme");
  auto foreign = ws_->fwseal({"ca", "crl", "--ca-key", ca_key("root-1"), "--ca-cert", ws_->path("root-1.pem"),
                              "--revoke", ws_->path("rel-c.cert.pem"), "-o", ws_->path("x.crl")});
  EXPECT_EQ(foreign.exit_code, 2);
  EXPECT_THAT(foreign.err, HasSubstr("'CN=release C,O=Acme' was not issued by 'CN=Acme Fleet Root 1,O=Acme'"));
  // A wrong PIN is a login failure, and nothing is written.
  RunOptions bad_pin;
  bad_pin.env["FWSEAL_PIN"] = "0000-wrong";
  auto login = ws_->fwseal(
      {"ca", "self-sign", "--ca-key", ca_key("root-1"), "--subject", "CN=x", "-o", ws_->path("never.pem")}, bad_pin);
  EXPECT_EQ(login.exit_code, 21);
  EXPECT_FALSE(std::filesystem::exists(ws_->path("never.pem")));
}

}  // namespace
}  // namespace fwseal::test
