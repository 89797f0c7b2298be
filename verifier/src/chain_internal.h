// Shared by chain.cpp and chain_messages.cpp.
#pragma once

#include <openssl/x509.h>

#include <optional>
#include <string>
#include <vector>

#include "fwseal/format/trust.h"
#include "fwseal/format/x509.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier::steps::chain_detail {

struct ChainRoot {
  const TrustedRoot* root = nullptr;
  std::size_t set = 0;  // index into TrustPolicy::key_sets
  ossl::X509Ptr cert;
};

struct ParsedCrl {
  const TrustedCrl* source = nullptr;
  ossl::X509Crl crl;
};

struct Failure {
  bool revoked = false;
  std::string message;  // one clause: what failed, which certificate, what to do
};

// What the verify callback learns while OpenSSL checks a chain. The failure
// is explained inside the callback: only then does the context still hold
// the CRL that revoked a certificate.
struct CallbackState {
  const TrustPolicy* trust = nullptr;
  const std::vector<ChainRoot>* roots = nullptr;
  const std::vector<ParsedCrl>* crls = nullptr;
  std::int64_t build_time = 0;
  std::vector<std::string> notes;
  std::optional<Failure> failure;
};

// "certificate 'CN=…' (serial …) is revoked since … by the CRL of …".
std::string revoked_message(const TrustPolicy& trust, X509* cert);

std::string quoted(const X509* cert);           // "'CN=release A'"
std::string root_label(const ChainRoot& root);  // "root 'fleet-1' (CN=Fleet Root 1)"
CertificateReport describe(const X509* cert);
const ChainRoot* root_of_chain(const std::vector<ChainRoot>& roots, STACK_OF(X509) * chain);

// Why X509_verify_cert refused, from the context's error, depth and
// certificate, in terms of trust.json.
Failure explain_failure(X509_STORE_CTX* ctx, const TrustPolicy& trust, const std::vector<ChainRoot>& roots,
                        std::int64_t build_time);

// fwseal's rules for the signing certificate once the chain is trusted: not a
// CA, keyUsage digitalSignature, the required EKU. Empty if it passes.
std::string leaf_problem(X509* leaf, const TrustPolicy& trust);

}  // namespace fwseal::verifier::steps::chain_detail
