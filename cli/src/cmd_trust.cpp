#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/trust.h"

namespace fwseal::cli {

namespace {

Result<TrustPolicy> policy_from(const Args& args) {
  TrustPolicy p;
  KeySet set;
  for (const auto& path : args.values("--pubkey")) {
    FWSEAL_ASSIGN(std::string pem, read_file(path, 1 << 20));
    FWSEAL_ASSIGN(ossl::PKey key, public_key_from_pem(pem, path));
    FWSEAL_ASSIGN(TrustedKey k, make_trusted_key(key.get(), key_name_from_path(path)));
    set.keys.push_back(std::move(k));
  }
  if (set.keys.empty()) return make_error(Code::usage, "at least one --pubkey is required");
  if (auto t = args.value("--threshold")) {
    FWSEAL_ASSIGN(std::uint64_t n, parse_security_version(*t, "--threshold"));
    set.threshold = n;
  }
  p.key_sets.push_back(std::move(set));
  if (auto algs = args.values("--alg"); !algs.empty()) {
    p.algorithms.clear();
    for (const auto& a : algs) {
      FWSEAL_ASSIGN(Algorithm alg, parse_algorithm(a, "--alg"));
      p.algorithms.push_back(alg);
    }
  }
  for (const auto& id : args.values("--revoke")) {
    FWSEAL_ASSIGN(KeyId k, sha256_from_hex(id, "--revoke"));
    p.revoked_key_ids.push_back(k);
  }
  if (auto v = args.value("--min-security-version")) {
    FWSEAL_ASSIGN(p.min_security_version, parse_security_version(*v, "--min-security-version"));
  }
  p.hardware = args.values("--hw");
  FWSEAL_TRY(check_trust(p));
  return p;
}

int trust_create(const Args& args) {
  auto out = args.required("-o");
  if (!out.ok()) return usage_error(out.error().message);
  auto policy = policy_from(args);
  if (!policy.ok()) {
    if (policy.error().code == Code::usage) return usage_error(policy.error().message);
    return fail(policy.error());
  }
  auto text = serialize_trust(*policy);
  if (!text.ok()) return fail(text.error());
  auto w = write_file_atomic(*out, *text);
  if (!w.ok()) return fail(w.error());
  const KeySet& set = policy->key_sets.front();
  if (args.flag("--json")) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : set.keys)
      keys.push_back({{"name", k.name}, {"key_id", to_hex(k.key_id)}, {"algorithm", algorithm_name(k.algorithm)}});
    print_json({{"trust", *out}, {"keys", keys}, {"threshold", set.threshold}, {"hardware", policy->hardware},
                {"min_security_version", std::to_string(policy->min_security_version)}});
  } else if (!args.flag("--quiet")) {
    std::printf("wrote %s: %zu key%s, threshold %llu\n", out->c_str(), set.keys.size(), set.keys.size() == 1 ? "" : "s",
                static_cast<unsigned long long>(set.threshold));
  }
  return 0;
}

}  // namespace

void add_trust_command(Command& fwseal) {
  Command& trust = fwseal.add_command("trust", "trust policies: what a device trusts (docs/TRUST.md)");
  Command& c = add_command(trust, "create", "write a trust policy from public keys", trust_create);
  c.add_value("-o,--output", "TRUST.json", "the trust policy to write")->required();
  c.add_values("--pubkey", "PEM", "a trusted public key (at least one)");
  c.add_value("--threshold", "N", "how many of the keys must sign (default 1)");
  c.add_values("--alg", "ALG", "an allowed signature algorithm (default: all five)");
  c.add_values("--hw", "ID", "a hardware id the device accepts");
  c.add_value("--min-security-version", "N", "refuse packages whose security version is below N");
  c.add_values("--revoke", "KEYID", "a revoked key id (SHA-256 of its public key, hex)");
  add_output_switches(c);
}

}  // namespace fwseal::cli
