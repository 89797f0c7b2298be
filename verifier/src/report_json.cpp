// The --json report.
#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "fwseal/base/json_output.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {
namespace {

using ojson = nlohmann::json;

// One signature's certificate chain: the result of the X.509 check, and each
// certificate as read (leaf first).
ojson chain_json(const ChainReport& c) {
  ojson certs = ojson::array();
  for (const auto& cert : c.certificates)
    certs.push_back({{"subject", cert.subject},
                     {"issuer", cert.issuer},
                     {"serial", cert.serial},
                     {"not_before", cert.not_before},
                     {"not_after", cert.not_after}});
  return {{"result", check_result_name(c.result)},
          {"detail", c.detail},
          {"root", c.root.empty() ? ojson(nullptr) : ojson(c.root)},
          {"certificates", std::move(certs)},
          {"notes", c.notes}};
}

}  // namespace

std::string report_json(const VerifyReport& report) {
  const bool valid = report.ok();
  const Code code = report.status.ok() ? Code::ok : report.status.error().code;
  const Manifest* m = valid ? &report.verified->manifest()
                            : (report.unverified_manifest ? &*report.unverified_manifest : nullptr);

  ojson j = report.status.ok() ? json_document("verify") : json_failure("verify", report.status.error());
  j["verdict"] = valid ? "valid" : "invalid";
  j["exit_code"] = exit_code(code);
  j["code"] = code_name(code);
  if (report.status.ok()) j["message"] = "the package is valid";
  j["manifest_sha256"] = report.manifest_digest ? ojson(to_hex(*report.manifest_digest)) : ojson(nullptr);
  // The manifest's facts: unless the verdict is valid, what the package
  // claims, not what is true ("manifest_verified").
  j["manifest_verified"] = valid;
  if (m) {
    j.update(manifest_facts_json(*m));
  } else {
    for (const char* k : {"product", "version", "security_version", "created", "hardware", "images", "sbom"})
      j[k] = nullptr;
  }
  j["signatures_valid"] = report.signatures_valid;
  j["signatures_required"] = report.signatures_required;
  ojson sigs = ojson::array();
  for (const auto& s : report.signatures)
    sigs.push_back({{"key_id", to_hex(s.key_id)},
                    {"algorithm", algorithm_name(s.algorithm)},
                    {"key_name", s.key_name.empty() ? ojson(nullptr) : ojson(s.key_name)},
                    {"status", signature_status_name(s.status)},
                    {"detail", s.detail},
                    {"counted_for", s.role.empty() ? ojson(nullptr) : ojson(s.role)},
                    {"chain", s.chain ? chain_json(*s.chain) : ojson(nullptr)}});
  j["signatures"] = std::move(sigs);
  ojson checks = ojson::array();
  for (const auto& c : report.checks)
    checks.push_back({{"step", c.step}, {"name", c.name}, {"result", check_result_name(c.result)}, {"detail", c.detail}});
  j["checks"] = std::move(checks);
  // Messages may quote bytes from a hostile package; the dump replaces what is not UTF-8.
  return dump_json_document(j);
}

}  // namespace fwseal::verifier
