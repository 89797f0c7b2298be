// Step 7a with certificates and roles: chains built by OpenSSL to trust.json
// roots, CRLs, validity at build time, leaf rules, key sets by role.
#include "chain.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <nlohmann/json.hpp>

#include "fwseal/format/layout.h"
#include "steps.h"
#include "test_package.h"
#include "fwseal/testing/pki.h"

namespace fwseal::verifier {
namespace {

using test::PackageBuilder;
using testpki::kJan2026;
using testpki::kYear;

constexpr std::int64_t kBuilt = kJan2026 + kYear / 2;  // 2026-07-02: when the test packages are "built"

::testing::AssertionResult Fails(const VerifyReport& r, Code code, std::string_view text) {
  if (r.status.ok()) return ::testing::AssertionFailure() << "verified, expected code " << exit_code(code);
  const Error& e = r.status.error();
  if (e.code != code)
    return ::testing::AssertionFailure() << "code " << exit_code(e.code) << " (" << e.message << "), expected "
                                         << exit_code(code);
  if (e.message.find(text) == std::string::npos)
    return ::testing::AssertionFailure() << "message \"" << e.message << "\" lacks \"" << text << "\"";
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Verifies(const VerifyReport& r) {
  if (!r.status.ok()) return ::testing::AssertionFailure() << r.status.error().message;
  return ::testing::AssertionSuccess();
}

// The PKI every test shares: key generation is the slow part.
struct Pki {
  testpki::Ca root = testpki::make_root(Algorithm::ecdsa_p256, "CN=Fleet Root 1").value();
  testpki::Ca other_root = testpki::make_root(Algorithm::ecdsa_p256, "CN=Other CA").value();
  testpki::Ca inter = testpki::make_intermediate(root, Algorithm::ecdsa_p384, "CN=Issuing CA", 0).value();
  ossl::PKey ka = testpki::generate_key(Algorithm::ed25519);
  ossl::PKey kb = testpki::generate_key(Algorithm::ecdsa_p256);
  ossl::PKey kso = testpki::generate_key(Algorithm::ed25519);
  testpki::Cert a = testpki::make_leaf(root, ka.get(), "CN=release A").value();
  testpki::Cert b = testpki::make_leaf(root, kb.get(), "CN=release B").value();
  testpki::Cert a_via_inter = testpki::make_leaf(inter, ka.get(), "CN=release A").value();
  testpki::Cert a_other = testpki::make_leaf(other_root, ka.get(), "CN=release A").value();
  testpki::Cert a_expired =
      testpki::make_leaf(root, ka.get(), "CN=release A", kJan2026, kJan2026 + 100 * 86400).value();
  testpki::Cert a_later = testpki::make_leaf(root, ka.get(), "CN=release A", kBuilt + 86400, kBuilt + kYear).value();
  std::string crl_revoking_a = *testpki::make_crl(root, {&a});
  std::string crl_clean = *testpki::make_crl(root, {});
  std::string inter_crl = *testpki::make_crl(inter, {});
};

const Pki& pki() {
  static const Pki p;
  return p;
}

KeyId id_of(const EVP_PKEY* k) { return *key_id_of(k); }
std::string short_id(const EVP_PKEY* k) { return steps::short_hex(id_of(k)); }

// A signature by `key` whose envelope carries `chain` (leaf first).
void sign_with_chain(PackageBuilder& b, const EVP_PKEY* key, std::vector<std::string> chain) {
  b.add_entry([key, chain](std::string_view mb) {
    SignatureEnvelope env;
    env.algorithm = *algorithm_of(key);
    env.key_id = id_of(key);
    env.signature = *testpki::sign_message(key, signed_bytes(mb));
    env.certificates = chain;
    return test::SignatureEntry{signature_entry_name(to_hex(env.key_id)), *serialize_envelope(env)};
  });
}

PackageBuilder built_at(std::int64_t created = kBuilt) {
  PackageBuilder b;
  b.manifest.created = created;
  return b;
}

TrustedRoot root_entry(const testpki::Ca& ca, std::string name, bool require_crl = false) {
  return TrustedRoot{std::move(name), ca.cert.der, require_crl};
}

TrustPolicy roots_policy(std::vector<TrustedRoot> roots, std::uint64_t threshold = 1) {
  TrustPolicy t;
  KeySet set;
  set.roots = std::move(roots);
  set.threshold = threshold;
  t.key_sets.push_back(std::move(set));
  return t;
}

TrustPolicy fleet() { return roots_policy({root_entry(pki().root, "fleet-1")}); }

VerifyReport verify(PackageBuilder& b, const TrustPolicy& t) {
  EXPECT_TRUE(check_trust(t).ok()) << check_trust(t).error().message;
  return test::verify_bytes(b.build(), t);
}

TEST(Chain, CertifiedKeyCountsForItsRootsKeySet) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  VerifyReport r = verify(b, fleet());
  ASSERT_TRUE(Verifies(r));
  ASSERT_EQ(r.signatures.size(), 1u);
  const SignatureReport& s = r.signatures[0];
  EXPECT_EQ(s.status, SignatureStatus::valid);
  EXPECT_EQ(s.role, "trust");
  ASSERT_TRUE(s.chain);
  EXPECT_EQ(s.chain->result, CheckResult::pass);
  EXPECT_EQ(s.chain->root, "root 'fleet-1' (CN=Fleet Root 1)");
  ASSERT_EQ(s.chain->certificates.size(), 2u);
  EXPECT_EQ(s.chain->certificates[0].subject, "CN=release A");
  EXPECT_EQ(s.chain->certificates[1].subject, "CN=Fleet Root 1");
  // No CRLs and none required: the report says revocation was not checked.
  ASSERT_FALSE(s.chain->notes.empty());
  EXPECT_NE(s.chain->notes[0].find("no CRL from 'CN=Fleet Root 1' in trust.json"), std::string::npos);

  auto j = nlohmann::json::parse(report_json(r));
  EXPECT_EQ(j["signatures"][0]["chain"]["result"], "pass");
  EXPECT_EQ(j["signatures"][0]["chain"]["certificates"][0]["subject"], "CN=release A");
  EXPECT_EQ(j["signatures"][0]["counted_for"], "trust");
}

TEST(Chain, IntermediatesComeFromTheEnvelope) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a_via_inter.der, pki().inter.cert.der});
  EXPECT_TRUE(Verifies(verify(b, fleet())));
  auto without = built_at();
  sign_with_chain(without, pki().ka.get(), {pki().a_via_inter.der});
  VerifyReport r = verify(without, fleet());
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "chain does not lead to a trusted root: issuer 'CN=Issuing CA' of certificate 'CN=release A' is "
                    "not in trust.json"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::chain_not_trusted);
}

TEST(Chain, UnknownRootIsNamed) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a_other.der});
  VerifyReport r = verify(b, fleet());
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "0 of 1 required signatures: key " + short_id(pki().ka.get()) +
                        " ('CN=release A'): chain does not lead to a trusted root: issuer 'CN=Other CA' of "
                        "certificate 'CN=release A' is not in trust.json"));
  // The whole chain, self-signed root included, still ends outside trust.json.
  auto with_root = built_at();
  sign_with_chain(with_root, pki().ka.get(), {pki().a_other.der, pki().other_root.cert.der});
  EXPECT_TRUE(Fails(verify(with_root, fleet()), Code::untrusted,
                    "it ends at the self-signed 'CN=Other CA', which is not in trust.json"));
}

TEST(Chain, ValidityIsCheckedAtBuildTime) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a_expired.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "certificate 'CN=release A' expired 2026-04-11T00:00:00Z, before this package was built "
                    "(2026-07-02T12:00:00Z): re-sign with a current certificate"));
  // A package built while the certificate was valid keeps verifying after it expired.
  auto early = built_at(kJan2026 + 50 * 86400);
  sign_with_chain(early, pki().ka.get(), {pki().a_expired.der});
  EXPECT_TRUE(Verifies(verify(early, fleet())));
  auto before = built_at();
  sign_with_chain(before, pki().ka.get(), {pki().a_later.der});
  EXPECT_TRUE(Fails(verify(before, fleet()), Code::untrusted,
                    "certificate 'CN=release A' is valid only from 2026-07-03T12:00:00Z, after this package was built "
                    "(2026-07-02T12:00:00Z)"));
  TrustPolicy none = fleet();
  none.validity = CertValidity::none;
  auto again = built_at();
  sign_with_chain(again, pki().ka.get(), {pki().a_expired.der});
  EXPECT_TRUE(Verifies(verify(again, none)));
}

TEST(Chain, RevokedCertificateIsRefusedByItsCrl) {
  TrustPolicy t = fleet();
  t.crls.push_back(TrustedCrl{"trust.crls[0]", pki().crl_revoking_a});
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  VerifyReport r = verify(b, t);
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "key " + short_id(pki().ka.get()) + " ('CN=release A'): certificate 'CN=release A' (serial " +
                        r.signatures[0].chain->certificates[0].serial +
                        ") is revoked since 2027-01-01T00:00:00Z by the CRL of 'CN=Fleet Root 1' (trust.crls[0]): "
                        "re-sign with a certificate that is not revoked"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::revoked);
  // Revocation is by certificate, whenever the package was built; B stays good.
  auto other = built_at();
  sign_with_chain(other, pki().kb.get(), {pki().b.der});
  EXPECT_TRUE(Verifies(verify(other, t)));
}

// A CRL made with OpenSSL directly: issued in `ca`'s name, listing `revoked`,
// signed with `key` (the CA's own unless given), with `extension` (an OpenSSL
// config text for `nid`) or an authority key identifier naming another key.
std::string raw_crl(const testpki::Ca& ca, const std::vector<const testpki::Cert*>& revoked, const EVP_PKEY* key,
                    int nid = NID_undef, const char* extension = nullptr, bool other_akid = false) {
  X509_CRL* crl = X509_CRL_new();
  X509_CRL_set_version(crl, X509_CRL_VERSION_2);
  X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca.cert.x509.get()));
  ASN1_TIME* t = ASN1_TIME_set(nullptr, kJan2026 + kYear);
  X509_CRL_set1_lastUpdate(crl, t);
  for (const testpki::Cert* c : revoked) {
    X509_REVOKED* r = X509_REVOKED_new();
    X509_REVOKED_set_serialNumber(r, const_cast<ASN1_INTEGER*>(X509_get0_serialNumber(c->x509.get())));  // NOLINT: copied
    X509_REVOKED_set_revocationDate(r, t);
    X509_CRL_add0_revoked(crl, r);
  }
  ASN1_TIME_free(t);
  if (extension) {
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, nullptr, nullptr, nullptr, crl, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, extension);
    EXPECT_NE(ext, nullptr) << extension;
    X509_CRL_add_ext(crl, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (other_akid) {
    AUTHORITY_KEYID* akid = AUTHORITY_KEYID_new();
    akid->keyid = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(akid->keyid, reinterpret_cast<const unsigned char*>("\x01\x02\x03\x04"), 4);
    X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, X509V3_ADD_DEFAULT);
    AUTHORITY_KEYID_free(akid);
  }
  X509_CRL_sort(crl);
  X509_CRL_sign(crl, const_cast<EVP_PKEY*>(key ? key : ca.key->private_key()), EVP_sha256());  // NOLINT
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  X509_CRL_free(crl);
  return out;
}

// Issue 15, point 2: a CRL OpenSSL leaves aside (here: its authority key
// identifier names another key, though the root signed it) still revokes.
TEST(Chain, CrlOpenSslWouldSkipStillRevokes) {
  TrustPolicy t = fleet();
  t.crls.push_back(TrustedCrl{"trust.crls[0]", raw_crl(pki().root, {&pki().a}, nullptr, NID_undef, nullptr, true)});
  ASSERT_TRUE(check_trust(t).ok()) << check_trust(t).error().message;
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  VerifyReport r = verify(b, t);
  EXPECT_TRUE(Fails(r, Code::untrusted, "is revoked"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::revoked);
  for (const auto& note : r.signatures[0].chain->notes) EXPECT_EQ(note.find("no CRL"), std::string::npos) << note;
}

// Issue 15, point 2: an intermediate's CRL in trust.json that its key did not
// sign cannot be applied, so the certificates it would cover are refused.
TEST(Chain, IntermediateCrlSignedWithAnotherKeyRefusesItsCertificates) {
  TrustPolicy t = fleet();
  // Made by `fwseal ca crl` with the wrong CA key: the right name, and an
  // authority key identifier naming the wrong key, so OpenSSL skips it.
  testpki::Ca impostor = testpki::make_root(Algorithm::ecdsa_p384, "CN=Issuing CA").value();
  t.crls.push_back(TrustedCrl{"trust.crls[0]", *testpki::make_crl(impostor, {&pki().a_via_inter})});
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a_via_inter.der, pki().inter.cert.der});
  EXPECT_TRUE(Fails(verify(b, t), Code::untrusted,
                    "trust.crls[0], the CRL of 'CN=Issuing CA', does not verify with the key of that CA's "
                    "certificate in this chain, so it cannot be applied and 'CN=release A' is refused"));
  // Signed by the intermediate, the same CRL is applied.
  t.crls[0].der = raw_crl(pki().inter, {&pki().a_via_inter}, nullptr);
  auto revoked = built_at();
  sign_with_chain(revoked, pki().ka.get(), {pki().a_via_inter.der, pki().inter.cert.der});
  EXPECT_TRUE(Fails(verify(revoked, t), Code::untrusted, "is revoked"));
}

// Issue 15, point 2: CRLs fwseal cannot apply to every certificate of their
// issuer are refused when trust.json is read, naming the CRL and why.
TEST(Chain, ScopedCrlsAreRefusedWithTrustJson) {
  struct Case {
    int nid;
    const char* ext;
    const char* why;
  };
  for (const Case& c : {Case{NID_issuing_distribution_point, "onlyuser:TRUE", "issuing distribution point"},
                        Case{NID_issuing_distribution_point, "fullname:URI:http://crl.example/a.crl",
                             "issuing distribution point"}}) {
    TrustPolicy t = fleet();
    t.crls.push_back(TrustedCrl{"trust.crls[0] (pki/root.crl)", raw_crl(pki().root, {&pki().a}, nullptr, c.nid, c.ext)});
    Status s = check_trust(t);
    ASSERT_FALSE(s.ok()) << c.ext;
    EXPECT_EQ(s.error().code, Code::malformed);
    EXPECT_NE(s.error().message.find("trust.crls[0] (pki/root.crl): CRL issued by 'CN=Fleet Root 1' cannot be applied"),
              std::string::npos)
        << s.error().message;
    EXPECT_NE(s.error().message.find(c.why), std::string::npos) << s.error().message;
  }
}

TEST(Chain, RequiredCrlFailsClosed) {
  TrustPolicy t = roots_policy({root_entry(pki().root, "fleet-1", true)});
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  EXPECT_TRUE(Fails(verify(b, t), Code::untrusted,
                    "no CRL from 'CN=Fleet Root 1' in trust.json to check certificate 'CN=release A', and root "
                    "'fleet-1' (CN=Fleet Root 1) requires one (require_crl): add that CA's current CRL to trust.json "
                    "crls"));
  t.crls.push_back(TrustedCrl{"trust.crls[0]", pki().crl_clean});
  auto ok = built_at();
  sign_with_chain(ok, pki().ka.get(), {pki().a.der});
  VerifyReport r = verify(ok, t);
  ASSERT_TRUE(Verifies(r));
  EXPECT_TRUE(r.signatures[0].chain->notes.empty());
  // Every CA under the root needs its CRL: the intermediate's is missing.
  auto via = built_at();
  sign_with_chain(via, pki().ka.get(), {pki().a_via_inter.der, pki().inter.cert.der});
  EXPECT_TRUE(Fails(verify(via, t), Code::untrusted, "no CRL from 'CN=Issuing CA' in trust.json"));
  t.crls.push_back(TrustedCrl{"trust.crls[1]", pki().inter_crl});
  auto via2 = built_at();
  sign_with_chain(via2, pki().ka.get(), {pki().a_via_inter.der, pki().inter.cert.der});
  EXPECT_TRUE(Verifies(verify(via2, t)));
}

TEST(Chain, LeafMustBeTheSigningKey) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().b.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "certificate 'CN=release B' is for key " + short_id(pki().kb.get()) + ", not the signing key " +
                        short_id(pki().ka.get())));
}

TEST(Chain, LeafNeedsTheRequiredEku) {
  CertificateSpec s = testpki::spec("CN=no eku", pki().ka.get());
  s.extended_key_usages.clear();
  testpki::Cert no_eku = testpki::cert_of(*issue_certificate(s, pki().root.issuer()));
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {no_eku.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "certificate 'CN=no eku' has no extended key usage; trust.json requires 1.3.6.1.5.5.7.3.3 (code "
                    "signing)"));
  TrustPolicy custom = fleet();
  custom.required_eku = "1.3.6.1.4.1.99999.7";
  auto c = built_at();
  sign_with_chain(c, pki().ka.get(), {pki().a.der});
  EXPECT_TRUE(Fails(verify(c, custom), Code::untrusted,
                    "certificate 'CN=release A' lacks the extended key usage 1.3.6.1.4.1.99999.7 that trust.json "
                    "requires"));
  s.subject = "CN=custom";
  s.extended_key_usages = {"1.3.6.1.4.1.99999.7"};
  testpki::Cert custom_cert = testpki::cert_of(*issue_certificate(s, pki().root.issuer()));
  auto d = built_at();
  sign_with_chain(d, pki().ka.get(), {custom_cert.der});
  EXPECT_TRUE(Verifies(verify(d, custom)));
}

TEST(Chain, CaCertificateCannotSignPackages) {
  auto b = built_at();
  sign_with_chain(b, pki().inter.key->private_key(), {pki().inter.cert.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "key " + short_id(pki().inter.key->public_key()) +
                        " ('CN=Issuing CA'): certificate 'CN=Issuing CA' is a CA certificate: packages are signed "
                        "with end-entity certificates"));
}

TEST(Chain, PathLengthIsEnforced) {
  // inter has pathlen 0: it may not issue another CA.
  auto sub = testpki::make_intermediate(pki().inter, Algorithm::ecdsa_p256, "CN=Sub CA");
  ASSERT_TRUE(sub.ok()) << sub.error().message;
  auto leaf = testpki::make_leaf(*sub, pki().ka.get(), "CN=release A");
  ASSERT_TRUE(leaf.ok());
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {leaf->der, sub->cert.der, pki().inter.cert.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "the chain has more intermediate CAs below certificate 'CN=Issuing CA' than its path length "
                    "constraint allows"));
}

// Certificates fwseal ca refuses to make, made with OpenSSL directly.
// `issuer_key` signs, with OpenSSL: any key, even one fwseal does not sign with.
testpki::Cert raw_cert(const testpki::Cert& issuer, const EVP_PKEY* issuer_key, EVP_PKEY* key, const char* cn,
                       bool ca, const char* critical_oid = nullptr) {
  ossl::X509Ptr x(X509_new());
  X509_set_version(x.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 99);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x.get(), X509_get_subject_name(issuer.x509.get()));
  ASN1_TIME_set(X509_getm_notBefore(x.get()), kJan2026);
  ASN1_TIME_set(X509_getm_notAfter(x.get()), kJan2026 + kYear);
  X509_set_pubkey(x.get(), key);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer.x509.get(), x.get(), nullptr, nullptr, 0);
  const char* exts[][2] = {{"basicConstraints", ca ? "critical,CA:TRUE" : "critical,CA:FALSE"},
                           {"keyUsage", ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature"},
                           {"extendedKeyUsage", "codeSigning"},
                           {"subjectKeyIdentifier", "hash"},
                           {"authorityKeyIdentifier", "keyid:always"}};
  for (const auto& e : exts) {
    if (ca && std::string_view(e[0]) == "extendedKeyUsage") continue;
    X509_EXTENSION* ext = X509V3_EXT_conf(nullptr, &ctx, e[0], e[1]);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (critical_oid) {
    std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>> obj(OBJ_txt2obj(critical_oid, 1));
    std::unique_ptr<ASN1_OCTET_STRING, ossl::Deleter<ASN1_OCTET_STRING_free>> value(ASN1_OCTET_STRING_new());
    ASN1_OCTET_STRING_set(value.get(), reinterpret_cast<const unsigned char*>("\x05\x00"), 2);
    X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 1, value.get());
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  EXPECT_GT(X509_sign(x.get(), const_cast<EVP_PKEY*>(issuer_key), EVP_sha256()), 0);  // NOLINT
  return testpki::cert_of(*certificate_to_der(x.get()));
}

TEST(Chain, UnknownCriticalExtensionIsRefused) {
  testpki::Cert leaf = raw_cert(pki().root.cert, pki().root.key->private_key(), pki().ka.get(), "release X", false,
                                "1.3.6.1.4.1.99999.42");
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {leaf.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "certificate 'CN=release X' has a critical extension that fwseal does not recognise"));
}

TEST(Chain, NonCaIntermediateIsRefused) {
  // release B's key pretends to be a CA: its certificate says CA:FALSE.
  testpki::Cert leaf = raw_cert(testpki::cert_of(pki().b.der), pki().kb.get(), pki().ka.get(), "release Y", false);
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {leaf.der, pki().b.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted,
                    "certificate 'CN=release B' issues certificates but is not a CA certificate"));
}

TEST(Chain, WeakKeyAnywhereInTheChainIsRefused) {
  ossl::PKey rsa2048(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{2048}));
  testpki::Cert weak_ca = raw_cert(pki().root.cert, pki().root.key->private_key(), rsa2048.get(), "Weak CA", true);
  testpki::Cert leaf = raw_cert(weak_ca, rsa2048.get(), pki().ka.get(), "release W", false);
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {leaf.der, weak_ca.der});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::untrusted, "certificate 'CN=Weak CA' has a key below 128-bit security"));
}

TEST(Chain, MalformedCertificateBytesAreMalformed) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der, "not a certificate"});
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::malformed, ".certificates[1]: not a DER X.509 certificate"));
}

TEST(Chain, PinnedKeysDoNotNeedTheirChain) {
  TrustPolicy pinned = test::trust_for({});
  pinned.key_sets[0].keys.push_back(*make_trusted_key(pki().ka.get(), "a"));
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a_other.der});
  VerifyReport r = verify(b, pinned);
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.signatures[0].chain->result, CheckResult::skip);
  // With roots, a chain that fails is reported but the pin still counts.
  pinned.key_sets[0].roots.push_back(root_entry(pki().root, "fleet-1"));
  auto c = built_at();
  sign_with_chain(c, pki().ka.get(), {pki().a_other.der});
  VerifyReport rc = verify(c, pinned);
  ASSERT_TRUE(Verifies(rc));
  EXPECT_EQ(rc.signatures[0].chain->result, CheckResult::fail);
  EXPECT_EQ(rc.signatures[0].status, SignatureStatus::valid);
}

TEST(Chain, RevokedKeyIdWinsOverAGoodCertificate) {
  TrustPolicy t = fleet();
  t.revoked_key_ids.push_back(id_of(pki().ka.get()));
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  EXPECT_TRUE(
      Fails(verify(b, t), Code::untrusted,
            "key " + short_id(pki().ka.get()) + " ('CN=release A') is revoked by trust.json (revoked_key_ids)"));
}

TEST(Chain, CertifiedKeyWithABadSignatureIsASignatureFailure) {
  auto b = built_at();
  const EVP_PKEY* key = pki().ka.get();
  std::string der = pki().a.der;
  b.add_entry([key, der](std::string_view) {
    SignatureEnvelope env;
    env.algorithm = Algorithm::ed25519;
    env.key_id = id_of(key);
    env.signature = *testpki::sign_message(key, "something else");
    env.certificates = {der};
    return test::SignatureEntry{signature_entry_name(to_hex(env.key_id)), *serialize_envelope(env)};
  });
  EXPECT_TRUE(Fails(verify(b, fleet()), Code::signature, "does not verify: the manifest or signature was changed"));
}

TEST(Chain, DisallowedAlgorithmForCertifiedKey) {
  TrustPolicy t = fleet();
  t.algorithms = {Algorithm::ecdsa_p256};
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  EXPECT_TRUE(Fails(verify(b, t), Code::untrusted, "signs with ed25519, which trust.json does not allow"));
}

TEST(Chain, OneKeyTwoEncodingsCountsOnce) {
  ossl::PKey compressed(EVP_PKEY_dup(pki().kb.get()));
  ASSERT_EQ(EVP_PKEY_set_utf8_string_param(compressed.get(), "point-format", "compressed"), 1);
  // One key, one id, whatever its encoding (FORMAT.md section 3): a second
  // envelope for the "other" encoding names the same key id, which R16 refuses.
  ASSERT_EQ(id_of(compressed.get()), id_of(pki().kb.get()));
  auto cert = testpki::make_leaf(pki().root, compressed.get(), "CN=release B again");
  ASSERT_TRUE(cert.ok()) << cert.error().message;
  auto b = built_at();
  sign_with_chain(b, pki().kb.get(), {pki().b.der});
  sign_with_chain(b, compressed.get(), {cert->der});
  VerifyReport r = verify(b, roots_policy({root_entry(pki().root, "fleet-1")}, 2));
  EXPECT_FALSE(r.status.ok());
  EXPECT_LE(r.signatures_valid, 1u);
}

// --- roles -------------------------------------------------------------------

TrustPolicy release_and_officer(std::uint64_t release_threshold = 2) {
  TrustPolicy t;
  KeySet release;
  release.role = "release";
  release.roots = {root_entry(pki().root, "fleet-1")};
  release.threshold = release_threshold;
  KeySet officer;
  officer.role = "security-officer";
  officer.keys = {*make_trusted_key(pki().kso.get(), "so-1")};
  t.key_sets = {release, officer};
  return t;
}

TEST(Roles, EveryRoleMustBeSatisfied) {
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  sign_with_chain(b, pki().kb.get(), {pki().b.der});
  sign_with_chain(b, pki().kso.get(), {});
  VerifyReport r = verify(b, release_and_officer());
  ASSERT_TRUE(Verifies(r));
  EXPECT_EQ(r.signatures_valid, 3u);
  EXPECT_EQ(r.signatures_required, 3u);
  EXPECT_EQ(r.signatures[0].role, "role release");
  EXPECT_EQ(r.signatures[2].role, "role security-officer");

  auto one = built_at();
  sign_with_chain(one, pki().ka.get(), {pki().a.der});
  sign_with_chain(one, pki().kso.get(), {});
  EXPECT_TRUE(Fails(verify(one, release_and_officer()), Code::untrusted,
                    "role release: 1 of 2 required signatures: key " + short_id(pki().kso.get()) +
                        " (so-1) counts for role security-officer (1 more valid signature by keys of role release "
                        "is needed)"));
  auto no_officer = built_at();
  sign_with_chain(no_officer, pki().ka.get(), {pki().a.der});
  sign_with_chain(no_officer, pki().kb.get(), {pki().b.der});
  EXPECT_TRUE(Fails(verify(no_officer, release_and_officer()), Code::untrusted,
                    "role security-officer: 0 of 1 required signatures"));
}

TEST(Roles, KeyTrustedByTwoRolesCountsForNone) {
  TrustPolicy t = release_and_officer(1);
  t.key_sets[1].keys.push_back(*make_trusted_key(pki().ka.get(), "a-pinned"));
  auto b = built_at();
  sign_with_chain(b, pki().ka.get(), {pki().a.der});
  sign_with_chain(b, pki().kso.get(), {});
  VerifyReport r = verify(b, t);
  EXPECT_TRUE(Fails(r, Code::untrusted,
                    "key " + short_id(pki().ka.get()) +
                        " (a-pinned) is trusted by role release and role security-officer (pinned in one, certified "
                        "under the other's root): a key acts in one role only"));
  EXPECT_EQ(r.signatures[0].status, SignatureStatus::role_conflict);
}

}  // namespace
}  // namespace fwseal::verifier
