#include "fwseal/format/trust.h"

#include <algorithm>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/file.h"
#include "fwseal/format/manifest.h"

namespace fwseal {
namespace {

using nlohmann::json;

constexpr std::string_view kPemBegin = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view kPemEnd = "-----END PUBLIC KEY-----";

Error bad(std::string_view where, const std::string& why) {
  return make_error(Code::malformed, std::string(where) + ": " + why);
}

// Where a key set's members sit in the file. Version 1 has only the top level.
std::string set_path(const KeySet& set) { return set.role.empty() ? "trust" : "trust.roles." + set.role; }

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// One PEM public key block and nothing else: OpenSSL reads the first block of a
// file and ignores what follows, which would let a second key hide in the text.
Result<ossl::PKey> strict_pem_key(std::string_view text, const std::string& where) {
  std::string_view t = trim(text);
  if (!t.starts_with(kPemBegin) || !t.ends_with(kPemEnd) || t.find(kPemBegin, 1) != std::string_view::npos)
    return bad(where, "not a PEM public key (expected exactly one -----BEGIN PUBLIC KEY----- block)");
  return public_key_from_pem(t, where);
}

Result<std::uint64_t> parse_min_security_version(const json& v, const std::string& where) {
  if (v.is_string()) return parse_security_version(v.get_ref<const std::string&>(), where);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  return bad(where, "expected a non-negative integer or a decimal string (0 to 18446744073709551615)");
}

Result<std::vector<std::string>> string_array(const json& j, std::string_view key, std::string_view where,
                                              std::size_t max_items) {
  FWSEAL_ASSIGN(const json* arr, get_array(j, key, where, max_items));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    if (!(*arr)[i].is_string()) return bad(index_path(member_path(where, key), i), "expected a string");
    out.push_back((*arr)[i].get<std::string>());
  }
  return out;
}

Result<TrustedKey> parse_key(const json& item, const std::string& where) {
  FWSEAL_TRY(check_members(item, {"name", "public_key", "key_id"}, where));
  std::string name;
  if (has_member(item, "name")) {
    FWSEAL_ASSIGN(name, get_string(item, "name", where));
    FWSEAL_TRY(check_text(name, member_path(where, "name")));
  }
  FWSEAL_ASSIGN(std::string pem, get_string(item, "public_key", where));
  FWSEAL_ASSIGN(ossl::PKey pkey, strict_pem_key(pem, member_path(where, "public_key")));
  auto key = make_trusted_key(pkey.get(), std::move(name));
  if (!key.ok()) return bad(member_path(where, "public_key"), key.error().message);
  if (has_member(item, "key_id")) {
    FWSEAL_ASSIGN(std::string hex, get_string(item, "key_id", where));
    FWSEAL_ASSIGN(KeyId stated, sha256_from_hex(hex, member_path(where, "key_id")));
    if (stated != key->key_id)
      return bad(member_path(where, "key_id"),
                 "does not match the public key, whose key id (SHA-256 of its SubjectPublicKeyInfo) is " +
                     to_hex(key->key_id));
  }
  return std::move(key).value();
}

Result<TrustPolicy> parse_policy(const json& j) {
  const std::string w = "trust";
  FWSEAL_TRY(check_members(j, {"format", "format_version", "keys", "threshold", "algorithms", "revoked_key_ids",
                                "min_security_version", "hardware"},
                           w));
  FWSEAL_ASSIGN(std::string format, get_string(j, "format", w));
  if (format != kTrustFormat) return bad("trust.format", "expected \"fwseal-trust\"");
  FWSEAL_ASSIGN(std::uint64_t version, get_uint(j, "format_version", w));
  if (version != kTrustFormatVersion)
    return bad("trust.format_version",
               "version " + std::to_string(version) + " is not supported (this fwseal reads version 1)");

  TrustPolicy policy;
  KeySet set;
  FWSEAL_ASSIGN(const json* keys, get_array(j, "keys", w, kMaxTrustKeys));
  for (std::size_t i = 0; i < keys->size(); ++i) {
    FWSEAL_ASSIGN(TrustedKey key, parse_key((*keys)[i], index_path("trust.keys", i)));
    set.keys.push_back(std::move(key));
  }
  if (has_member(j, "threshold")) {
    FWSEAL_ASSIGN(set.threshold, get_uint(j, "threshold", w));
  }
  policy.key_sets.push_back(std::move(set));

  if (has_member(j, "algorithms")) {
    FWSEAL_ASSIGN(std::vector<std::string> names, string_array(j, "algorithms", w, 16));
    policy.algorithms.clear();
    for (std::size_t i = 0; i < names.size(); ++i) {
      FWSEAL_ASSIGN(Algorithm alg, parse_algorithm(names[i], index_path("trust.algorithms", i)));
      policy.algorithms.push_back(alg);
    }
  }
  if (has_member(j, "revoked_key_ids")) {
    FWSEAL_ASSIGN(std::vector<std::string> ids, string_array(j, "revoked_key_ids", w, kMaxRevokedKeyIds));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      FWSEAL_ASSIGN(KeyId id, sha256_from_hex(ids[i], index_path("trust.revoked_key_ids", i)));
      policy.revoked_key_ids.push_back(id);
    }
  }
  if (has_member(j, "min_security_version")) {
    FWSEAL_ASSIGN(policy.min_security_version,
                  parse_min_security_version(j.at("min_security_version"), "trust.min_security_version"));
  }
  if (has_member(j, "hardware")) {
    FWSEAL_ASSIGN(policy.hardware, string_array(j, "hardware", w, kMaxHardwareIds));
    if (policy.hardware.empty()) return bad("trust.hardware", "empty list (leave the member out instead)");
  }
  FWSEAL_TRY(check_trust(policy));
  return policy;
}

}  // namespace

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

Result<TrustedKey> make_trusted_key(const EVP_PKEY* key, std::string name) {
  TrustedKey out;
  out.name = std::move(name);
  FWSEAL_ASSIGN(out.algorithm, algorithm_of(key));
  FWSEAL_ASSIGN(out.spki_der, public_key_to_der(key));
  out.key_id = sha256(out.spki_der);
  return out;
}

Status check_trust(const TrustPolicy& policy) {
  if (policy.key_sets.empty()) return bad("trust.keys", "at least one key is required");
  if (policy.algorithms.empty()) return bad("trust.algorithms", "at least one algorithm is required");
  // Keys are compared as keys, not as bytes: one EC key has a compressed and an
  // uncompressed SubjectPublicKeyInfo, and listing both would let one signer
  // count twice towards a threshold.
  struct Seen {
    std::string where;
    ossl::PKey key;
    KeyId id;
  };
  std::vector<Seen> seen;
  for (const auto& set : policy.key_sets) {
    const std::string sw = set_path(set);
    if (set.keys.empty()) return bad(sw + ".keys", "at least one key is required");
    if (set.keys.size() > kMaxTrustKeys)
      return bad(sw + ".keys", "more than " + std::to_string(kMaxTrustKeys) + " keys");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < set.keys.size(); ++i) {
      const TrustedKey& key = set.keys[i];
      const std::string kw = index_path(sw + ".keys", i);
      if (!key.name.empty()) {
        FWSEAL_TRY(check_text(key.name, kw + ".name"));
        if (std::find(names.begin(), names.end(), key.name) != names.end())
          return bad(kw + ".name", "\"" + key.name + "\" names two keys");
        names.push_back(key.name);
      }
      FWSEAL_ASSIGN(ossl::PKey pkey, public_key_from_der(key.spki_der, kw + ".public_key"));
      auto alg = algorithm_of(pkey.get());
      if (!alg.ok()) return bad(kw + ".public_key", alg.error().message);
      if (*alg != key.algorithm) return bad(kw + ".public_key", "algorithm does not match the key");
      if (sha256(key.spki_der) != key.key_id) return bad(kw + ".key_id", "does not match the public key");
      for (const auto& other : seen) {
        if (other.id == key.key_id || EVP_PKEY_eq(pkey.get(), other.key.get()) == 1)
          return bad(kw + ".public_key", "the same key as " + other.where);
      }
      seen.push_back(Seen{kw, std::move(pkey), key.key_id});
    }
    if (set.threshold < 1) return bad(sw + ".threshold", "must be at least 1");
    std::uint64_t usable = 0;
    for (const auto& key : set.keys)
      if (!policy.revoked(key.key_id) && policy.algorithm_allowed(key.algorithm)) ++usable;
    if (set.threshold > usable)
      return bad(sw + ".threshold", std::to_string(set.threshold) + " signatures required but only " +
                                        std::to_string(usable) +
                                        " usable keys (listed in keys, not revoked, with an allowed algorithm)");
  }
  for (std::size_t i = 0; i < policy.algorithms.size(); ++i)
    if (std::find(policy.algorithms.begin(), policy.algorithms.begin() + static_cast<std::ptrdiff_t>(i),
                  policy.algorithms[i]) != policy.algorithms.begin() + static_cast<std::ptrdiff_t>(i))
      return bad(index_path("trust.algorithms", i),
                 "\"" + std::string(algorithm_name(policy.algorithms[i])) + "\" is listed twice");
  if (policy.revoked_key_ids.size() > kMaxRevokedKeyIds)
    return bad("trust.revoked_key_ids", "more than " + std::to_string(kMaxRevokedKeyIds) + " ids");
  for (std::size_t i = 0; i < policy.revoked_key_ids.size(); ++i)
    for (std::size_t k = 0; k < i; ++k)
      if (policy.revoked_key_ids[k] == policy.revoked_key_ids[i])
        return bad(index_path("trust.revoked_key_ids", i), to_hex(policy.revoked_key_ids[i]) + " is listed twice");
  if (policy.hardware.size() > kMaxHardwareIds)
    return bad("trust.hardware", "more than " + std::to_string(kMaxHardwareIds) + " ids");
  for (std::size_t i = 0; i < policy.hardware.size(); ++i) {
    FWSEAL_TRY(check_hardware_id(policy.hardware[i], index_path("trust.hardware", i)));
    for (std::size_t k = 0; k < i; ++k)
      if (policy.hardware[k] == policy.hardware[i])
        return bad(index_path("trust.hardware", i), "\"" + policy.hardware[i] + "\" is listed twice");
  }
  return ok_status();
}

Result<TrustPolicy> parse_trust(std::string_view text, std::string_view what) {
  FWSEAL_ASSIGN(json j, parse_json_with_comments(text, what, JsonLimits{kMaxTrustBytes, 8}));
  auto policy = parse_policy(j);
  if (!policy.ok()) {
    Error e = std::move(policy).error();
    // Member paths start with "trust."; say which file they are in.
    if (what != "trust" && !std::string_view(e.message).starts_with(what))
      e.message = std::string(what) + ": " + e.message;
    return e;
  }
  return policy;
}

Result<TrustPolicy> load_trust(const std::string& path) {
  FWSEAL_ASSIGN(std::string text, read_file(path, kMaxTrustBytes));
  return parse_trust(text, path);
}

Result<std::string> serialize_trust(const TrustPolicy& policy) {
  FWSEAL_TRY(check_trust(policy));
  if (policy.key_sets.size() != 1 || !policy.key_sets[0].role.empty())
    return bad("trust", "key sets by role need a newer trust.json format version");
  const KeySet& set = policy.key_sets[0];
  using ojson = nlohmann::ordered_json;
  ojson keys = ojson::array();
  for (const auto& key : set.keys) {
    ojson k = ojson::object();
    if (!key.name.empty()) k["name"] = key.name;
    k["key_id"] = to_hex(key.key_id);
    FWSEAL_ASSIGN(ossl::PKey pkey, public_key_from_der(key.spki_der, "key"));
    FWSEAL_ASSIGN(k["public_key"], public_key_to_pem(pkey.get()));
    keys.push_back(std::move(k));
  }
  ojson algorithms = ojson::array();
  for (Algorithm alg : policy.algorithms) algorithms.push_back(algorithm_name(alg));
  ojson revoked = ojson::array();
  for (const auto& id : policy.revoked_key_ids) revoked.push_back(to_hex(id));

  ojson j = ojson::object();
  j["format"] = kTrustFormat;
  j["format_version"] = kTrustFormatVersion;
  j["keys"] = std::move(keys);
  j["threshold"] = set.threshold;
  j["algorithms"] = std::move(algorithms);
  j["revoked_key_ids"] = std::move(revoked);
  // Integers above 2^53 lose precision in many JSON readers; write those as text.
  if (policy.min_security_version <= kMaxJsonInteger)
    j["min_security_version"] = policy.min_security_version;
  else
    j["min_security_version"] = std::to_string(policy.min_security_version);
  if (!policy.hardware.empty()) j["hardware"] = policy.hardware;
  return j.dump(2) + "\n";
}

}  // namespace fwseal
