// Issuing certificates and CRLs with a key OpenSSL cannot use directly (a key
// inside a PKCS#11 token): OpenSSL builds the TBSCertificate / TBSCertList,
// the issuer's SigningKey (format/signing_key.h) signs its DER, and the result
// is checked against the issuer's public key before it is returned. Used by
// `fwseal ca` (cli/src/cmd_ca.cpp, an hsm::TokenKey) and by tests with
// in-memory keys (testing/pki.h, a test::SoftwareKey).
//
// Signature algorithms follow the issuer key's fwseal algorithm:
// ecdsa-with-SHA256 (P-256), ecdsa-with-SHA384 (P-384), Ed25519, and
// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (RSA 3072/4096) --
// exactly what the key's sign() produces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/signing_key.h"
#include "fwseal/format/x509.h"

namespace fwseal {

struct CertIssuer {
  const X509* certificate = nullptr;  // the CA certificate; nullptr to self-sign
  const SigningKey* key = nullptr;    // the CA's key (its public key must match certificate)
};

struct CertificateSpec {
  std::string subject;                   // "CN=release A,O=Acme" (parse_name)
  const EVP_PKEY* public_key = nullptr;  // the subject's key; for self-signing, the issuer's
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
  bool ca = false;                           // CA: keyCertSign + cRLSign; else digitalSignature + EKUs
  std::optional<std::uint32_t> path_length;  // CA only
  std::vector<std::string> extended_key_usages{std::string(kCodeSigningEku)};  // end-entity only; OIDs
  std::string serial;  // raw big-endian bytes; empty: 16 random bytes
};

// A v3 certificate: serial, validity, subject and key as given; issuer name
// and authority key identifier from the issuer; subject key identifier (SHA-1
// of the key, RFC 5280 method 1); critical basicConstraints and keyUsage;
// extendedKeyUsage for end entities. DER. Code::usage for bad specs (name,
// times, OIDs, a key fwseal does not use), errors of the issuer key's sign(),
// Code::internal if the signed result does not verify with the issuer's
// public key.
Result<std::string> issue_certificate(const CertificateSpec& spec, const CertIssuer& issuer);

struct CrlSpec {
  std::int64_t this_update = 0;
  std::int64_t next_update = 0;
  std::uint64_t crl_number = 1;
  struct Revoked {
    std::string serial;  // raw big-endian bytes
    std::int64_t when = 0;
  };
  std::vector<Revoked> revoked;
};

// A v2 CRL issued by `issuer.certificate` (required), with CRL number and
// authority key identifier. DER. Errors as issue_certificate.
Result<std::string> issue_crl(const CrlSpec& spec, const CertIssuer& issuer);

// The serial of `cert` as raw big-endian bytes (for CrlSpec::Revoked).
Result<std::string> serial_bytes(const X509* cert);

}  // namespace fwseal
