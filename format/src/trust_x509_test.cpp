// trust.json version 2: roots, CRLs, certificate settings and roles.
#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "fwseal/format/trust.h"
#include "fwseal/testing/pki.h"

namespace fwseal {
namespace {

using nlohmann::json;

struct Pki {
  testpki::Ca root1 = testpki::make_root(Algorithm::ecdsa_p256, "CN=Fleet Root 1").value();
  testpki::Ca root2 = testpki::make_root(Algorithm::ed25519, "CN=Fleet Root 2").value();
  testpki::Ca impostor = testpki::make_root(Algorithm::ecdsa_p256, "CN=Fleet Root 1").value();  // same name, other key
  ossl::PKey k1 = testpki::generate_key(Algorithm::ed25519);
  ossl::PKey k2 = testpki::generate_key(Algorithm::ecdsa_p256);
  testpki::Cert leaf = testpki::make_leaf(root1, k1.get(), "CN=release A").value();
  std::string crl1 = *testpki::make_crl(root1, {&leaf});
  std::string crl1_newer = *testpki::make_crl(root1, {&leaf}, testpki::kJan2026 + 2 * testpki::kYear);
  std::string impostor_crl = *testpki::make_crl(impostor, {});
};

const Pki& pki() {
  static const Pki p;
  return p;
}

std::string q(const std::string& s) { return json(s).dump(); }
std::string key_pem(const EVP_PKEY* k) { return q(*public_key_to_pem(k)); }
std::string crl_pem(const std::string& der) { return q(*crl_to_pem(crl_from_der(der, "crl")->get())); }

// A self-signed certificate made with OpenSSL directly, for roots that
// issue_certificate refuses to make.
std::string raw_self_signed(EVP_PKEY* key, bool ca) {
  ossl::X509Ptr x(X509_new());
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 7);
  X509_NAME* n = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Raw"), -1, -1, 0);
  X509_set_issuer_name(x.get(), n);
  ASN1_TIME_set(X509_getm_notBefore(x.get()), testpki::kJan2026);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), testpki::kJan2026 + testpki::kYear);
  X509_set_pubkey(x.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x.get(), x.get(), nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
  X509_add_ext(x.get(), ext, -1);
  X509_EXTENSION_free(ext);
  X509_sign(x.get(), key, EVP_sha256());
  return *certificate_to_pem(x.get());
}

std::string root_json(const testpki::Ca& ca, const std::string& name, bool require_crl = false) {
  return R"({"name":")" + name + R"(","certificate":)" + q(ca.cert.pem()) +
         (require_crl ? R"(,"require_crl":true)" : "") + "}";
}

const std::string kHead2 = R"("format":"fwseal-trust","format_version":2,)";

std::string v2(const std::string& members) { return "{" + kHead2 + members + "}"; }

TEST(TrustV2, RootsKeysAndCertificateSettings) {
  const std::string text = v2(R"(
    // a root and a pinned key in one set
    "keys":[{"name":"k1","public_key":)" +
                              key_pem(pki().k1.get()) + R"(}],
    "roots":[)" + root_json(pki().root1, "fleet-1", true) +
                              R"(],
    "threshold":2,
    "crls":[)" + crl_pem(pki().crl1) +
                              R"(],
    "validity":"none",
    "required_eku":"1.3.6.1.4.1.99999.1")");
  auto t = parse_trust(text, "trust.json");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->key_sets.size(), 1u);
  const KeySet& set = t->key_sets[0];
  EXPECT_EQ(set.role, "");
  ASSERT_EQ(set.roots.size(), 1u);
  EXPECT_EQ(set.roots[0].name, "fleet-1");
  EXPECT_TRUE(set.roots[0].require_crl);
  EXPECT_EQ(set.roots[0].certificate_der, pki().root1.cert.der);
  EXPECT_EQ(set.threshold, 2u);
  ASSERT_EQ(t->crls.size(), 1u);
  EXPECT_EQ(t->crls[0].der, pki().crl1);
  EXPECT_EQ(t->crls[0].source, "trust.crls[0]");
  EXPECT_EQ(t->validity, CertValidity::none);
  EXPECT_EQ(t->required_eku, "1.3.6.1.4.1.99999.1");
  EXPECT_EQ(t->format_version(), 2);

  auto text2 = serialize_trust(*t);
  ASSERT_TRUE(text2.ok()) << text2.error().message;
  auto again = parse_trust(*text2, "again");
  ASSERT_TRUE(again.ok()) << again.error().message << "\n" << *text2;
  EXPECT_EQ(*again, *t);
  EXPECT_EQ(*serialize_trust(*again), *text2);
  EXPECT_NE(text2->find("\"format_version\": 2"), std::string::npos);
}

TEST(TrustV2, RolesAreKeySets) {
  const std::string text =
      v2(R"("roles":[
      {"name":"release","roots":[)" +
         root_json(pki().root1, "r1") + R"(],"keys":[{"public_key":)" + key_pem(pki().k2.get()) + R"(}],"threshold":2},
      {"name":"security-officer","keys":[{"name":"so","public_key":)" +
         key_pem(pki().k1.get()) + R"(}]}],
    "hardware":["acme-cam-v2"])");
  auto t = parse_trust(text, "trust.json");
  ASSERT_TRUE(t.ok()) << t.error().message;
  ASSERT_EQ(t->key_sets.size(), 2u);
  EXPECT_EQ(t->key_sets[0].role, "release");
  EXPECT_EQ(t->key_sets[0].threshold, 2u);
  EXPECT_EQ(t->key_sets[1].role, "security-officer");
  EXPECT_EQ(t->key_sets[1].threshold, 1u);
  EXPECT_EQ(key_set_label(t->key_sets[1]), "role security-officer");
  auto text2 = serialize_trust(*t);
  ASSERT_TRUE(text2.ok()) << text2.error().message;
  EXPECT_NE(text2->find("\"roles\""), std::string::npos);
  EXPECT_EQ(*parse_trust(*text2, "again"), *t);
}

TEST(TrustV2, VersionOnePoliciesStayVersionOne) {
  TrustPolicy p;
  KeySet set;
  set.keys.push_back(*make_trusted_key(pki().k1.get(), "a"));
  p.key_sets.push_back(set);
  EXPECT_EQ(p.format_version(), 1);
  EXPECT_NE(serialize_trust(p)->find("\"format_version\": 1"), std::string::npos);
}

class TrustDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fwseal-trust-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "pki");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& data) { std::ofstream(dir_ / name, std::ios::binary) << data; }
  std::filesystem::path dir_;
};

TEST_F(TrustDir, FileNamesAreRelativeToTrustJson) {
  write("pki/root1.pem", pki().root1.cert.pem());
  write("pki/root1.crl", pki().crl1);  // DER
  write("trust.json", v2(R"("roots":[{"certificate":"pki/root1.pem"}],"crls":["pki/root1.crl"])"));
  auto t = load_trust((dir_ / "trust.json").string());
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->key_sets[0].roots[0].certificate_der, pki().root1.cert.der);
  EXPECT_EQ(t->crls[0].der, pki().crl1);
  EXPECT_EQ(t->crls[0].source, "trust.crls[0] (pki/root1.crl)");
  // Text not read from a file has no directory to resolve names in.
  auto text = parse_trust(v2(R"("roots":[{"certificate":"pki/root1.pem"}])"), "trust.json");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, Code::malformed);
  EXPECT_NE(text.error().message.find("trust.roots[0].certificate: \"pki/root1.pem\" is a file name"),
            std::string::npos)
      << text.error().message;
  // A named file that is missing is an I/O error naming it.
  write("missing.json", v2(R"("roots":[{"certificate":"pki/root1.pem"}],"crls":["pki/nope.crl"])"));
  auto missing = load_trust((dir_ / "missing.json").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::io);
  EXPECT_NE(missing.error().message.find("trust.crls[0]: "), std::string::npos) << missing.error().message;
  EXPECT_NE(missing.error().message.find("nope.crl"), std::string::npos) << missing.error().message;
}

// Issue 15, point 8: a file name in trust.json that is a FIFO or a device is
// refused at once; reading it would block (FIFO) or never end (/dev/zero).
TEST_F(TrustDir, FifoOrDeviceAsCertificateOrCrlIsRefusedWithoutBlocking) {
  write("pki/root1.pem", pki().root1.cert.pem());
  ASSERT_EQ(::mkfifo((dir_ / "pki/fifo").c_str(), 0600), 0);
  struct Case {
    std::string json, where, kind;
  };
  for (const Case& c : {Case{R"("roots":[{"certificate":"pki/fifo"}])", "trust.roots[0].certificate", "a FIFO"},
                        Case{R"("roots":[{"certificate":"pki/root1.pem"}],"crls":["pki/fifo"])", "trust.crls[0]", "a FIFO"},
                        Case{R"("roots":[{"certificate":"pki/root1.pem"}],"crls":["/dev/zero"])", "trust.crls[0]",
                             "a character device"},
                        Case{R"("roots":[{"certificate":"/dev/tty"}])", "trust.roots[0].certificate", ""}}) {
    write("trust.json", v2(c.json));
    auto t = load_trust((dir_ / "trust.json").string());
    ASSERT_FALSE(t.ok()) << c.json;
    EXPECT_EQ(t.error().code, Code::io) << c.json;
    EXPECT_NE(t.error().message.find(c.where + ": "), std::string::npos) << t.error().message;
    EXPECT_NE(t.error().message.find(c.kind), std::string::npos) << t.error().message;
  }
}

struct BadTrust {
  const char* name;
  const char* rule;  // of docs/FORMAT.md section 4, first in the message
  std::string text;
  std::string message;
};
void PrintTo(const BadTrust& b, std::ostream* os) { *os << b.name; }

class MalformedTrustV2 : public ::testing::TestWithParam<BadTrust> {};

TEST_P(MalformedTrustV2, IsRefusedWithItsRuleAndAPath) {
  auto t = parse_trust(GetParam().text, "trust.json");
  ASSERT_FALSE(t.ok()) << GetParam().name;
  EXPECT_EQ(t.error().code, Code::malformed);
  EXPECT_TRUE(t.error().message.starts_with(std::string(GetParam().rule) + ": trust.json: ")) << t.error().message;
  EXPECT_NE(t.error().message.find(GetParam().message), std::string::npos)
      << "message: " << t.error().message << "\nexpected: " << GetParam().message;
}

std::vector<BadTrust> bad_cases() {
  const Pki& p = pki();
  const std::string r1 = root_json(p.root1, "r1");
  const std::string r2 = root_json(p.root2, "r2");
  const std::string k1 = R"({"public_key":)" + key_pem(p.k1.get()) + "}";
  ossl::PKey p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  ossl::PKey p256(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  return {
      {"neither_keys_nor_roots", "T4", v2(R"("threshold":1)"), "trust.keys: missing"},
      {"roots_empty", "T1", v2(R"("roots":[])"), "trust.roots: empty list"},
      {"root_unknown_member", "T4", v2(R"("roots":[{"certificate":)" + q(p.root1.cert.pem()) + R"(,"x":1}])"),
       "trust.roots[0].x: unknown member"},
      {"root_not_pem", "T1",
       v2(R"("roots":[{"certificate":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}])"),
       "trust.roots[0].certificate: "},
      {"root_two_pems", "T1", v2(R"("roots":[{"certificate":)" + q(p.root1.cert.pem() + p.root2.cert.pem()) + "}]"),
       "trust.roots[0].certificate: more than 1 PEM blocks"},
      {"root_is_a_leaf", "T1", v2(R"("roots":[{"certificate":)" + q(p.leaf.pem()) + "}]"),
       "trust.roots[0].certificate: 'CN=release A' is not a self-signed root certificate (issuer 'CN=Fleet Root 1')"},
      {"root_not_ca", "T1", v2(R"("roots":[{"certificate":)" + q(raw_self_signed(p256.get(), false)) + "}]"),
       "trust.roots[0].certificate: 'CN=Raw' is not a CA certificate"},
      {"root_weak_key", "T1", v2(R"("roots":[{"certificate":)" + q(raw_self_signed(p521.get(), true)) + "}]"),
       "trust.roots[0].certificate: 'CN=Raw': EC curve secp521r1 is not supported"},
      {"require_crl_not_bool", "T4",
       v2(R"("roots":[{"certificate":)" + q(p.root1.cert.pem()) + R"(,"require_crl":1}])"),
       "trust.roots[0].require_crl: expected true or false"},
      {"root_twice", "T2", v2(R"("roots":[)" + r1 + "," + root_json(p.root1, "again") + "]"),
       "trust.roots[1].certificate: the same root (or root key) as trust.roots[0]"},
      {"root_name_twice", "T6", v2(R"("roots":[)" + r1 + "," + root_json(p.root2, "r1") + "]"),
       "trust.roots[1].name: \"r1\" names two roots"},
      {"crls_without_roots", "T3", v2(R"("keys":[)" + k1 + R"(],"crls":[)" + crl_pem(p.crl1) + "]"),
       "trust.crls: CRLs are only used with roots"},
      {"validity_without_roots", "T3", v2(R"("keys":[)" + k1 + R"(],"validity":"none")"),
       "trust.validity: certificate validity is only used with roots"},
      {"crl_not_a_crl", "T1", v2(R"("roots":[)" + r1 + R"(],"crls":[)" + q(p.root1.cert.pem()) + "]"),
       "trust.crls[0]: expected only -----BEGIN X509 CRL----- blocks"},
      {"crl_not_string", "T4", v2(R"("roots":[)" + r1 + R"(],"crls":[1])"), "trust.crls[0]: expected a string"},
      {"crl_twice", "T3", v2(R"("roots":[)" + r1 + R"(],"crls":[)" + crl_pem(p.crl1) + "," + crl_pem(p.crl1) + "]"),
       "trust.crls[1]: the same CRL as trust.crls[0]"},
      {"crl_same_issuer_twice", "T3",
       v2(R"("roots":[)" + r1 + R"(],"crls":[)" + crl_pem(p.crl1) + "," + crl_pem(p.crl1_newer) + "]"),
       "trust.crls[1]: a second CRL from 'CN=Fleet Root 1' (the first is trust.crls[0]): list only that CA's newest "
       "CRL"},
      {"crl_forged", "T3", v2(R"("roots":[)" + r1 + R"(],"crls":[)" + crl_pem(p.impostor_crl) + "]"),
       "trust.crls[0]: CRL issued by 'CN=Fleet Root 1' does not verify with that root's key"},
      {"validity_unknown", "T3", v2(R"("roots":[)" + r1 + R"(],"validity":"now")"),
       "trust.validity: expected \"build-time\" or \"none\""},
      {"eku_not_oid", "T3", v2(R"("roots":[)" + r1 + R"(],"required_eku":"codeSigning")"),
       "trust.required_eku: \"codeSigning\" is not a dotted OID"},
      {"eku_not_canonical", "T3", v2(R"("roots":[)" + r1 + R"(],"required_eku":"1.3.06.1")"), "is not a dotted OID"},
      {"roles_beside_keys", "T2", v2(R"("keys":[)" + k1 + R"(],"roles":[{"name":"a","keys":[)" + k1 + "]}]"),
       "trust.keys: not allowed beside roles"},
      {"roles_empty", "T2", v2(R"("roles":[])"), "trust.roles: at least one role is required"},
      {"role_without_name", "T4", v2(R"("roles":[{"keys":[)" + k1 + "]}]"), "trust.roles[0].name: missing"},
      {"role_bad_name", "T2", v2(R"("roles":[{"name":"Release","keys":[)" + k1 + "]}]"),
       "trust.roles[0].name: role name \"Release\" must be"},
      {"role_twice", "T2", v2(R"("roles":[{"name":"a","roots":[)" + r1 + R"(]},{"name":"a","roots":[)" + r2 + "]}]"),
       "trust.roles[1].name: \"a\" names two roles"},
      {"role_unknown_member", "T4", v2(R"("roles":[{"name":"a","keys":[)" + k1 + R"(],"crls":[]}])"),
       "trust.roles[0].crls: unknown member"},
      {"key_in_two_roles", "T2",
       v2(R"("roles":[{"name":"a","keys":[)" + k1 + R"(]},{"name":"b","keys":[)" + k1 + "]}]"),
       "trust.roles[1].keys[0].public_key: the same key as trust.roles[0].keys[0]: a key belongs to one role only"},
      {"root_in_two_roles", "T2",
       v2(R"("roles":[{"name":"a","roots":[)" + r1 + R"(]},{"name":"b","roots":[)" + r1 + "]}]"),
       "trust.roles[1].roots[0].certificate: the same root (or root key) as trust.roles[0].roots[0]: a root belongs "
       "to one role only"},
      {"role_threshold_too_high", "T7", v2(R"("roles":[{"name":"a","keys":[)" + k1 + R"(],"threshold":2}])"),
       "trust.roles[0].threshold: 2 signatures required but only 1 usable keys"},
      {"thresholds_above_package_limit", "T7",
       v2(R"("roles":[{"name":"a","roots":[)" + r1 + R"(],"threshold":20},{"name":"b","roots":[)" + r2 +
          R"(],"threshold":13}])"),
       "trust.roles[1].threshold: the thresholds add up to more than the 32 signatures a package can hold"},
  };
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedTrustV2, ::testing::ValuesIn(bad_cases()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace fwseal
