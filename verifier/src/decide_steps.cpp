// Step 7: the decision, once the whole package has been read. The order is part
// of the format: a bootloader that checks in another order may report another
// code for the same package.
#include <algorithm>
#include <set>

#include "fwseal/format/digest.h"
#include "steps.h"

namespace fwseal::steps {
namespace {

std::string key_label(const SignatureReport& r) {
  std::string out = "key " + short_hex(r.key_id);
  if (!r.key_name.empty()) out += " (" + r.key_name + ")";
  return out;
}

// Why a signature did not count, as a clause of the "threshold not met" message.
std::string why_not_counted(const SignatureReport& r) {
  switch (r.status) {
    case SignatureStatus::unknown:
    case SignatureStatus::revoked:
    case SignatureStatus::algorithm_not_allowed: return key_label(r) + " " + r.detail;
    case SignatureStatus::valid:
    case SignatureStatus::invalid: break;
  }
  return {};
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + shown(id);
  return out;
}

}  // namespace

// Step 7a.
Status check_signatures(const UnverifiedManifest& manifest, const std::vector<SignatureEnvelope>& envelopes,
                        const TrustPolicy& trust, SignatureDecision* out) {
  const std::string message = signed_bytes(manifest.bytes);
  std::set<KeyId> valid_keys;  // one key counts once, however many envelopes name it
  std::optional<Error> first_bad;
  for (const auto& env : envelopes) {
    SignatureReport r;
    r.key_id = env.key_id;
    r.algorithm = env.algorithm;
    const TrustedKey* key = trust.find_key(env.key_id);
    if (key) r.key_name = key->name;
    if (trust.revoked(env.key_id)) {
      r.status = SignatureStatus::revoked;
      r.detail = "is revoked by trust.json";
    } else if (!key) {
      r.status = SignatureStatus::unknown;
      r.detail = "is not in trust.json";
    } else if (!trust.algorithm_allowed(env.algorithm) || !trust.algorithm_allowed(key->algorithm)) {
      r.status = SignatureStatus::algorithm_not_allowed;
      Algorithm refused = trust.algorithm_allowed(env.algorithm) ? key->algorithm : env.algorithm;
      r.detail = "signs with " + std::string(algorithm_name(refused)) + ", which trust.json does not allow";
    } else {
      FWSEAL_ASSIGN(ossl::PKey pkey, public_key_from_der(key->spki_der, "trusted key"));
      Status s = verify_signature(env.algorithm, pkey.get(), message, env.signature);
      if (s.ok()) {
        r.status = SignatureStatus::valid;
        r.detail = "valid";
        valid_keys.insert(env.key_id);
      } else if (s.error().code == Code::signature || s.error().code == Code::untrusted) {
        r.status = SignatureStatus::invalid;
        r.detail = s.error().code == Code::signature ? "the manifest or signature was changed" : s.error().message;
        if (!first_bad)
          first_bad = make_error(Code::signature, "signature by " + key_label(r) + " does not verify: " + r.detail);
      } else {
        return std::move(s).error();
      }
    }
    out->reports.push_back(std::move(r));
  }
  for (const auto& set : trust.key_sets) out->required += set.threshold;
  out->valid = valid_keys.size();

  // A trusted key's signature that fails means the package was changed after
  // signing: that is worth its own code even when other signatures suffice.
  if (first_bad) return std::move(*first_bad);
  if (envelopes.empty()) return make_error(Code::untrusted, "package is not signed");

  for (const auto& set : trust.key_sets) {
    std::uint64_t count = 0;
    for (const auto& key : set.keys)
      if (valid_keys.count(key.key_id)) ++count;
    if (count >= set.threshold) continue;
    std::string why;
    for (const auto& r : out->reports)
      if (std::string clause = why_not_counted(r); !clause.empty()) why += (why.empty() ? "" : "; ") + clause;
    if (why.empty()) why = "no other signature by a key in trust.json";
    std::string role = set.role.empty() ? "" : "role " + set.role + ": ";
    return make_error(Code::untrusted, role + std::to_string(count) + " of " + std::to_string(set.threshold) +
                                           " required signatures: " + why);
  }
  return ok_status();
}

// Step 7b.
Status check_digests(const Contents& contents) {
  for (const auto& d : contents.digests)
    if (d.actual != d.expected)
      return make_error(Code::digest, d.label + ": SHA-256 mismatch (manifest " + short_hex(d.expected) +
                                          ", content " + short_hex(d.actual) + "): the content was changed");
  return ok_status();
}

// Step 7c.
std::uint64_t minimum_security_version(const TrustPolicy& trust, const VerifyOptions& options) {
  return std::max(trust.min_security_version, options.installed_security_version.value_or(0));
}

Status check_rollback(const Manifest& unverified, const TrustPolicy& trust, const VerifyOptions& options) {
  const std::uint64_t minimum = minimum_security_version(trust, options);
  if (unverified.security_version >= minimum) return ok_status();
  std::string from = "trust.json min_security_version " + std::to_string(trust.min_security_version);
  if (options.installed_security_version)
    from += ", installed security version " + std::to_string(*options.installed_security_version);
  return make_error(Code::rollback, "security version " + std::to_string(unverified.security_version) +
                                        " is below the minimum " + std::to_string(minimum) + " (" + from +
                                        "): refusing a rollback");
}

// Step 7d.
const std::vector<std::string>& device_hardware(const TrustPolicy& trust, const VerifyOptions& options) {
  return options.hardware.empty() ? trust.hardware : options.hardware;
}

Status check_hardware(const Manifest& unverified, const std::vector<std::string>& device) {
  for (const auto& id : device)
    if (std::find(unverified.hardware.begin(), unverified.hardware.end(), id) != unverified.hardware.end())
      return ok_status();
  return make_error(Code::hardware, "package is for hardware " + joined(unverified.hardware) +
                                        ", not for this device (" + joined(device) + ")");
}

}  // namespace fwseal::steps
