// parse_trust on arbitrary text (docs/FORMAT.md section 4).
//
// Invariants:
//   - a refusal is Code::malformed;
//   - a policy that parses passes check_trust, serialize_trust writes it,
//     that text parses back to an equal policy and re-serialises identically;
//   - verify_package of a fixed package (signed by fixed key a, security
//     version 3, hardware acme-cam-v1/acme-cam-v2) under the parsed policy
//     gives exactly the code the policy implies (0, 13, 14 or 15): an oracle
//     for the decision steps 7a, 7c and 7d.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/verify.h"

using namespace fwseal;
using namespace fwseal::verifier;

namespace {

Code expected_code(const TrustPolicy& p) {
  const fuzz::FixedKey& a = fuzz::fixed_key(fuzz::KeyName::trusted_a);
  const bool counted = p.find_key(a.id) != nullptr && !p.revoked(a.id) && p.algorithm_allowed(Algorithm::ed25519);
  for (const KeySet& set : p.key_sets) {
    const bool in_set = std::any_of(set.keys.begin(), set.keys.end(), [&](const TrustedKey& k) { return k.key_id == a.id; });
    if ((counted && in_set ? 1u : 0u) < set.threshold) return Code::untrusted;
  }
  if (p.min_security_version > 3) return Code::rollback;
  if (!p.hardware.empty() && std::find(p.hardware.begin(), p.hardware.end(), "acme-cam-v1") == p.hardware.end() &&
      std::find(p.hardware.begin(), p.hardware.end(), "acme-cam-v2") == p.hardware.end())
    return Code::hardware;
  return Code::ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto policy = parse_trust(input, "trust.json");
  if (!policy.ok()) {
    FUZZ_CHECK(policy.error().code == Code::malformed, fuzz::describe(policy));
    return 0;
  }
  Status checked = check_trust(*policy);
  FUZZ_CHECK(checked.ok(), fuzz::describe(checked));
  auto text = serialize_trust(*policy);
  FUZZ_CHECK(text.ok(), fuzz::describe(text));
  auto again = parse_trust(*text, "serialised");
  FUZZ_CHECK(again.ok(), fuzz::describe(again) + "\n" + *text);
  FUZZ_CHECK(*again == *policy, "serialize_trust then parse_trust gives another policy:\n" + *text);
  auto text2 = serialize_trust(*again);
  FUZZ_CHECK(text2.ok() && *text2 == *text, "serialize_trust is not stable:\n" + *text);

  Fd fd = fuzz::memory_fd(fuzz::fixed_package());
  VerifyReport r = verify_package(fd.get(), *policy, VerifyOptions{});
  const Code got = r.status.ok() ? Code::ok : r.status.error().code;
  const Code want = expected_code(*policy);
  FUZZ_CHECK(got == want, "verify_package says " + fuzz::describe(r.status) + ", the policy implies " +
                              std::to_string(exit_code(want)));
  FUZZ_CHECK(r.ok() == (got == Code::ok), "report.ok() disagrees with its status");
  return 0;
}
