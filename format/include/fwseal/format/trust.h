// The trust policy (trust.json): what a device keeps in OTP or secure storage,
// and everything the verifier needs besides the package. docs/FORMAT.md section
// "Trust policy" and docs/TRUST.md are the prose form of this file.
//
// Version 1 pins public keys:
//   {
//     "format": "fwseal-trust",
//     "format_version": 1,
//     "keys": [                                   // trusted public keys
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
// Version 2 adds X.509 roots, CRLs and roles (a version 1 reader refuses it
// by its version, not by a confusing member error):
//   "roots": [ { "name": "fleet-root-1",          // optional label
//                "certificate": "-----BEGIN CERTIFICATE-----\n..." or "roots/fleet-1.pem",
//                "require_crl": true } ],         // default false
//   "crls": [ "-----BEGIN X509 CRL-----\n..." or "crl/fleet-1.crl" ],
//   "validity": "build-time" | "none",            // default "build-time"
//   "required_eku": "1.3.6.1.5.5.7.3.3",          // default: code signing
//   "roles": [ { "name": "release", "keys": [...], "roots": [...], "threshold": 2 },
//              { "name": "security-officer", "keys": [...] } ]
// "roles" replaces the top-level keys/roots/threshold; a package must satisfy
// every role. A key or root belongs to one role only. Strings that do not
// start with "-----BEGIN" are file names relative to trust.json's directory
// (PEM or DER). docs/TRUST.md explains each rule.
//
// The file is hand-written, so // and /* */ comments are allowed; everything
// else is strict: unknown members, duplicates and inconsistent values are
// Code::malformed starting with the rule of docs/FORMAT.md section 4 and naming
// the member path ("T5: trust.keys[1].public_key: ..."; parse_trust puts the
// file's name after the rule).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/x509.h"

namespace fwseal {

inline constexpr std::string_view kTrustFormat = "fwseal-trust";
inline constexpr int kTrustFormatVersion = 2;  // the newest version this fwseal reads (1 and 2)
inline constexpr std::size_t kMaxTrustBytes = 1 << 20;
inline constexpr std::size_t kMaxTrustKeys = 64;
inline constexpr std::size_t kMaxRevokedKeyIds = 1024;
inline constexpr std::size_t kMaxTrustRoots = 16;
inline constexpr std::size_t kMaxTrustRoles = 8;
inline constexpr std::size_t kMaxTrustCrls = 16;

// A root public key the device trusts.
struct TrustedKey {
  std::string name;       // label for messages; may be empty
  std::string spki_der;   // DER SubjectPublicKeyInfo, as decoded from the PEM
  KeyId key_id{};         // SHA-256 of spki_der
  Algorithm algorithm{};  // the one algorithm this key signs with (algorithm_of)

  bool operator==(const TrustedKey&) const = default;
};

// A root CA certificate the device trusts: signatures whose certificate chain
// leads to it count for its key set.
struct TrustedRoot {
  std::string name;             // label for messages; may be empty
  std::string certificate_der;  // self-signed CA certificate
  bool require_crl = false;     // fail closed when a CA under this root has no CRL in trust.json

  bool operator==(const TrustedRoot&) const = default;
};

// "`threshold` valid signatures by distinct keys that are in `keys` or are
// certified under one of `roots`". The top-level keys/roots/threshold are one
// set with role ""; "roles" gives several, and a package must satisfy every set.
struct KeySet {
  std::string role;  // "" for the top-level set
  std::vector<TrustedKey> keys;
  std::vector<TrustedRoot> roots;
  std::uint64_t threshold = 1;

  bool operator==(const KeySet&) const = default;
};

// When a certificate must have been valid. Devices have no clock to trust.
enum class CertValidity {
  build_time,  // at the manifest's `created` time (the default)
  none,        // never checked
};
std::string_view validity_name(CertValidity v);  // "build-time", "none"

struct TrustedCrl {
  std::string source;  // for messages: "trust.crls[0]" or "trust.crls[0] (crl/root.crl)"
  std::string der;

  bool operator==(const TrustedCrl& o) const { return der == o.der; }
};

struct TrustPolicy {
  std::vector<KeySet> key_sets;  // at least one
  std::vector<Algorithm> algorithms{std::begin(kAllAlgorithms), std::end(kAllAlgorithms)};
  std::vector<KeyId> revoked_key_ids;
  std::uint64_t min_security_version = 0;
  std::vector<std::string> hardware;  // this device's hardware ids; may be empty
  // Certificate settings (format version 2; only with roots).
  std::vector<TrustedCrl> crls;
  CertValidity validity = CertValidity::build_time;
  std::string required_eku{kCodeSigningEku};  // dotted OID the signing certificate must list

  bool operator==(const TrustPolicy&) const = default;

  bool algorithm_allowed(Algorithm alg) const;
  bool revoked(const KeyId& id) const;
  // The key with this id in any key set, or nullptr.
  const TrustedKey* find_key(const KeyId& id) const;
  bool has_roots() const;
  // The format version serialize_trust writes: 1 unless version 2 features are used.
  int format_version() const;
};

// How a key set is named in messages: "trust" for the top-level set, else
// "role <name>".
std::string key_set_label(const KeySet& set);

// Builds a TrustedKey from a public key. Code::untrusted if fwseal does not sign
// with keys of this type or size (see algorithm_of).
Result<TrustedKey> make_trusted_key(const EVP_PKEY* key, std::string name = {});

// The name a key or root gets from its file: the file name without its
// directory and without ".pub.pem", ".pem" or ".crt" ("keys/fw-2026.pub.pem"
// -> "fw-2026").
std::string key_name_from_path(std::string_view path);

// Every rule a policy must satisfy: each set has a key or a root, no key or
// root twice (not even in two roles), thresholds between 1 and the number of
// usable keys (not revoked, algorithm allowed; a set with roots may be
// satisfied by up to kMaxSignatures certified keys), roots are self-signed CA
// certificates with keys of fwseal's algorithms, CRLs parse and those issued
// by a root verify with its key, certificate settings only with roots, no
// duplicate algorithms, revoked ids, hardware ids, roles or CRLs. Code::malformed
// starting with the rule (T1-T10) and naming the member path.
Status check_trust(const TrustPolicy& policy);

// Parses trust.json text. `what` names the file in messages (e.g. its path).
// Certificates and CRLs given as file names are read relative to `base_dir`;
// with an empty `base_dir` only inline PEM is accepted. Code::malformed for
// anything that is not a valid policy ("T5: <what>: trust.keys[1]..."; T4 for
// the file's JSON and members), Code::io for a named file that cannot be read.
Result<TrustPolicy> parse_trust(std::string_view text, std::string_view what, std::string_view base_dir = {});

// Reads and parses a trust file (files it names are relative to its
// directory): Code::io if it cannot be read, else as parse_trust.
Result<TrustPolicy> load_trust(const std::string& path);

// Pretty-printed, deterministic, self-contained (certificates and CRLs inline)
// trust.json text that parse_trust reads back to an equal policy; version 1
// unless the policy needs version 2. Code::malformed if `policy` breaks a rule
// of check_trust.
Result<std::string> serialize_trust(const TrustPolicy& policy);

}  // namespace fwseal
