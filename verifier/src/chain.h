// Step 7a, certificates: does a signature's certificate chain make its key a
// trusted key of some key set? OpenSSL builds and checks the chain
// (X509_STORE_CTX: trust.json roots as the only trust anchors, the envelope's
// other certificates as untrusted intermediates, trust.json CRLs, strict
// RFC 5280 rules, 128-bit security for every key and signature); fwseal then
// applies its own rules to the leaf. docs/TRUST.md lists every rule.
#pragma once

#include <cstdint>
#include <memory>

#include "fwseal/base/openssl.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier::steps {

struct ChainVerdict {
  enum class Outcome {
    trusted,  // leads to a root of key set `key_set`, leaf fit for signing
    revoked,  // a certificate in the chain is on a trust.json CRL
    refused,  // anything else; report.detail says what and what to do
  };
  Outcome outcome = Outcome::refused;
  std::size_t key_set = 0;  // trusted: index into TrustPolicy::key_sets
  ossl::PKey leaf_key;      // the leaf's public key, if the leaf was usable
  ChainReport report;
};

// trust.json's roots, CRLs and the OpenSSL store made of them, parsed once for
// all the envelopes of a package (sixteen 1 MB CRLs cost their parse once, not
// once per envelope). Code::malformed if a certificate or CRL does not parse.
class ChainAnchors {
 public:
  struct Impl;
  static Result<ChainAnchors> load(const TrustPolicy& trust);
  const Impl& impl() const { return *impl_; }

 private:
  explicit ChainAnchors(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// Checks env.certificates (leaf first) against `trust`'s roots. `build_time`
// is the manifest's `created` (used when trust.validity is build-time).
// Problems with the chain are outcomes, not errors: the Result is an error
// only for Code::internal (out of memory) or Code::malformed (a certificate
// that does not parse; step 6 already refuses those).
//
// Rules, in order: the leaf's key is the signing key (key id) and of an
// fwseal algorithm; the chain verifies to a trust.json root (intermediates
// must be CAs within their path length; no unknown critical extension; keys
// and signatures of at least 128-bit security; validity at `build_time` or
// not at all; revocation against trust.json CRLs, each CA's CRL required only
// if its root says require_crl); the leaf is not a CA and has keyUsage
// digitalSignature and the extended key usage trust.required_eku.
//
// Every trust.json CRL from the issuer of a certificate in the chain is
// applied by fwseal itself after OpenSSL, whatever OpenSSL made of it (it
// skips CRLs whose distribution point or authority key identifier it finds
// out of scope, and one whose signature fails, and then reports "no CRL"): it
// must verify with that issuer's key in the chain, else the certificate is
// refused, and a certificate it lists is revoked.
Result<ChainVerdict> check_chain(const SignatureEnvelope& env, const TrustPolicy& trust, const ChainAnchors& anchors,
                                 std::int64_t build_time);
// The same, loading the anchors for this one call.
Result<ChainVerdict> check_chain(const SignatureEnvelope& env, const TrustPolicy& trust, std::int64_t build_time);

}  // namespace fwseal::verifier::steps
