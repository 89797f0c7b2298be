// The trust policy (trust.json): what a device keeps in OTP or secure storage,
// and everything the verifier needs besides the package. docs/FORMAT.md section
// "Trust policy" is the prose form of this file.
//
//   {
//     "format": "fwseal-trust",
//     "format_version": 1,
//     "keys": [                                   // trusted root public keys
//       { "name": "release-1",                    // optional label for messages
//         "public_key": "-----BEGIN PUBLIC KEY-----\n...",   // PEM SubjectPublicKeyInfo
//         "key_id": "3f2a..." }                   // optional; must equal SHA-256 of the SPKI
//     ],
//     "threshold": 2,                             // default 1; <= number of usable keys
//     "algorithms": ["ecdsa-p256", "ed25519"],    // default: all five
//     "revoked_key_ids": ["9c01..."],             // default: none
//     "min_security_version": 3,                  // or "18446744073709551615"; default 0
//     "hardware": ["acme-cam-v2"]                 // optional: this device's hardware ids
//   }
//
// The file is hand-written, so // and /* */ comments are allowed; everything
// else is strict: unknown members, duplicates and inconsistent values are
// Code::malformed naming the member path ("trust.keys[1].public_key: ...").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/format/error.h"
#include "fwseal/format/signature.h"

namespace fwseal {

inline constexpr std::string_view kTrustFormat = "fwseal-trust";
inline constexpr int kTrustFormatVersion = 1;
inline constexpr std::size_t kMaxTrustBytes = 1 << 20;
inline constexpr std::size_t kMaxTrustKeys = 64;
inline constexpr std::size_t kMaxRevokedKeyIds = 1024;

// A root public key the device trusts.
struct TrustedKey {
  std::string name;       // label for messages; may be empty
  std::string spki_der;   // DER SubjectPublicKeyInfo, as decoded from the PEM
  KeyId key_id{};         // SHA-256 of spki_der
  Algorithm algorithm{};  // the one algorithm this key signs with (algorithm_of)

  bool operator==(const TrustedKey&) const = default;
};

// "`threshold` valid signatures by distinct keys of `keys`". Version 1 of the
// file has exactly one key set (the top-level "keys" and "threshold", role "").
// Per-role sets ("2 of these 3 release keys plus 1 of these officer keys") and
// X.509 roots become more KeySets or more members of one; a package must then
// satisfy every set.
struct KeySet {
  std::string role;  // "" for the top-level keys of version 1
  std::vector<TrustedKey> keys;
  std::uint64_t threshold = 1;

  bool operator==(const KeySet&) const = default;
};

struct TrustPolicy {
  std::vector<KeySet> key_sets;  // version 1: exactly one
  std::vector<Algorithm> algorithms{std::begin(kAllAlgorithms), std::end(kAllAlgorithms)};
  std::vector<KeyId> revoked_key_ids;
  std::uint64_t min_security_version = 0;
  std::vector<std::string> hardware;  // this device's hardware ids; may be empty

  bool operator==(const TrustPolicy&) const = default;

  bool algorithm_allowed(Algorithm alg) const;
  bool revoked(const KeyId& id) const;
  // The key with this id in any key set, or nullptr.
  const TrustedKey* find_key(const KeyId& id) const;
};

// Builds a TrustedKey from a public key. Code::untrusted if fwseal does not sign
// with keys of this type or size (see algorithm_of).
Result<TrustedKey> make_trusted_key(const EVP_PKEY* key, std::string name = {});

// Every rule a policy must satisfy: at least one key, no key twice, thresholds
// between 1 and the number of usable (not revoked, algorithm allowed) keys, no
// duplicate algorithms, revoked ids or hardware ids, valid hardware ids.
// Code::malformed naming the member path.
Status check_trust(const TrustPolicy& policy);

// Parses trust.json text. `what` names the file in messages (e.g. its path).
// Code::malformed for anything that is not a valid policy.
Result<TrustPolicy> parse_trust(std::string_view text, std::string_view what);

// Reads and parses a trust file: Code::io if it cannot be read, else as parse_trust.
Result<TrustPolicy> load_trust(const std::string& path);

// Pretty-printed, deterministic trust.json text that parse_trust reads back to
// an equal policy. Code::malformed if `policy` breaks a rule of check_trust.
Result<std::string> serialize_trust(const TrustPolicy& policy);

}  // namespace fwseal
