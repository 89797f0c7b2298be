// What a technician is told when a certificate chain is refused: the rule,
// the certificate (or trust.json entry) and what to do.
#include <openssl/x509v3.h>

#include "chain_internal.h"

#include "fwseal/base/time.h"

namespace fwseal::verifier::steps::chain_detail {
namespace {

std::string when(const ASN1_TIME* t) {
  auto s = time_of(t, "time");
  return s.ok() ? rfc3339_utc(*s) : std::string("(unreadable time)");
}

std::string issuer_of(const X509* cert) { return "'" + name_text(X509_get_issuer_name(cert)) + "'"; }

// trust.json holds at most one CRL per issuer (check_trust).
std::string crl_source(const TrustPolicy& trust, const X509* cert) {
  for (const auto& c : trust.crls)
    if (auto crl = crl_from_der(c.der, c.source);
        crl.ok() && X509_NAME_cmp(X509_CRL_get_issuer(crl->get()), X509_get_issuer_name(cert)) == 0)
      return c.source;
  return "a trust.json CRL";
}

const char* eku_label(std::string_view oid) { return oid == kCodeSigningEku ? " (code signing)" : ""; }

}  // namespace

// OpenSSL does not reliably expose the CRL it used, so look for the trust.json
// CRL from the certificate's issuer that lists it.
std::string revoked_message(const TrustPolicy& trust, X509* cert) {
  std::string since;
  std::string source = "a trust.json CRL";
  for (const auto& c : trust.crls) {
    auto crl = crl_from_der(c.der, c.source);
    if (!crl.ok() || X509_NAME_cmp(X509_CRL_get_issuer(crl->get()), X509_get_issuer_name(cert)) != 0) continue;
    X509_REVOKED* entry = nullptr;
    if (X509_CRL_get0_by_cert(crl->get(), &entry, cert) != 1 || !entry) continue;
    since = " since " + when(X509_REVOKED_get0_revocationDate(entry));
    source = c.source;
    break;
  }
  return "certificate " + quoted(cert) + " (serial " + serial_hex(X509_get0_serialNumber(cert)) + ") is revoked" +
         since + " by the CRL of " + issuer_of(cert) + " (" + source +
         "): re-sign with a certificate that is not revoked";
}

Failure explain_failure(X509_STORE_CTX* ctx, const TrustPolicy& trust, const std::vector<ChainRoot>& roots,
                        std::int64_t build_time) {
  const int err = X509_STORE_CTX_get_error(ctx);
  X509* cert = X509_STORE_CTX_get_current_cert(ctx);
  if (!cert) return {false, std::string("certificate chain refused: ") + X509_verify_cert_error_string(err)};
  const std::string who = "certificate " + quoted(cert);
  const std::string built = rfc3339_utc(build_time);
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx);
  switch (err) {
    case X509_V_ERR_CERT_REVOKED:
      return {true, revoked_message(trust, cert)};
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return {false, who + " expired " + when(X509_get0_notAfter(cert)) + ", before this package was built (" + built +
                         "): re-sign with a current certificate"};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return {false, who + " is valid only from " + when(X509_get0_notBefore(cert)) +
                         ", after this package was built (" + built +
                         "): re-sign with a certificate that was valid at build time"};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
      return {false, "chain does not lead to a trusted root: issuer " + issuer_of(cert) + " of " + who +
                         " is not in trust.json (nor among the signature's certificates): sign with a certificate "
                         "issued under a root that trust.json lists"};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: {
      X509* top = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, sk_X509_num(chain) - 1) : cert;
      return {false, "chain does not lead to a trusted root: it ends at the self-signed " + quoted(top) +
                         ", which is not in trust.json: sign with a certificate issued under a root that trust.json "
                         "lists"};
    }
    case X509_V_ERR_UNABLE_TO_GET_CRL: {
      const ChainRoot* root = root_of_chain(roots, chain);
      return {false, "no CRL from " + issuer_of(cert) + " in trust.json to check " + who + ", and " +
                         (root ? root_label(*root) : std::string("its root")) +
                         " requires one (require_crl): add that CA's current CRL to trust.json crls"};
    }
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
      return {false, "the CRL of " + issuer_of(cert) + " (" + crl_source(trust, cert) +
                         ") does not verify with that CA's key: replace it with the CA's genuine CRL"};
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
      return {false, "the CRL of " + issuer_of(cert) + " comes from a CA whose key usage does not allow CRL signing"};
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_INVALID_NON_CA:
      return {false, who +
                         " issues certificates but is not a CA certificate (basicConstraints CA:TRUE and keyUsage "
                         "keyCertSign are required): the chain is refused"};
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return {false, "the chain has more intermediate CAs below " + who +
                         " than its path length constraint allows: the chain is refused"};
    case X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION:
      return {false, who + " has a critical extension that fwseal does not recognise: it must be refused (RFC 5280)"};
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return {false, who + " does not verify with its issuer's key: it was changed or forged"};
    case X509_V_ERR_CA_KEY_TOO_SMALL:
    case X509_V_ERR_EE_KEY_TOO_SMALL:
      return {false, who +
                         " has a key below 128-bit security (fwseal needs P-256, P-384, Ed25519 or RSA of 3072 bits "
                         "or more)"};
    case X509_V_ERR_CA_MD_TOO_WEAK:
      return {false, who + " is signed with a digest below 128-bit security (e.g. SHA-1)"};
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
      return {false, "the chain of " + who + " is longer than the 8 certificates fwseal follows"};
    default:
      return {false, who + ": " + X509_verify_cert_error_string(err) + " (OpenSSL X509_V_ERR " + std::to_string(err) +
                         "): the chain is refused"};
  }
}

// R18: the leaf is an end-entity certificate for digital signatures with the
// required extended key usage.
std::string leaf_problem(X509* leaf, const TrustPolicy& trust) {
  const std::string who = "certificate " + quoted(leaf);
  const std::uint32_t flags = X509_get_extension_flags(leaf);
  if (flags & EXFLAG_CA)
    return who + " is a CA certificate: packages are signed with end-entity certificates (basicConstraints CA:FALSE)";
  if (!(flags & EXFLAG_KUSAGE) || !(X509_get_key_usage(leaf) & KU_DIGITAL_SIGNATURE))
    return who + " does not allow digital signatures: issue the signing certificate with keyUsage digitalSignature";
  const std::string need = trust.required_eku + eku_label(trust.required_eku);
  std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>> required(OBJ_txt2obj(trust.required_eku.c_str(), 1));
  std::unique_ptr<EXTENDED_KEY_USAGE, ossl::Deleter<EXTENDED_KEY_USAGE_free>> eku(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(leaf, NID_ext_key_usage, nullptr, nullptr)));
  if (!required) return "trust.required_eku: \"" + trust.required_eku + "\" is not an OID";
  if (!eku)
    return who + " has no extended key usage; trust.json requires " + need +
           ": issue the signing certificate with that extended key usage";
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i)
    if (OBJ_cmp(sk_ASN1_OBJECT_value(eku.get(), i), required.get()) == 0) return {};
  return who + " lacks the extended key usage " + need +
         " that trust.json requires: issue the signing certificate with that extended key usage";
}

}  // namespace fwseal::verifier::steps::chain_detail
