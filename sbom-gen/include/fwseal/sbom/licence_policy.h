// The licence policy of a release: which licences its components may carry,
// judged from the SBOM, and what the firmware must ship because of them.
// docs/USAGE.md ("Licence policy") describes the same rules for users.
//
// The policy file (JSON; // and /* */ comments allowed; unknown members are
// errors):
//
//   {"allow": ["MIT", "BSD-3-Clause", "GPL-2.0-only", "LicenseRef-Acme-Proprietary"],
//    "deny": ["AGPL-3.0-only", "AGPL-3.0-or-later"],
//    "signed_boot": true}
//
// Every entry is one SPDX licence id (any case; a deprecated id counts as its
// modern spelling, "GPL-2.0" as "GPL-2.0-only"), an id with "+", or a
// LicenseRef-. "allow" is required and not empty; "deny" and "signed_boot"
// (default false) are optional.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

inline constexpr std::size_t kMaxLicencePolicyBytes = 1u << 20;

struct LicencePolicy {
  std::vector<std::string> allow;  // normalised ids, in file order
  std::vector<std::string> deny;
  bool signed_boot = false;  // the device boots only signed firmware: GPLv3's installation information cannot be given
};

// Parses a policy file's text; `what` names the file. Code::malformed with one
// line naming the file and the member, e.g.
// `licences.json: policy.allow[2]: unknown SPDX licence id "Foo-1.0" (...)`.
Result<LicencePolicy> parse_licence_policy(std::string_view text, std::string_view what);

// Reads and parses a policy file: Code::io if it cannot be read.
Result<LicencePolicy> load_licence_policy(const std::string& path);

// One component's judgement; every verdict but `allowed` fails the check.
enum class LicenceVerdict {
  denied,       // the licence (the part an AND forces, or every OR alternative) is denied
  not_allowed,  // an id is neither allowed nor denied
  unknown,      // no licence, NOASSERTION/NONE, or a name that is no SPDX expression
  conflict,     // allowed, but GPLv3-family under signed boot (installation information, GPLv3 section 6)
  allowed,
};
std::string_view verdict_name(LicenceVerdict v);  // "denied", "not allowed", "unknown", "conflict", "allowed"

struct ComponentLicence {
  std::string name;
  std::string version;  // may be empty
  std::string licence;  // as the SBOM states it, one line ("" for none)
  LicenceVerdict verdict = LicenceVerdict::unknown;
  std::string reason;   // one line: why (empty when allowed)
  // The licences the judgement settled on: for an OR, the alternative chosen
  // (allowed, without a conflict, without a source offer where possible).
  std::vector<std::string> chosen;
  std::vector<std::string> denied;        // denied ids behind the verdict
  std::vector<std::string> not_allowed;   // ids neither allowed nor denied
  std::vector<std::string> conflicts;     // GPLv3-family ids under signed boot
  std::vector<std::string> source_offer;  // GPL/LGPL/AGPL ids among `chosen`: a written source offer must ship
  std::string label() const;              // "name@version", or "name" without a version
};

struct LicenceCheck {
  bool signed_boot = false;
  std::vector<ComponentLicence> components;  // every component but the images, in SBOM order (nested ones after their parent)
  bool pass() const;
  std::size_t count(LicenceVerdict v) const;
  std::size_t source_offers() const;
};

// Judges every component of a CycloneDX 1.6 SBOM (checked with validate_sbom
// first: Code::malformed naming "sbom") against the policy. The images that
// fwseal describes (property fwseal:image-type) are the product's own and are
// not judged. Several `licenses` entries all apply (AND).
Result<LicenceCheck> check_licences(std::string_view sbom_bytes, const LicencePolicy& policy);

// For people: one line per problem ("denied: foo@1.0 (AGPL-3.0-only): ..."),
// one per component that needs a source offer, then a summary line.
std::string licence_check_to_text(const LicenceCheck& check);

// The same as one JSON object: {"verdict", "signed_boot", "summary",
// "problems": [...], "source_offer": [...]}; 2-space indent, final newline.
std::string licence_check_to_json(const LicenceCheck& check);

}  // namespace fwseal::sbom
