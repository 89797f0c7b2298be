#include "fwseal/inventory/vex_export.h"

#include <map>
#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "fwseal/base/time.h"
#include "fwseal/sbom/purl.h"

namespace fwseal::inventory {
namespace {

using ordered = nlohmann::ordered_json;

// OpenVEX/CSAF justifications onto CycloneDX's, where one means the same;
// CycloneDX's own pass through.
std::string cdx_justification(const std::string& j) {
  static const std::map<std::string, std::string> kMap = {
      {"component_not_present", "code_not_present"},
      {"vulnerable_code_not_present", "code_not_present"},
      {"vulnerable_code_not_in_execute_path", "code_not_reachable"},
      {"inline_mitigations_already_exist", "protected_by_mitigating_control"},
      {"code_not_present", "code_not_present"},
      {"code_not_reachable", "code_not_reachable"},
      {"requires_configuration", "requires_configuration"},
      {"requires_dependency", "requires_dependency"},
      {"requires_environment", "requires_environment"},
      {"protected_by_compiler", "protected_by_compiler"},
      {"protected_at_runtime", "protected_at_runtime"},
      {"protected_at_perimeter", "protected_at_perimeter"},
      {"protected_by_mitigating_control", "protected_by_mitigating_control"}};
  auto it = kMap.find(j);
  return it == kMap.end() ? "" : it->second;
}

// CycloneDX's onto OpenVEX's, where one means the same.
std::string openvex_justification(const std::string& j) {
  static const std::map<std::string, std::string> kMap = {
      {"code_not_present", "vulnerable_code_not_present"},
      {"code_not_reachable", "vulnerable_code_not_in_execute_path"},
      {"protected_by_mitigating_control", "inline_mitigations_already_exist"},
      {"protected_by_compiler", "inline_mitigations_already_exist"},
      {"protected_at_runtime", "inline_mitigations_already_exist"},
      {"component_not_present", "component_not_present"},
      {"vulnerable_code_not_present", "vulnerable_code_not_present"},
      {"vulnerable_code_not_in_execute_path", "vulnerable_code_not_in_execute_path"},
      {"vulnerable_code_cannot_be_controlled_by_adversary", "vulnerable_code_cannot_be_controlled_by_adversary"},
      {"inline_mitigations_already_exist", "inline_mitigations_already_exist"}};
  auto it = kMap.find(j);
  return it == kMap.end() ? "" : it->second;
}

std::string status_of(const Finding& f) { return f.statement ? f.statement->status : "under_investigation"; }

// The detail, and the justification when the target vocabulary has none
// that means the same (nothing said is dropped).
std::string detail_of(const Finding& f, const std::string& mapped_justification) {
  if (!f.statement) return "";
  std::string d = f.statement->detail;
  if (!f.statement->justification.empty() && mapped_justification.empty())
    d += (d.empty() ? "" : " ") + std::string("(justification: ") + f.statement->justification + ")";
  return d;
}

// A name-based UUID (version 5 layout) from the document's content.
std::string content_uuid(const std::string& content) {
  std::string h = sha256_hex(content);
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::string cyclonedx(const std::vector<Finding>& findings, const VexDocument& doc) {
  ordered components = ordered::array(), vulnerabilities = ordered::array();
  std::map<std::string, std::string> ref_of;  // component key -> bom-ref
  for (const auto& f : findings) {
    const std::string key = f.component + "\n" + f.component_version + "\n" + f.purl + "\n" + f.cpe;
    auto [it, fresh] = ref_of.emplace(key, "component-" + std::to_string(ref_of.size() + 1));
    if (fresh) {
      ordered c = {{"bom-ref", it->second}, {"type", "library"}, {"name", f.component}};
      if (!f.component_version.empty()) c["version"] = f.component_version;
      if (!f.cpe.empty()) c["cpe"] = f.cpe;
      if (!f.purl.empty()) c["purl"] = f.purl;
      components.push_back(std::move(c));
    }
    ordered v = {{"bom-ref", "vulnerability-" + std::to_string(vulnerabilities.size() + 1)}, {"id", f.advisory}};
    if (f.cvss)
      v["ratings"] = ordered::array({{{"score", *f.cvss},
                                      {"severity", f.severity},
                                      {"method", f.cvss_vector.starts_with("CVSS:3.1/") ? "CVSSv31" : "CVSSv3"},
                                      {"vector", f.cvss_vector}}});
    if (!f.summary.empty()) v["description"] = f.summary;
    if (!f.fixed.empty()) v["recommendation"] = "Update " + f.component + " to " + f.fixed + " or later.";
    static const std::map<std::string, std::string> kState = {
        {"not_affected", "not_affected"}, {"affected", "exploitable"}, {"fixed", "resolved"},
        {"under_investigation", "in_triage"}};
    ordered analysis = {{"state", kState.at(status_of(f))}};
    const std::string j = f.statement ? cdx_justification(f.statement->justification) : "";
    if (!j.empty()) analysis["justification"] = j;
    if (std::string d = detail_of(f, j); !d.empty()) analysis["detail"] = d;
    v["analysis"] = std::move(analysis);
    v["affects"] = ordered::array({{{"ref", it->second}}});
    vulnerabilities.push_back(std::move(v));
  }
  ordered tool = {{"type", "application"}, {"name", "fwseal"}};
  if (!doc.tool_version.empty()) tool["version"] = doc.tool_version;
  ordered bom = {{"bomFormat", "CycloneDX"},
                 {"specVersion", "1.6"},
                 {"serialNumber", ""},
                 {"version", 1},
                 {"metadata",
                  {{"timestamp", doc.timestamp},
                   {"tools", {{"components", ordered::array({tool})}}},
                   {"component", {{"type", "firmware"}, {"bom-ref", "release"}, {"name", doc.product}, {"version", doc.version}}}}},
                 {"components", std::move(components)},
                 {"vulnerabilities", std::move(vulnerabilities)}};
  bom["serialNumber"] = "urn:uuid:" + content_uuid(bom.dump());
  return bom.dump(2, ' ', false, ordered::error_handler_t::replace) + "\n";
}

std::string openvex(const std::vector<Finding>& findings, const VexDocument& doc) {
  ordered statements = ordered::array();
  const std::string release = sbom::make_purl("generic", "", doc.product, doc.version);
  for (const auto& f : findings) {
    ordered vuln = {{"name", f.advisory}};
    if (!f.aliases.empty()) vuln["aliases"] = f.aliases;
    ordered sub = ordered::object();
    if (!f.purl.empty()) sub["@id"] = f.purl;
    if (!f.purl.empty() || !f.cpe.empty()) {
      ordered ids = ordered::object();
      if (!f.purl.empty()) ids["purl"] = f.purl;
      if (!f.cpe.empty()) ids["cpe23"] = f.cpe;
      sub["identifiers"] = std::move(ids);
    } else {
      sub["@id"] = sbom::make_purl("generic", "", f.component, f.component_version);
    }
    ordered s = {{"vulnerability", std::move(vuln)},
                 {"products", ordered::array({{{"@id", release}, {"subcomponents", ordered::array({sub})}}})},
                 {"status", status_of(f)}};
    const std::string j = f.statement ? openvex_justification(f.statement->justification) : "";
    const std::string detail = detail_of(f, j);
    if (status_of(f) == "not_affected") {
      if (!j.empty()) s["justification"] = j;
      if (!detail.empty() || j.empty()) s["impact_statement"] = detail.empty() ? "not affected" : detail;
    } else if (status_of(f) == "affected") {
      s["action_statement"] = !detail.empty()   ? detail
                              : !f.fixed.empty() ? "Update " + f.component + " to " + f.fixed + " or later."
                                                 : "No fix is known yet.";
    } else if (!detail.empty()) {
      s["status_notes"] = detail;
    }
    statements.push_back(std::move(s));
  }
  ordered out = {{"@context", "https://openvex.dev/ns/v0.2.0"},
                 {"@id", ""},
                 {"author", doc.author},
                 {"timestamp", doc.timestamp},
                 {"version", 1},
                 {"tooling", "fwseal" + (doc.tool_version.empty() ? std::string() : " " + doc.tool_version)},
                 {"statements", std::move(statements)}};
  out["@id"] = "urn:uuid:" + content_uuid(out.dump());
  return out.dump(2, ' ', false, ordered::error_handler_t::replace) + "\n";
}

}  // namespace

std::string release_vex(const std::vector<Finding>& findings, VexFormat format, const VexDocument& doc) {
  return format == VexFormat::cyclonedx ? cyclonedx(findings, doc) : openvex(findings, doc);
}

}  // namespace fwseal::inventory
