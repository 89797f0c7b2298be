// The release report: report.json for machines and report.html, a
// self-contained page (inline CSS, no scripts, nothing fetched) for an
// auditor who opens it offline. The HTML shows exactly what report.json says.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwseal/base/error.h"
#include "fwseal/base/text.h"  // html_escape, for the page
#include "fwseal/format/trust.h"
#include "fwseal/pipeline/plan.h"

namespace fwseal::pipeline {

// A step that failed: its exit code and one-line message.
struct StepFailure {
  Step step = Step::package;
  int exit_code = 1;
  std::string message;
};

struct VariantOutcome {
  std::optional<StepFailure> failure;  // the first failed step, if any
  bool repro_ran = false;              // repro.json is from this plan (false: the check was off)
};

struct SigningKeyInfo {
  std::string uri;
  std::string key_id;     // hex
  std::string algorithm;
  std::string certificate_chain;  // path, may be empty
};

struct ReportContext {
  std::string tool_version;  // "fwseal 0.1.0"
  std::vector<SigningKeyInfo> keys;
  const TrustPolicy* trust = nullptr;
  std::string provenance_key_uri;
  std::string provenance_key_id;  // hex
  // The provenance key's public key, as the run opened it: the report checks
  // each provenance against it (and says whether the trust policy pins it).
  std::optional<TrustedKey> provenance_key;
  // Where the build time came from: "release" (the release file's `created`),
  // "SOURCE_DATE_EPOCH", or "none" (created 0, not recorded).
  std::string created_source = "none";
  // The signing audit log the run's signers appended to (docs/AUDIT.md);
  // empty: not looked up. Read only; its path never reaches the report.
  std::string audit_log;
};

// Reads each variant's verify.json, repro.json, SBOM and package from its work
// directory and assembles the report (format "fwseal-release-report", version 1;
// docs/PIPELINE.md lists its members). File names in it are relative to the
// output directory, where a passing run publishes it; in a failing run's
// report, which stays in the work tree, the variants' files are named
// relative to the work tree. Code::malformed if a step's output is unreadable JSON.
Result<nlohmann::ordered_json> build_report(const ReleasePlan& plan, const std::vector<VariantOutcome>& outcomes,
                                            const ReportContext& context);

// The SBOM summary of one CycloneDX document: component count, counts by
// licence and by how each component was found, warnings.
nlohmann::ordered_json sbom_summary(const nlohmann::json& bom);

// One row per component of the SBOM (the images themselves excluded), in
// document order: name, version, licence, purl, images (the images whose
// dependencies list it), identified_by (how the SBOM generator found it, as
// in by_source), techniques (the CycloneDX evidence techniques).
nlohmann::ordered_json sbom_components(const nlohmann::json& bom);

// `path` as the report may show it: relative to `base` when inside it, else
// its last component only, so no absolute path of the build machine reaches
// the report.
std::string report_path(const std::string& path, const std::string& base);

// report.html for a report made by build_report.
std::string render_html(const nlohmann::ordered_json& report);

}  // namespace fwseal::pipeline
