// Step 7a: enough valid signatures by trusted keys, for every key set.
//
// A key is trusted for a key set if trust.json pins it in that set's keys, or
// if the signature's certificate chain leads to one of that set's roots
// (chain.h). Each envelope is decided on its own, in this order:
//   revoked key id  -> revoked (counts nowhere, even if pinned)
//   chain revoked   -> revoked (a CRL revokes the certificate, and so the key)
//   neither pinned nor certified -> unknown / chain-not-trusted
//   algorithm not allowed -> algorithm-not-allowed
//   signature does not verify -> invalid: Code::signature for the package
//   trusted for two key sets -> role-conflict (a key acts in one role only)
//   otherwise valid, counted once for its key set.
// One key counts once per package however many envelopes name it, and keys
// are compared as keys (an EC key has two encodings).
#include <algorithm>

#include "chain.h"
#include "steps.h"

namespace fwseal::verifier::steps {
namespace {

std::string key_label(const SignatureReport& r) {
  std::string out = "key " + short_hex(r.key_id);
  if (!r.key_name.empty())
    out += " (" + r.key_name + ")";
  else if (r.chain && !r.chain->certificates.empty())
    out += " ('" + r.chain->certificates.front().subject + "')";
  return out;
}

// Why a signature did not count towards `set`, as a clause of the "threshold
// not met" message; empty if it is not worth mentioning.
std::string why_not_counted(const SignatureReport& r, const std::string& set, bool several_sets) {
  // Chain details are sentences of their own ("certificate '...' expired ...").
  const bool from_chain = r.chain && r.chain->result == CheckResult::fail && r.detail == r.chain->detail;
  switch (r.status) {
    case SignatureStatus::unknown:
    case SignatureStatus::revoked:
    case SignatureStatus::algorithm_not_allowed:
    case SignatureStatus::role_conflict:
    case SignatureStatus::chain_not_trusted:
      return key_label(r) + (from_chain ? ": " : " ") + r.detail;
    case SignatureStatus::valid:
      if (several_sets && !r.role.empty() && r.role != set) return key_label(r) + " counts for " + r.role;
      break;
    case SignatureStatus::invalid:
      break;
  }
  return {};
}

struct Counted {
  std::size_t set;
  KeyId id;
  ossl::PKey key;
};

// The key sets a verified key is trusted for.
std::vector<std::size_t> sets_of(const TrustPolicy& trust, const KeyId& id, const std::optional<ChainVerdict>& chain) {
  std::vector<std::size_t> sets;
  for (std::size_t s = 0; s < trust.key_sets.size(); ++s)
    for (const auto& key : trust.key_sets[s].keys)
      if (key.key_id == id) sets.push_back(s);
  if (chain && chain->outcome == ChainVerdict::Outcome::trusted &&
      std::find(sets.begin(), sets.end(), chain->key_set) == sets.end())
    sets.push_back(chain->key_set);
  std::sort(sets.begin(), sets.end());
  return sets;
}

std::string conflict_detail(const TrustPolicy& trust, const std::vector<std::size_t>& sets) {
  std::string names;
  for (std::size_t s : sets) names += (names.empty() ? "" : " and ") + key_set_label(trust.key_sets[s]);
  return "is trusted by " + names +
         " (pinned in one, certified under the other's root): a key acts in one role only, so it counts for none; "
         "remove it from one role";
}

std::string needs(std::uint64_t missing, const KeySet& set) {
  return std::to_string(missing) + " more valid signature" + (missing == 1 ? "" : "s") + " by " +
         (set.role.empty() ? std::string("keys trust.json trusts") : "keys of " + key_set_label(set)) +
         (missing == 1 ? " is" : " are") + " needed";
}

}  // namespace

Status check_signatures(const UnverifiedManifest& manifest, const std::vector<SignatureEnvelope>& envelopes,
                        const TrustPolicy& trust, SignatureDecision* out) {
  const std::string message = signed_bytes(manifest.bytes);
  const bool roots = trust.has_roots();
  std::vector<Counted> counted;
  std::optional<Error> first_bad;
  std::optional<ChainAnchors> anchors;  // parsed on the first envelope with a chain, then shared
  for (const auto& env : envelopes) {
    SignatureReport r;
    r.key_id = env.key_id;
    r.algorithm = env.algorithm;
    const TrustedKey* pinned = trust.find_key(env.key_id);
    if (pinned) r.key_name = pinned->name;
    std::optional<ChainVerdict> chain;
    if (!env.certificates.empty() && roots) {
      if (!anchors) {
        FWSEAL_ASSIGN(anchors, ChainAnchors::load(trust));
      }
      FWSEAL_ASSIGN(chain, check_chain(env, trust, *anchors, manifest.content.created));
      r.chain = chain->report;
    } else if (!env.certificates.empty()) {
      r.chain = ChainReport{CheckResult::skip, "not checked: trust.json lists no roots", {}, {}, {}};
    }
    const bool certified = chain && chain->outcome == ChainVerdict::Outcome::trusted;
    const EVP_PKEY* key = nullptr;
    ossl::PKey pinned_key;
    if (pinned) {
      FWSEAL_ASSIGN(pinned_key, public_key_from_der(pinned->spki_der, "trusted key"));
      key = pinned_key.get();
    } else if (certified) {
      key = chain->leaf_key.get();
    }
    FWSEAL_ASSIGN(Algorithm key_alg, key ? algorithm_of(key) : Result<Algorithm>(env.algorithm));

    if (trust.revoked(env.key_id)) {
      r.status = SignatureStatus::revoked;
      r.detail = "is revoked by trust.json (revoked_key_ids)";
    } else if (chain && chain->outcome == ChainVerdict::Outcome::revoked) {
      r.status = SignatureStatus::revoked;
      r.detail = chain->report.detail;
    } else if (!key) {
      r.status = chain ? SignatureStatus::chain_not_trusted : SignatureStatus::unknown;
      r.detail = chain ? chain->report.detail
                       : "is not in trust.json" + std::string(roots && env.certificates.empty()
                                                                  ? " and the signature carries no certificate chain"
                                                                  : "");
    } else if (!trust.algorithm_allowed(env.algorithm) || !trust.algorithm_allowed(key_alg)) {
      r.status = SignatureStatus::algorithm_not_allowed;
      Algorithm refused = trust.algorithm_allowed(env.algorithm) ? key_alg : env.algorithm;
      r.detail = "signs with " + std::string(algorithm_name(refused)) + ", which trust.json does not allow";
    } else if (Status s = verify_signature(env.algorithm, key, message, env.signature); !s.ok()) {
      if (s.error().code != Code::signature && s.error().code != Code::untrusted) return std::move(s).error();
      r.status = SignatureStatus::invalid;
      // OpenSSL's plain "does not verify" says only that bytes changed; fwseal's
      // own refusals (a high S, an RSA signature of the wrong length) say why.
      r.detail = s.error().message == "signature does not verify" ? "the manifest or signature was changed"
                                                                    : s.error().message;
      if (!first_bad)
        first_bad = make_error(Code::signature, "signature by " + key_label(r) + " does not verify: " + r.detail);
    } else if (auto sets = sets_of(trust, env.key_id, chain); sets.size() != 1) {
      r.status = SignatureStatus::role_conflict;
      r.detail = conflict_detail(trust, sets);
    } else {
      r.status = SignatureStatus::valid;
      r.detail = "valid";
      r.role = key_set_label(trust.key_sets[sets[0]]);
      const bool again = std::any_of(counted.begin(), counted.end(), [&](const Counted& c) {
        return c.id == env.key_id || EVP_PKEY_eq(c.key.get(), key) == 1;
      });
      if (!again) {
        ossl::PKey copy(EVP_PKEY_dup(const_cast<EVP_PKEY*>(key)));  // NOLINT: EVP_PKEY_dup only reads
        if (!copy) return make_error(Code::internal, "out of memory");
        counted.push_back(Counted{sets[0], env.key_id, std::move(copy)});
      }
    }
    out->reports.push_back(std::move(r));
  }
  for (const auto& set : trust.key_sets) out->required += set.threshold;
  out->valid = counted.size();

  // A trusted key's signature that fails means the package was changed after
  // signing: that is worth its own code even when other signatures suffice.
  if (first_bad) return std::move(*first_bad);
  if (envelopes.empty()) return make_error(Code::untrusted, "package is not signed");

  for (std::size_t s = 0; s < trust.key_sets.size(); ++s) {
    const KeySet& set = trust.key_sets[s];
    const auto count = static_cast<std::uint64_t>(
        std::count_if(counted.begin(), counted.end(), [s](const Counted& c) { return c.set == s; }));
    if (count >= set.threshold) continue;
    const std::string label = key_set_label(set);
    std::string why;
    for (const auto& r : out->reports)
      if (std::string clause = why_not_counted(r, label, trust.key_sets.size() > 1); !clause.empty())
        why += (why.empty() ? "" : "; ") + clause;
    if (why.empty()) why = "no other signature by a key in trust.json";
    std::string role = set.role.empty() ? "" : label + ": ";
    return make_error(Code::untrusted, role + std::to_string(count) + " of " + std::to_string(set.threshold) +
                                           " required signatures: " + why + " (" + needs(set.threshold - count, set) +
                                           ")");
  }
  return ok_status();
}

}  // namespace fwseal::verifier::steps
