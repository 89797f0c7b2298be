// A test PKI with in-memory keys: roots, intermediates, leaves and CRLs made
// by issue_certificate / issue_crl, exactly as `fwseal ca` makes them with
// HSM keys. Header-only, part of the test kit (fwseal_testing).
#pragma once

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/format/signature.h"
#include "fwseal/format/x509.h"
#include "fwseal/ca/issue.h"
#include "fwseal/testing/package_builder.h"
#include "fwseal/testing/software_key.h"

namespace fwseal::testpki {

inline constexpr std::int64_t kJan2026 = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr std::int64_t kYear = 365 * 24 * 3600;

// Keys and raw signatures come from the kit's package_builder.h
// (test::generate_key, test::sign_message).
using test::generate_key;
using test::sign_message;

// The same RSA key with an id-RSASSA-PSS SubjectPublicKeyInfo instead of
// rsaEncryption: another encoding of one key (issue 15, point 3).
inline ossl::PKey as_rsa_pss(const EVP_PKEY* rsa) {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(rsa, OSSL_PKEY_PARAM_RSA_E, &e);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA-PSS", nullptr);
  EVP_PKEY* out = nullptr;
  if (ctx && params && EVP_PKEY_fromdata_init(ctx) == 1) EVP_PKEY_fromdata(ctx, &out, EVP_PKEY_PUBLIC_KEY, params);
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  BN_free(n);
  BN_free(e);
  return ossl::PKey(out);
}

struct Cert {
  std::string der;
  ossl::X509Ptr x509;
  std::string pem() const { return *certificate_to_pem(x509.get()); }
};

inline Cert cert_of(std::string der) {
  Cert c;
  c.x509 = certificate_from_der(der, "test certificate").value();
  c.der = std::move(der);
  return c;
}

// A CA: its key and certificate.
struct Ca {
  std::unique_ptr<test::SoftwareKey> key;
  Cert cert;
  CertIssuer issuer() const { return CertIssuer{cert.x509.get(), key.get()}; }
};

// `key` as a CA's key (test::SoftwareKey); throws if fwseal does not sign with it.
inline std::unique_ptr<test::SoftwareKey> ca_key(ossl::PKey key) {
  auto k = test::SoftwareKey::from_key(std::move(key));
  if (!k.ok()) throw std::runtime_error("test CA key: " + k.error().message);
  return std::move(*k);
}

inline CertificateSpec spec(std::string subject, const EVP_PKEY* key, std::int64_t not_before = kJan2026,
                            std::int64_t not_after = kJan2026 + 10 * kYear) {
  CertificateSpec s;
  s.subject = std::move(subject);
  s.public_key = key;
  s.not_before = not_before;
  s.not_after = not_after;
  return s;
}

inline Result<Ca> make_root(Algorithm alg, std::string subject, std::int64_t not_before = kJan2026,
                            std::int64_t not_after = kJan2026 + 20 * kYear) {
  Ca ca;
  ca.key = ca_key(generate_key(alg));
  CertificateSpec s = spec(std::move(subject), ca.key->public_key(), not_before, not_after);
  s.ca = true;
  FWSEAL_ASSIGN(std::string der, issue_certificate(s, CertIssuer{nullptr, ca.key.get()}));
  ca.cert = cert_of(std::move(der));
  return ca;
}

inline Result<Ca> make_intermediate(const Ca& parent, Algorithm alg, std::string subject,
                                    std::optional<std::uint32_t> path_length = std::nullopt) {
  Ca ca;
  ca.key = ca_key(generate_key(alg));
  CertificateSpec s = spec(std::move(subject), ca.key->public_key());
  s.ca = true;
  s.path_length = path_length;
  FWSEAL_ASSIGN(std::string der, issue_certificate(s, parent.issuer()));
  ca.cert = cert_of(std::move(der));
  return ca;
}

inline Result<Cert> make_leaf(const Ca& ca, const EVP_PKEY* key, std::string subject,
                              std::int64_t not_before = kJan2026, std::int64_t not_after = kJan2026 + 10 * kYear) {
  FWSEAL_ASSIGN(std::string der, issue_certificate(spec(std::move(subject), key, not_before, not_after), ca.issuer()));
  return cert_of(std::move(der));
}

inline Result<std::string> make_crl(const Ca& ca, const std::vector<const Cert*>& revoked,
                                    std::int64_t this_update = kJan2026 + kYear) {
  CrlSpec s;
  s.this_update = this_update;
  s.next_update = this_update + 30 * 24 * 3600;
  for (const Cert* c : revoked) {
    FWSEAL_ASSIGN(std::string serial, serial_bytes(c->x509.get()));
    s.revoked.push_back(CrlSpec::Revoked{serial, this_update});
  }
  return issue_crl(s, ca.issuer());
}

}  // namespace fwseal::testpki
