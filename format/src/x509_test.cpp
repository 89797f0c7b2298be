#include "fwseal/base/time.h"
#include "fwseal/format/x509.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "fwseal/ca/issue.h"
#include "fwseal/testing/pki.h"

namespace fwseal {
namespace {

using testpki::kJan2026;
using testpki::kYear;

// OpenSSL's own verdict on a chain, with the flags the verifier uses.
int openssl_verify(const testpki::Cert& leaf, const std::vector<const testpki::Cert*>& untrusted,
                   const testpki::Cert& root, const std::vector<std::string>& crls = {}) {
  ossl::X509Store store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), root.x509.get());
  unsigned long flags = X509_V_FLAG_X509_STRICT;
  if (!crls.empty()) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  for (const auto& der : crls) X509_STORE_add_crl(store.get(), crl_from_der(der, "crl")->get());
  X509_STORE_set_flags(store.get(), flags);
  ossl::X509Stack chain(sk_X509_new_null());
  for (const auto* c : untrusted) sk_X509_push(chain.get(), X509_dup(c->x509.get()));
  ossl::X509StoreCtx ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf.x509.get(), chain.get());
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), kJan2026 + kYear + 60);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  return X509_STORE_CTX_get_error(ctx.get());
}

class IssueWith : public ::testing::TestWithParam<Algorithm> {};

TEST_P(IssueWith, RootIntermediateLeafVerifyUnderStrictRules) {
  auto root = testpki::make_root(GetParam(), "CN=Test Root,O=Acme");
  ASSERT_TRUE(root.ok()) << root.error().message;
  EXPECT_TRUE(self_signed(root->cert.x509.get()));
  EXPECT_EQ(X509_check_ca(root->cert.x509.get()), 1);
  EXPECT_EQ(name_text(X509_get_subject_name(root->cert.x509.get())), "CN=Test Root,O=Acme");
  auto inter = testpki::make_intermediate(*root, Algorithm::ecdsa_p256, "CN=Test Issuing CA", 0);
  ASSERT_TRUE(inter.ok()) << inter.error().message;
  auto key = testpki::generate_key(Algorithm::ed25519);
  auto leaf = testpki::make_leaf(*inter, key.get(), "CN=release A");
  ASSERT_TRUE(leaf.ok()) << leaf.error().message;
  EXPECT_EQ(openssl_verify(*leaf, {&inter->cert}, root->cert), X509_V_OK);
  EXPECT_EQ(*certificate_key_id(leaf->x509.get()), *key_id_of(key.get()));
  X509* l = leaf->x509.get();
  EXPECT_TRUE(X509_get_key_usage(l) & KU_DIGITAL_SIGNATURE);
  EXPECT_TRUE(X509_get_extended_key_usage(l) & XKU_CODE_SIGN);
  EXPECT_FALSE(X509_get_extension_flags(l) & EXFLAG_CA);

  // A CRL signed by the root's key revokes the intermediate.
  auto crl = testpki::make_crl(*root, {&inter->cert});
  ASSERT_TRUE(crl.ok()) << crl.error().message;
  auto inter_crl = testpki::make_crl(*inter, {});
  ASSERT_TRUE(inter_crl.ok()) << inter_crl.error().message;
  EXPECT_EQ(openssl_verify(*leaf, {&inter->cert}, root->cert, {*crl, *inter_crl}), X509_V_ERR_CERT_REVOKED);
  auto clean = testpki::make_crl(*root, {});
  EXPECT_EQ(openssl_verify(*leaf, {&inter->cert}, root->cert, {*clean, *inter_crl}), X509_V_OK);
}

// RSA-4096 takes the same PSS parameters as 3072; its key generation is slow.
INSTANTIATE_TEST_SUITE_P(Algorithms, IssueWith,
                         ::testing::Values(Algorithm::ecdsa_p256, Algorithm::ecdsa_p384, Algorithm::ed25519,
                                           Algorithm::rsa_pss_3072),
                         [](const auto& p) {
                           std::string n(algorithm_name(p.param));
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(Issue, RefusesInconsistentSpecs) {
  auto root = testpki::make_root(Algorithm::ecdsa_p256, "CN=Root");
  ASSERT_TRUE(root.ok());
  auto key = testpki::generate_key(Algorithm::ecdsa_p256);
  auto expect_usage = [](const Result<std::string>& r, const std::string& text) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::usage);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
  };
  auto s = testpki::spec("CN=x", key.get(), kJan2026, kJan2026);
  expect_usage(issue_certificate(s, root->issuer()), "expire before it becomes valid");
  s = testpki::spec("CN=x", key.get());
  s.path_length = 1;
  expect_usage(issue_certificate(s, root->issuer()), "path length applies to CA certificates only");
  s = testpki::spec("CN=x", key.get());
  s.extended_key_usages = {"code-signing"};
  expect_usage(issue_certificate(s, root->issuer()), "is not a dotted OID");
  s = testpki::spec("CNN=x", key.get());
  expect_usage(issue_certificate(s, root->issuer()), "unknown attribute type \"CNN\"");
  // The CA certificate must belong to the signing key.
  auto other_ca_key = testpki::ca_key(testpki::generate_key(Algorithm::ecdsa_p256));
  CertIssuer wrong{root->cert.x509.get(), other_ca_key.get()};
  expect_usage(issue_certificate(testpki::spec("CN=x", key.get()), wrong), "is not for this CA key");
  // fwseal certifies only keys of its algorithms.
  ossl::PKey p521(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-521"));
  expect_usage(issue_certificate(testpki::spec("CN=x", p521.get()), root->issuer()), "subject key: EC curve");
  // A leaf cannot issue.
  auto leaf = testpki::make_leaf(*root, key.get(), "CN=leaf");
  ASSERT_TRUE(leaf.ok());
  testpki::Ca fake{testpki::ca_key(std::move(key)), std::move(*leaf)};
  auto other = testpki::generate_key(Algorithm::ed25519);
  expect_usage(issue_certificate(testpki::spec("CN=y", other.get()), fake.issuer()), "is not a CA certificate");
}

// The root's key, misbehaving as a token can: refusing to sign (no PIN), or
// signing other bytes than it was given.
class MisbehavingKey final : public SigningKey {
 public:
  MisbehavingKey(const SigningKey& real, bool lies) : real_(real), lies_(lies) {}
  Algorithm algorithm() const override { return real_.algorithm(); }
  const KeyId& key_id() const override { return real_.key_id(); }
  const EVP_PKEY* public_key() const override { return real_.public_key(); }
  Result<std::string> sign(std::string_view) const override {
    if (lies_) return real_.sign("other bytes");
    return make_error(Code::login, "no PIN");
  }

 private:
  const SigningKey& real_;
  bool lies_;
};

TEST(Issue, SignerErrorsPassThrough) {
  auto root = testpki::make_root(Algorithm::ed25519, "CN=Root");
  ASSERT_TRUE(root.ok());
  MisbehavingKey refusing(*root->key, false);
  auto key = testpki::generate_key(Algorithm::ed25519);
  auto r = issue_certificate(testpki::spec("CN=x", key.get()), CertIssuer{root->cert.x509.get(), &refusing});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::login);
  // A signer that signs something else is caught before anything is returned.
  MisbehavingKey liar(*root->key, true);
  auto l = issue_certificate(testpki::spec("CN=x", key.get()), CertIssuer{root->cert.x509.get(), &liar});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().code, Code::internal);
}

TEST(Names, RoundTripAndEscapes) {
  auto n = parse_name("CN=release A,O=Acme\\, Inc.,C=DE", "--subject");
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(name_text(n->get()), "CN=release A,O=Acme\\, Inc.,C=DE");
  EXPECT_EQ(parse_name("CN=a+O=b", "--subject").error().code, Code::usage);
  EXPECT_EQ(parse_name("just text", "--subject").error().code, Code::usage);
  EXPECT_EQ(parse_name("C=Germany", "--subject").error().code, Code::usage);
}

TEST(Parse, CertificatePemIsStrict) {
  auto root = testpki::make_root(Algorithm::ecdsa_p256, "CN=Root");
  ASSERT_TRUE(root.ok());
  const std::string pem = root->cert.pem();
  auto one = certificates_from_pem("\n" + pem + "\n", "x", 4);
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_EQ(one->at(0), root->cert.der);
  EXPECT_EQ(certificates_from_pem(pem + pem, "x", 4)->size(), 2u);
  auto expect_bad = [](const Result<std::vector<std::string>>& r, const std::string& text) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Code::malformed);
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
  };
  expect_bad(certificates_from_pem("junk\n" + pem, "x", 4), "x: expected only -----BEGIN CERTIFICATE----- blocks");
  expect_bad(certificates_from_pem(pem + "junk", "x", 4), "expected only");
  expect_bad(certificates_from_pem(pem + pem, "x", 1), "more than 1 PEM blocks");
  expect_bad(certificates_from_pem("", "x", 1), "no -----BEGIN CERTIFICATE----- block");
  std::string truncated = pem.substr(0, pem.size() - 30);
  expect_bad(certificates_from_pem(truncated, "x", 1), "x:");
}

TEST(Parse, CertificateDerIsStrict) {
  auto root = testpki::make_root(Algorithm::ed25519, "CN=Root");
  ASSERT_TRUE(root.ok());
  const std::string& der = root->cert.der;
  EXPECT_TRUE(certificate_from_der(der, "c").ok());
  EXPECT_EQ(certificate_from_der(der + "x", "c").error().code, Code::malformed);
  EXPECT_EQ(certificate_from_der(der.substr(0, der.size() - 1), "c").error().code, Code::malformed);
  EXPECT_EQ(certificate_from_der("", "c").error().code, Code::malformed);
  EXPECT_EQ(certificate_from_der(std::string(kMaxCertificateDerBytes + 1, '0'), "c").error().code, Code::malformed);
  for (std::size_t i = 0; i < der.size(); i += 7) {  // no flipped byte makes it crash
    std::string flipped = der;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    (void)certificate_from_der(flipped, "c");
  }
}

TEST(Parse, CrlPemOrDer) {
  auto root = testpki::make_root(Algorithm::ecdsa_p256, "CN=Root");
  ASSERT_TRUE(root.ok());
  auto der = testpki::make_crl(*root, {});
  ASSERT_TRUE(der.ok()) << der.error().message;
  std::string pem = *crl_to_pem(crl_from_der(*der, "crl")->get());
  EXPECT_EQ(*crl_der_from_text(pem, "crl"), *der);
  EXPECT_EQ(*crl_der_from_text(*der, "crl"), *der);
  EXPECT_EQ(crl_der_from_text(pem + pem, "crl").error().code, Code::malformed);
  EXPECT_EQ(crl_der_from_text(root->cert.pem(), "crl").error().code, Code::malformed);
  EXPECT_EQ(crl_der_from_text(*der + "x", "crl").error().code, Code::malformed);
}

TEST(Crl, RevokesBySerialAndNeedsCrlSign) {
  auto root = testpki::make_root(Algorithm::ecdsa_p256, "CN=Root");
  ASSERT_TRUE(root.ok());
  auto key = testpki::generate_key(Algorithm::ed25519);
  auto a = testpki::make_leaf(*root, key.get(), "CN=A");
  auto b = testpki::make_leaf(*root, key.get(), "CN=B");
  ASSERT_TRUE(a.ok() && b.ok());
  auto der = testpki::make_crl(*root, {&*a});
  ASSERT_TRUE(der.ok()) << der.error().message;
  auto crl = crl_from_der(*der, "crl");
  X509_REVOKED* entry = nullptr;
  EXPECT_EQ(X509_CRL_get0_by_cert(crl->get(), &entry, a->x509.get()), 1);
  EXPECT_EQ(X509_CRL_get0_by_cert(crl->get(), &entry, b->x509.get()), 0);
  // A leaf's key cannot sign CRLs.
  testpki::Ca fake{testpki::ca_key(std::move(key)), std::move(*a)};
  auto bad = testpki::make_crl(fake, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::usage);
}

TEST(Times, TextAndSerials) {
  EXPECT_EQ(rfc3339_utc(kJan2026), "2026-01-01T00:00:00Z");
  ossl::Asn1Integer n(ASN1_INTEGER_new());
  ASN1_INTEGER_set(n.get(), 0x1a2b);
  EXPECT_EQ(serial_hex(n.get()), "1a2b");
}

}  // namespace
}  // namespace fwseal
