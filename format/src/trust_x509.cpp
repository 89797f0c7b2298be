// The X.509 rules of check_trust: roots, CRLs, the required EKU.
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <vector>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/x509.h"
#include "trust_internal.h"

namespace fwseal::trust_detail {

std::string set_path(const TrustPolicy& policy, std::size_t index) {
  const KeySet& set = policy.key_sets[index];
  if (policy.key_sets.size() == 1 && set.role.empty()) return "trust";
  return index_path("trust.roles", index);
}

// T1: a self-signed CA certificate with a key of an fwseal algorithm; T6: its name.
Status check_root(const TrustedRoot& root, const std::string& where) {
  const std::string cw = where + ".certificate";
  FWSEAL_ASSIGN(ossl::X509Ptr cert, with_rule("T1", certificate_from_der(root.certificate_der, cw)));
  const std::string subject = "'" + name_text(X509_get_subject_name(cert.get())) + "'";
  if (!self_signed(cert.get()))
    return bad("T1", cw,
               subject + " is not a self-signed root certificate (issuer '" +
                   name_text(X509_get_issuer_name(cert.get())) +
                   "'); list the root CA, intermediates travel in the signature envelope");
  if (X509_check_ca(cert.get()) != 1)
    return bad("T1", cw,
               subject + " is not a CA certificate (basicConstraints CA:TRUE and keyCertSign are required)");
  auto alg = algorithm_of(X509_get0_pubkey(cert.get()));
  if (!alg.ok()) return bad("T1", cw, subject + ": " + alg.error().message);  // T1
  if (Status weak = check_public_key(X509_get0_pubkey(cert.get()), "its key"); !weak.ok())
    return bad("T1", cw, subject + ": " + weak.error().message);
  if (!root.name.empty()) FWSEAL_TRY(with_rule("T6", check_text(root.name, where + ".name")));  // T6
  return ok_status();
}

Status check_roots_unique(const TrustPolicy& policy) {
  struct Seen {
    std::string where;
    std::string name;
    ossl::X509Ptr cert;
  };
  std::vector<Seen> seen;
  for (std::size_t s = 0; s < policy.key_sets.size(); ++s) {
    const KeySet& set = policy.key_sets[s];
    const std::string sw = set_path(policy, s);
    if (set.roots.size() > kMaxTrustRoots)  // T10
      return bad("T10", sw + ".roots", "more than " + std::to_string(kMaxTrustRoots) + " roots");
    for (std::size_t i = 0; i < set.roots.size(); ++i) {
      const std::string rw = index_path(sw + ".roots", i);
      FWSEAL_TRY(check_root(set.roots[i], rw));
      FWSEAL_ASSIGN(ossl::X509Ptr cert, with_rule("T1", certificate_from_der(set.roots[i].certificate_der, rw)));  // T1
      for (const auto& other : seen) {
        // T2: a root belongs to one key set; T6: a name names one root.
        if (X509_cmp(cert.get(), other.cert.get()) == 0 ||
            EVP_PKEY_eq(X509_get0_pubkey(cert.get()), X509_get0_pubkey(other.cert.get())) == 1)
          return bad("T2", rw + ".certificate",
                     "the same root (or root key) as " + other.where + ": a root belongs to one role only");
        if (!set.roots[i].name.empty() && set.roots[i].name == other.name)
          return bad("T6", rw + ".name", "\"" + other.name + "\" names two roots");
      }
      seen.push_back(Seen{rw, set.roots[i].name, std::move(cert)});
    }
  }
  return ok_status();
}

// Why fwseal cannot apply this CRL to every certificate of its issuer, or "".
// A full CRL is a list of serials; anything that narrows what it covers
// (a distribution point, "only some reasons", an indirect or delta CRL) would
// have OpenSSL skip it for some certificates while trust.json seems to revoke
// them, so such CRLs are refused when trust.json is read.
std::string unusable_crl(X509_CRL* crl) {
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* ext = X509_CRL_get_ext(crl, i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    switch (nid) {
      case NID_authority_key_identifier:
      case NID_crl_number:
        continue;
      case NID_issuing_distribution_point:
        return "it has an issuing distribution point extension (a partitioned or scoped CRL); "
               "fwseal applies only full CRLs: issue one without it (fwseal ca crl does)";
      case NID_delta_crl:
        return "it is a delta CRL; list the CA's full CRL";
      case NID_freshest_crl:
        return "it points to delta CRLs (freshest CRL extension), which fwseal does not fetch; issue a full CRL";
      default:
        if (X509_EXTENSION_get_critical(ext))
          return "it has a critical extension fwseal does not know (" + std::to_string(nid) + ")";
    }
  }
  STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl);
  for (int i = 0; i < sk_X509_REVOKED_num(revoked); ++i) {
    const X509_REVOKED* entry = sk_X509_REVOKED_value(revoked, i);
    for (int k = 0; k < X509_REVOKED_get_ext_count(entry); ++k) {
      X509_EXTENSION* ext = X509_REVOKED_get_ext(entry, k);
      const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
      if (nid == NID_certificate_issuer) return "it is an indirect CRL (an entry names another certificate issuer)";
      if (X509_EXTENSION_get_critical(ext)) return "an entry has a critical extension fwseal does not know";
    }
  }
  return {};
}

// T3: one CRL per issuing CA, each one fwseal can apply in full; a root's
// own CRL verifies with the root's key.
Status check_crls(const TrustPolicy& policy) {
  if (policy.crls.size() > kMaxTrustCrls)  // T10
    return bad("T10", "trust.crls", "more than " + std::to_string(kMaxTrustCrls) + " CRLs");
  std::vector<ossl::X509Ptr> roots;
  for (const auto& set : policy.key_sets)
    for (const auto& root : set.roots) {
      FWSEAL_ASSIGN(ossl::X509Ptr cert, with_rule("T1", certificate_from_der(root.certificate_der, "root")));  // T1
      roots.push_back(std::move(cert));
    }
  std::vector<ossl::X509Crl> parsed;  // each CRL parsed once
  for (std::size_t i = 0; i < policy.crls.size(); ++i) {
    // "trust.crls[2]" or "trust.crls[2] (pki/ca.crl)": messages name the CRL.
    const std::string w = policy.crls[i].source.empty() ? index_path("trust.crls", i) : policy.crls[i].source;
    for (std::size_t k = 0; k < i; ++k)
      if (policy.crls[k].der == policy.crls[i].der)
        return bad("T3", w, "the same CRL as " + index_path("trust.crls", k));  // T3
    FWSEAL_ASSIGN(ossl::X509Crl crl, with_rule("T1", crl_from_der(policy.crls[i].der, w)));  // T1
    const X509_NAME* issuer = X509_CRL_get_issuer(crl.get());
    // T3: one CRL per CA. With two, OpenSSL would pick by validity at the build
    // time, and an older CRL could hide a newer revocation.
    for (std::size_t k = 0; k < i; ++k)
      if (X509_NAME_cmp(X509_CRL_get_issuer(parsed[k].get()), issuer) == 0)
        return bad("T3", w,
                   "a second CRL from '" + name_text(issuer) + "' (the first is " + index_path("trust.crls", k) +
                       "): list only that CA's newest CRL");
    if (std::string why = unusable_crl(crl.get()); !why.empty())  // T3
      return bad("T3", w, "CRL issued by '" + name_text(issuer) + "' cannot be applied: " + why);
    for (const auto& cert : roots) {
      if (X509_NAME_cmp(X509_get_subject_name(cert.get()), issuer) != 0) continue;
      // A root's own CRL can be checked now; one from an intermediate only
      // when a chain brings the intermediate (and then it must verify, or
      // the certificates it covers are refused).
      int ok = X509_CRL_verify(crl.get(), X509_get0_pubkey(cert.get()));
      ossl::last_error();
      if (ok != 1)
        return bad("T3", w, "CRL issued by '" + name_text(issuer) + "' does not verify with that root's key");  // T3
    }
    parsed.push_back(std::move(crl));
  }
  return ok_status();
}

// T3: required_eku is a dotted OID.
Status check_eku(std::string_view oid, std::string_view where) {
  const std::string text(oid);
  std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>> obj(OBJ_txt2obj(text.c_str(), 1));
  char buf[128] = {};
  if (!obj || OBJ_obj2txt(buf, sizeof buf, obj.get(), 1) <= 0 || text != buf) {
    ossl::last_error();
    return bad("T3", where, "\"" + text + "\" is not a dotted OID (e.g. 1.3.6.1.5.5.7.3.3 for code signing)");
  }
  return ok_status();
}

}  // namespace fwseal::trust_detail
