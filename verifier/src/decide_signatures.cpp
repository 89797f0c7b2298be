// Step 7a: enough valid signatures by trusted keys, for every key set.
//
// A key is trusted for a key set if trust.json pins it in that set's keys, or
// if the signature's certificate chain leads to one of that set's roots
// (chain.h). Each envelope is decided on its own, in this order:
//   revoked key id  -> revoked (counts nowhere, even if pinned)
//   chain revoked   -> revoked (a CRL revokes the certificate, and so the key)
//   neither pinned nor certified -> unknown / chain-not-trusted
//   algorithm not allowed -> algorithm-not-allowed
//   signature does not verify -> invalid: Code::signature for the package (R17,
//                                 R22 for a high S)
//   trusted for two key sets -> role-conflict (a key acts in one role only)
//   otherwise valid, counted once for its key set.
// One key counts once per package however many envelopes name it, and keys
// are compared as keys (an EC key has two encodings).
#include <algorithm>

#include "chain.h"
#include "fwseal/format/rule.h"
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

// What phase 1 learns about one envelope: its report, and for a valid
// signature the key that made it and the one key set it counts for.
struct Classified {
  SignatureReport report;
  ossl::PKey key;              // the verifying key, for a valid signature
  std::size_t set = 0;         // its key set, for a valid signature
  std::optional<Error> error;  // a trusted key's signature that does not verify
};

// The key an envelope is checked with: pinned in trust.json, else the leaf of
// a trusted chain; null if neither.
Result<ossl::PKey> verifying_key(const TrustedKey* pinned, const std::optional<ChainVerdict>& chain) {
  if (pinned) return public_key_from_der(pinned->spki_der, "trusted key");
  if (chain && chain->outcome == ChainVerdict::Outcome::trusted) {
    ossl::PKey copy(EVP_PKEY_dup(const_cast<EVP_PKEY*>(chain->leaf_key.get())));  // NOLINT: EVP_PKEY_dup only reads
    if (!copy) return make_error(Code::internal, "out of memory");
    return copy;
  }
  return ossl::PKey();
}

// Phase 1, one envelope: its status, in the order of FORMAT.md step 7a --
// revoked, unknown or untrusted chain, algorithm not allowed, invalid (R17),
// in two roles, valid.
Result<Classified> classify(const SignatureEnvelope& env, const TrustPolicy& trust, const std::string& message,
                            std::optional<ChainAnchors>& anchors, std::int64_t created) {
  Classified c;
  SignatureReport& r = c.report;
  r.key_id = env.key_id;
  r.algorithm = env.algorithm;
  const bool roots = trust.has_roots();
  const TrustedKey* pinned = trust.find_key(env.key_id);
  if (pinned) r.key_name = pinned->name;
  std::optional<ChainVerdict> chain;
  if (!env.certificates.empty() && roots) {
    if (!anchors) {  // parsed once, then shared by every envelope
      FWSEAL_ASSIGN(anchors, ChainAnchors::load(trust));
    }
    FWSEAL_ASSIGN(chain, check_chain(env, trust, *anchors, created));
    r.chain = chain->report;
  } else if (!env.certificates.empty()) {
    r.chain = ChainReport{CheckResult::skip, "not checked: trust.json lists no roots", {}, {}, {}};
  }
  FWSEAL_ASSIGN(ossl::PKey key, verifying_key(pinned, chain));
  // R18: a key a chain certifies is of an fwseal algorithm.
  FWSEAL_ASSIGN(Algorithm key_alg, with_rule("R18", key ? algorithm_of(key.get()) : Result<Algorithm>(env.algorithm)));

  // R18: revoked, unknown, untrusted chains and disallowed algorithms do not count.
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
  } else if (Status v = verify_signature(env.algorithm, key.get(), message, env.signature); !v.ok()) {
    if (v.error().code != Code::signature && v.error().code != Code::untrusted) return std::move(v).error();
    r.status = SignatureStatus::invalid;
    // OpenSSL's plain "does not verify" says only that bytes changed; fwseal's
    // own refusals (a high S, an RSA signature of the wrong length) say why.
    const std::string_view why = without_rule(v.error().message);
    r.detail = why == "signature does not verify" ? "the manifest or signature was changed" : std::string(why);
    // R17, or R22 where verify_signature refused a high S.
    const std::string_view rule = rule_of(v.error().message);
    c.error = with_rule(rule.empty() ? "R17" : rule,
                        make_error(Code::signature, "signature by " + key_label(r) + " does not verify: " + r.detail));
  } else if (auto sets = sets_of(trust, env.key_id, chain); sets.size() != 1) {
    r.status = SignatureStatus::role_conflict;
    r.detail = conflict_detail(trust, sets);
  } else {
    r.status = SignatureStatus::valid;
    r.detail = "valid";
    r.role = key_set_label(trust.key_sets[sets[0]]);
    c.set = sets[0];
    c.key = std::move(key);
  }
  return c;
}

// Phase 2: each key counts once, for its key set, however many envelopes it
// signed (the same key id, or the same public key under another encoding).
std::vector<Counted> count_keys(const std::vector<Classified>& classified) {
  std::vector<Counted> counted;
  for (const auto& c : classified) {
    if (c.report.status != SignatureStatus::valid) continue;
    const bool again = std::any_of(counted.begin(), counted.end(), [&](const Counted& k) {
      return k.id == c.report.key_id || EVP_PKEY_eq(k.key.get(), c.key.get()) == 1;
    });
    if (again) continue;
    ossl::PKey copy(EVP_PKEY_dup(const_cast<EVP_PKEY*>(c.key.get())));  // NOLINT: EVP_PKEY_dup only reads
    counted.push_back(Counted{c.set, c.report.key_id, std::move(copy)});
  }
  return counted;
}

// Phase 3: the decision. A trusted key's signature that fails means the
// package was changed after signing (12), even when other signatures would
// suffice; then every key set needs its threshold (13).
Status decide(const TrustPolicy& trust, const std::vector<Classified>& classified, const std::vector<Counted>& counted,
              const std::vector<SignatureReport>& reports) {
  for (const auto& c : classified)
    if (c.error) return *c.error;  // R17, R22
  // R18: every key set's threshold.
  if (classified.empty()) return with_rule("R18", make_error(Code::untrusted, "package is not signed"));
  for (std::size_t s = 0; s < trust.key_sets.size(); ++s) {
    const KeySet& set = trust.key_sets[s];
    const auto count = static_cast<std::uint64_t>(
        std::count_if(counted.begin(), counted.end(), [s](const Counted& c) { return c.set == s; }));
    if (count >= set.threshold) continue;
    const std::string label = key_set_label(set);
    std::string why;
    for (const auto& r : reports)
      if (std::string clause = why_not_counted(r, label, trust.key_sets.size() > 1); !clause.empty())
        why += (why.empty() ? "" : "; ") + clause;
    if (why.empty()) why = "no other signature by a key in trust.json";
    std::string role = set.role.empty() ? "" : label + ": ";
    // R18: this key set's threshold is not met.
    return with_rule("R18", make_error(Code::untrusted, role + std::to_string(count) + " of " +
                                                            std::to_string(set.threshold) + " required signatures: " +
                                                            why + " (" + needs(set.threshold - count, set) + ")"));
  }
  return ok_status();
}

}  // namespace

Status check_signatures(const UnverifiedManifest& manifest, const std::vector<SignatureEnvelope>& envelopes,
                        const TrustPolicy& trust, SignatureDecision* out) {
  const std::string message = signed_bytes(manifest.bytes);
  std::optional<ChainAnchors> anchors;
  std::vector<Classified> classified;
  for (const auto& env : envelopes) {
    FWSEAL_ASSIGN(Classified c, classify(env, trust, message, anchors, manifest.content.created));
    out->reports.push_back(c.report);
    classified.push_back(std::move(c));
  }
  const std::vector<Counted> counted = count_keys(classified);
  for (const auto& set : trust.key_sets) out->required += set.threshold;
  out->valid = counted.size();
  return decide(trust, classified, counted, out->reports);
}

}  // namespace fwseal::verifier::steps
