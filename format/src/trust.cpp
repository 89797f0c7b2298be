// The trust policy model and check_trust. Reading is trust_parse.cpp,
// writing trust_write.cpp, the X.509 rules trust_x509.cpp.
#include "fwseal/format/trust.h"

#include <algorithm>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "trust_internal.h"

namespace fwseal {
namespace {

using trust_detail::bad;
using trust_detail::set_path;

bool valid_role_name(std::string_view name) {
  if (name.empty() || name.size() > 32 || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

// Keys are compared as keys, not as bytes: one EC key has a compressed and an
// uncompressed SubjectPublicKeyInfo, and listing both would let one signer
// count twice towards a threshold -- or in two roles.
Status check_keys(const TrustPolicy& policy) {
  struct Seen {
    std::string where;
    ossl::PKey key;
    KeyId id;
    std::size_t set;
  };
  std::vector<Seen> seen;
  for (std::size_t s = 0; s < policy.key_sets.size(); ++s) {
    const KeySet& set = policy.key_sets[s];
    const std::string sw = set_path(policy, s);
    if (set.keys.size() > kMaxTrustKeys)  // T10
      return bad("T10", sw + ".keys", "more than " + std::to_string(kMaxTrustKeys) + " keys");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < set.keys.size(); ++i) {
      const TrustedKey& key = set.keys[i];
      const std::string kw = index_path(sw + ".keys", i);
      if (!key.name.empty()) {  // T6
        FWSEAL_TRY(with_rule("T6", check_text(key.name, kw + ".name")));
        if (std::find(names.begin(), names.end(), key.name) != names.end())
          return bad("T6", kw + ".name", "\"" + key.name + "\" names two keys");
        names.push_back(key.name);
      }
      // T5: one PEM SubjectPublicKeyInfo of an fwseal algorithm, in its
      // canonical encoding, and its key id.
      FWSEAL_ASSIGN(ossl::PKey pkey, with_rule("T5", public_key_from_der(key.spki_der, kw + ".public_key")));
      auto alg = algorithm_of(pkey.get());
      if (!alg.ok()) return bad("T5", kw + ".public_key", alg.error().message);
      if (*alg != key.algorithm) return bad("T5", kw + ".public_key", "algorithm does not match the key");
      if (Status weak = check_public_key(pkey.get(), kw + ".public_key"); !weak.ok())
        return with_rule("T5", make_error(Code::malformed, weak.error().message));
      FWSEAL_ASSIGN(KeyId canonical_id, key_id_of(pkey.get()));
      if (sha256(key.spki_der) != canonical_id)
        return bad("T5", kw + ".public_key", "not in the canonical encoding make_trusted_key gives");
      if (sha256(key.spki_der) != key.key_id) return bad("T5", kw + ".key_id", "does not match the public key");
      // T5: the same key once in the file; T2: in one key set only.
      for (const auto& other : seen) {
        if (other.id == key.key_id || EVP_PKEY_eq(pkey.get(), other.key.get()) == 1)
          return bad(other.set == s ? "T5" : "T2", kw + ".public_key",
                     "the same key as " + other.where +
                         (policy.key_sets.size() > 1 ? ": a key belongs to one role only" : ""));
      }
      seen.push_back(Seen{kw, std::move(pkey), key.key_id, s});
    }
  }
  return ok_status();
}

Status check_sets(const TrustPolicy& policy) {
  if (policy.key_sets.empty()) return bad("T7", "trust.keys", "at least one key is required");  // T7
  if (policy.key_sets.size() > kMaxTrustRoles)  // T10
    return bad("T10", "trust.roles", "more than " + std::to_string(kMaxTrustRoles) + " roles");
  std::uint64_t total = 0;
  for (std::size_t s = 0; s < policy.key_sets.size(); ++s) {
    const KeySet& set = policy.key_sets[s];
    const std::string sw = set_path(policy, s);
    if (policy.key_sets.size() > 1 || !set.role.empty()) {  // T2: role names
      if (!valid_role_name(set.role))
        return bad("T2", sw + ".name",
                   "role name \"" + set.role + "\" must be 1 to 32 of [a-z0-9-], starting with a letter");
      for (std::size_t k = 0; k < s; ++k)
        if (policy.key_sets[k].role == set.role)
          return bad("T2", sw + ".name", "\"" + set.role + "\" names two roles");
    }
    // T7: a threshold from 1 to the keys (and roots) of its set that may count.
    if (set.keys.empty() && set.roots.empty())
      return bad("T7", sw + ".keys", "at least one key is required (or, from format version 2, a root in roots)");
    if (set.threshold < 1) return bad("T7", sw + ".threshold", "must be at least 1");
    std::uint64_t usable = 0;
    for (const auto& key : set.keys)
      if (!policy.revoked(key.key_id) && policy.algorithm_allowed(key.algorithm)) ++usable;
    if (set.roots.empty() && set.threshold > usable)
      return bad("T7", sw + ".threshold",
                 std::to_string(set.threshold) + " signatures required but only " + std::to_string(usable) +
                     " usable keys (listed in keys, not revoked, with an allowed algorithm)");
    // T7: all thresholds add up to at most the 32 signatures of R5.
    total += std::min<std::uint64_t>(set.threshold, kMaxSignatures + 1);
    if (total > kMaxSignatures)
      return bad("T7", sw + ".threshold",
                 "the thresholds add up to more than the " + std::to_string(kMaxSignatures) +
                     " signatures a package can hold");
  }
  return ok_status();
}

template <class T>
std::optional<std::size_t> first_repeat(const std::vector<T>& items) {
  for (std::size_t i = 0; i < items.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (items[k] == items[i]) return i;
  return std::nullopt;
}

}  // namespace

std::string_view validity_name(CertValidity v) {
  switch (v) {
    case CertValidity::build_time:
      return "build-time";
    case CertValidity::none:
      return "none";
  }
  return "build-time";
}

std::string key_set_label(const KeySet& set) { return set.role.empty() ? "trust" : "role " + set.role; }

bool TrustPolicy::algorithm_allowed(Algorithm alg) const {
  return std::find(algorithms.begin(), algorithms.end(), alg) != algorithms.end();
}

bool TrustPolicy::revoked(const KeyId& id) const {
  return std::find(revoked_key_ids.begin(), revoked_key_ids.end(), id) != revoked_key_ids.end();
}

const TrustedKey* TrustPolicy::find_key(const KeyId& id) const {
  for (const auto& set : key_sets)
    for (const auto& key : set.keys)
      if (key.key_id == id) return &key;
  return nullptr;
}

bool TrustPolicy::has_roots() const {
  return std::any_of(key_sets.begin(), key_sets.end(), [](const KeySet& s) { return !s.roots.empty(); });
}

int TrustPolicy::format_version() const {
  const bool v1 = key_sets.size() == 1 && key_sets[0].role.empty() && !has_roots() && crls.empty() &&
                  validity == CertValidity::build_time && required_eku == kCodeSigningEku;
  return v1 ? 1 : 2;
}

Result<TrustedKey> make_trusted_key(const EVP_PKEY* key, std::string name) {
  TrustedKey out;
  out.name = std::move(name);
  FWSEAL_ASSIGN(out.algorithm, algorithm_of(key));
  FWSEAL_TRY(check_public_key(key, ""));
  // Kept in the canonical encoding: the same key in another encoding then has
  // the same bytes and id, and check_trust finds the pair.
  FWSEAL_ASSIGN(ossl::PKey canonical, canonical_public_key(key));
  FWSEAL_ASSIGN(out.spki_der, public_key_to_der(canonical.get()));
  out.key_id = sha256(out.spki_der);
  return out;
}

Status check_trust(const TrustPolicy& policy) {
  if (policy.algorithms.empty()) return bad("T8", "trust.algorithms", "at least one algorithm is required");  // T8
  FWSEAL_TRY(check_sets(policy));
  FWSEAL_TRY(check_keys(policy));
  FWSEAL_TRY(trust_detail::check_roots_unique(policy));
  if (!policy.has_roots()) {  // T3: certificate settings only with roots
    if (!policy.crls.empty()) return bad("T3", "trust.crls", "CRLs are only used with roots (no roots in this file)");
    if (policy.validity != CertValidity::build_time)
      return bad("T3", "trust.validity", "certificate validity is only used with roots (no roots in this file)");
    if (policy.required_eku != kCodeSigningEku)
      return bad("T3", "trust.required_eku", "certificate settings are only used with roots (no roots in this file)");
  }
  FWSEAL_TRY(trust_detail::check_crls(policy));
  FWSEAL_TRY(trust_detail::check_eku(policy.required_eku, "trust.required_eku"));
  // T8: distinct algorithms; at most 1,024 distinct revoked key ids.
  if (auto i = first_repeat(policy.algorithms))
    return bad("T8", index_path("trust.algorithms", *i),
               "\"" + std::string(algorithm_name(policy.algorithms[*i])) + "\" is listed twice");
  if (policy.revoked_key_ids.size() > kMaxRevokedKeyIds)
    return bad("T8", "trust.revoked_key_ids", "more than " + std::to_string(kMaxRevokedKeyIds) + " ids");
  if (auto i = first_repeat(policy.revoked_key_ids))
    return bad("T8", index_path("trust.revoked_key_ids", *i),
               to_hex(policy.revoked_key_ids[*i]) + " is listed twice");
  // T9: at most 256 distinct hardware ids of R10's characters.
  if (policy.hardware.size() > kMaxHardwareIds)
    return bad("T9", "trust.hardware", "more than " + std::to_string(kMaxHardwareIds) + " ids");
  for (std::size_t i = 0; i < policy.hardware.size(); ++i)
    FWSEAL_TRY(with_rule("T9", check_hardware_id(policy.hardware[i], index_path("trust.hardware", i))));
  if (auto i = first_repeat(policy.hardware))
    return bad("T9", index_path("trust.hardware", *i), "\"" + policy.hardware[*i] + "\" is listed twice");
  return ok_status();
}

std::string key_name_from_path(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  for (std::string_view ext : {".pub.pem", ".pem", ".crt"})
    if (name.size() > ext.size() && name.ends_with(ext)) return std::string(name.substr(0, name.size() - ext.size()));
  return std::string(name);
}

}  // namespace fwseal
