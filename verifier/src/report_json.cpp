// The --json report.
#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {
namespace {

using ojson = nlohmann::ordered_json;

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

  ojson j = ojson::object();
  j["verdict"] = valid ? "valid" : "invalid";
  j["exit_code"] = exit_code(code);
  j["code"] = code_name(code);
  j["message"] = report.status.ok() ? std::string("the package is valid") : report.status.error().message;
  j["manifest_digest"] = report.manifest_digest ? ojson(to_hex(*report.manifest_digest)) : ojson(nullptr);
  // Everything below "manifest_verified" comes from the manifest; unless the
  // verdict is valid, it is what the package claims, not what is true.
  j["manifest_verified"] = valid;
  if (m) {
    j["product"] = m->product;
    j["version"] = m->version;
    j["security_version"] = std::to_string(m->security_version);
    j["created"] = m->created;
    j["hardware"] = m->hardware;
    ojson images = ojson::array();
    for (const auto& img : m->images)
      images.push_back({{"name", img.name}, {"type", img.type}, {"size", img.size}, {"sha256", to_hex(img.sha256)}});
    j["images"] = std::move(images);
    j["sbom"] = m->sbom ? ojson{{"size", m->sbom->size}, {"sha256", to_hex(m->sbom->sha256)}} : ojson(nullptr);
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
  // Messages may quote bytes from a hostile package; never let them break the output.
  return j.dump(2, ' ', false, ojson::error_handler_t::replace) + "\n";
}

}  // namespace fwseal::verifier
