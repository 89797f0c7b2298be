// X.509 certificates and CRLs as fwseal stores them: DER in signature
// envelopes, PEM (or DER files) in trust.json. Strict readers for hostile
// bytes, and the few accessors the verifier's messages need. Chain building is
// the verifier's (verifier/src/chain.cpp); issuing is x509_issue.h.
#pragma once

#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"
#include "fwseal/format/signature.h"

namespace fwseal {

namespace ossl {
using X509Crl = std::unique_ptr<X509_CRL, Deleter<X509_CRL_free>>;
using X509Name = std::unique_ptr<X509_NAME, Deleter<X509_NAME_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, Deleter<ASN1_INTEGER_free>>;
using X509Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE_free>>;
using X509StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX_free>>;
// Stacks that own their elements (sk_*_pop_free).
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const;
};
struct X509CrlStackFree {
  void operator()(STACK_OF(X509_CRL) * s) const;
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackFree>;
using X509CrlStack = std::unique_ptr<STACK_OF(X509_CRL), X509CrlStackFree>;
}  // namespace ossl

// id-kp-codeSigning: the extended key usage a signing certificate needs unless
// trust.json names another.
inline constexpr std::string_view kCodeSigningEku = "1.3.6.1.5.5.7.3.3";
inline constexpr std::size_t kMaxCertificateDerBytes = 16 * 1024;
inline constexpr std::size_t kMaxCrlBytes = 1 << 20;

// One DER certificate, all of `der` and nothing after it. Code::malformed
// naming `where`.
Result<ossl::X509Ptr> certificate_from_der(std::string_view der, std::string_view where);
Result<std::string> certificate_to_der(const X509* cert);
Result<std::string> certificate_to_pem(const X509* cert);

// The CERTIFICATE blocks of a PEM text, in order, as DER. Only whitespace may
// surround them; anything else (keys, other block types, junk) is
// Code::malformed, as are more than `max` blocks or none.
Result<std::vector<std::string>> certificates_from_pem(std::string_view pem, std::string_view where, std::size_t max);

// One CRL: PEM ("-----BEGIN X509 CRL-----", exactly one block) or DER,
// returned as DER. Code::malformed naming `where`.
Result<std::string> crl_der_from_text(std::string_view text, std::string_view where);
Result<ossl::X509Crl> crl_from_der(std::string_view der, std::string_view where);
Result<std::string> crl_to_der(const X509_CRL* crl);
Result<std::string> crl_to_pem(const X509_CRL* crl);

// "CN=release A,O=Acme" (RFC 2253 order, control and non-printable bytes
// escaped, at most 200 characters), "(empty name)" for an empty name.
std::string name_text(const X509_NAME* name);
// Parses "CN=release A,O=Acme,C=DE" (RFC 4514: most specific first; \ escapes
// the next character; no multi-valued RDNs). Code::usage naming `where`.
Result<ossl::X509Name> parse_name(std::string_view text, std::string_view where);

// Seconds since the epoch, or Code::malformed for a time OpenSSL cannot read.
Result<std::int64_t> time_of(const ASN1_TIME* t, std::string_view where);
// Lower-case hex of the serial number's magnitude ("-" prefix if negative).
std::string serial_hex(const ASN1_INTEGER* serial);

// The key id (SHA-256 of the SubjectPublicKeyInfo exactly as the certificate
// encodes it). Code::malformed if the certificate has no readable key.
Result<KeyId> certificate_key_id(const X509* cert);

// Whether `cert` is self-issued and its signature verifies with its own key.
bool self_signed(const X509* cert);

}  // namespace fwseal
