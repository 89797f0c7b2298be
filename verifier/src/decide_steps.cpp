// Step 7: the decision, once the whole package has been read. The order is part
// of the format: a bootloader that checks in another order may report another
// code for the same package.
#include <algorithm>

#include "fwseal/base/digest.h"
#include "fwseal/format/rule.h"
#include "steps.h"

namespace fwseal::verifier::steps {
namespace {

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + quote(id);
  return out;
}

}  // namespace

// Step 7a is decide_signatures.cpp (and chain.cpp for certificates).

// Step 7b: R19.
Status check_digests(const Contents& contents) {
  for (const auto& d : contents.digests)
    if (d.actual != d.expected)  // R19
      return with_rule("R19", make_error(Code::digest, d.label + ": SHA-256 mismatch (manifest " +
                                                           short_hex(d.expected) + ", content " +
                                                           short_hex(d.actual) + "): the content was changed"));
  return ok_status();
}

// Step 7c (R20): the minimum, from trust.json and the device.
std::uint64_t minimum_security_version(const TrustPolicy& trust, const VerifyOptions& options) {
  return std::max(trust.min_security_version, options.installed_security_version.value_or(0));
}

Status check_rollback(const Manifest& unverified, const TrustPolicy& trust, const VerifyOptions& options) {
  const std::uint64_t minimum = minimum_security_version(trust, options);
  if (unverified.security_version >= minimum) return ok_status();  // R20
  std::string from = "trust.json min_security_version " + std::to_string(trust.min_security_version);
  if (options.installed_security_version)
    from += ", installed security version " + std::to_string(*options.installed_security_version);
  return with_rule("R20", make_error(Code::rollback, "security version " +
                                                         std::to_string(unverified.security_version) +
                                                         " is below the minimum " + std::to_string(minimum) + " (" +
                                                         from + "): refusing a rollback"));
}

// Step 7d (R21): the device's ids.
const std::vector<std::string>& device_hardware(const TrustPolicy& trust, const VerifyOptions& options) {
  return options.hardware.empty() ? trust.hardware : options.hardware;
}

Status check_hardware(const Manifest& unverified, const std::vector<std::string>& device) {
  for (const auto& id : device)  // R21: exact bytes
    if (std::find(unverified.hardware.begin(), unverified.hardware.end(), id) != unverified.hardware.end())
      return ok_status();
  return with_rule("R21", make_error(Code::hardware, "package is for hardware " + joined(unverified.hardware) +
                                                         ", not for this device (" + joined(device) + ")"));
}

}  // namespace fwseal::verifier::steps
