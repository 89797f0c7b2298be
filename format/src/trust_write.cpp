// Writing trust.json: deterministic, self-contained, the lowest version that
// holds the policy.
#include "fwseal/format/canonical_json.h"
#include "fwseal/format/trust.h"
#include "fwseal/format/x509.h"
#include "trust_internal.h"

namespace fwseal {
namespace {

using ojson = nlohmann::ordered_json;

Result<ojson> keys_json(const KeySet& set) {
  ojson keys = ojson::array();
  for (const auto& key : set.keys) {
    ojson k = ojson::object();
    if (!key.name.empty()) k["name"] = key.name;
    k["key_id"] = to_hex(key.key_id);
    FWSEAL_ASSIGN(ossl::PKey pkey, public_key_from_der(key.spki_der, "key"));
    FWSEAL_ASSIGN(k["public_key"], public_key_to_pem(pkey.get()));
    keys.push_back(std::move(k));
  }
  return keys;
}

Result<ojson> roots_json(const KeySet& set) {
  ojson roots = ojson::array();
  for (const auto& root : set.roots) {
    ojson r = ojson::object();
    if (!root.name.empty()) r["name"] = root.name;
    FWSEAL_ASSIGN(ossl::X509Ptr cert, certificate_from_der(root.certificate_der, "root"));
    FWSEAL_ASSIGN(r["certificate"], certificate_to_pem(cert.get()));
    r["require_crl"] = root.require_crl;
    roots.push_back(std::move(r));
  }
  return roots;
}

// The members of one key set, into `j`.
Status write_set(const KeySet& set, ojson& j) {
  if (!set.keys.empty()) {
    FWSEAL_ASSIGN(j["keys"], keys_json(set));
  }
  if (!set.roots.empty()) {
    FWSEAL_ASSIGN(j["roots"], roots_json(set));
  }
  j["threshold"] = set.threshold;
  return ok_status();
}

}  // namespace

Result<std::string> serialize_trust(const TrustPolicy& policy) {
  FWSEAL_TRY(check_trust(policy));
  const int version = policy.format_version();
  ojson j = ojson::object();
  j["format"] = kTrustFormat;
  j["format_version"] = version;
  if (policy.key_sets.size() == 1 && policy.key_sets[0].role.empty()) {
    FWSEAL_TRY(write_set(policy.key_sets[0], j));
  } else {
    ojson roles = ojson::array();
    for (const auto& set : policy.key_sets) {
      ojson r = ojson::object();
      r["name"] = set.role;
      FWSEAL_TRY(write_set(set, r));
      roles.push_back(std::move(r));
    }
    j["roles"] = std::move(roles);
  }
  ojson algorithms = ojson::array();
  for (Algorithm alg : policy.algorithms) algorithms.push_back(algorithm_name(alg));
  j["algorithms"] = std::move(algorithms);
  ojson revoked = ojson::array();
  for (const auto& id : policy.revoked_key_ids) revoked.push_back(to_hex(id));
  j["revoked_key_ids"] = std::move(revoked);
  // Integers above 2^53 lose precision in many JSON readers; write those as text.
  if (policy.min_security_version <= kMaxJsonInteger)
    j["min_security_version"] = policy.min_security_version;
  else
    j["min_security_version"] = std::to_string(policy.min_security_version);
  if (!policy.hardware.empty()) j["hardware"] = policy.hardware;
  if (policy.has_roots()) {
    if (!policy.crls.empty()) {
      ojson crls = ojson::array();
      for (const auto& c : policy.crls) {
        FWSEAL_ASSIGN(ossl::X509Crl crl, crl_from_der(c.der, c.source));
        FWSEAL_ASSIGN(std::string pem, crl_to_pem(crl.get()));
        crls.push_back(std::move(pem));
      }
      j["crls"] = std::move(crls);
    }
    j["validity"] = validity_name(policy.validity);
    j["required_eku"] = policy.required_eku;
  }
  return j.dump(2) + "\n";
}

}  // namespace fwseal
