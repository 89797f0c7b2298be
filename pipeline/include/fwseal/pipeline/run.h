// `fwseal pipeline run`: a whole release from a release file.
//
//   1. read the release file; open every signing key once (PIN and key are
//      checked before any work starts; nothing is prompted for later)
//   2. write trust.json, each variant's package spec and variant.json, and
//      build.ninja into OUT/.fwseal (each only if its content changed, so
//      ninja sees unchanged inputs as unchanged)
//   3. run ninja: per variant, SBOM -> package -> licence policy (if the
//      release names one) -> sign with every key -> fwseal-verify ->
//      reproducibility check; variants build in parallel and a re-run
//      rebuilds only what changed
//   4. report.json and report.html from what the steps recorded
//   5. only if every package passed every check: publish the packages, SBOMs,
//      trust.json and the report into OUT (each file renamed into place;
//      report.json last)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/progress.h"
#include "fwseal/pipeline/report.h"

namespace fwseal::pipeline {

struct RunOptions {
  std::string release_file;
  std::optional<std::string> output;  // overrides the release file's output directory
  std::optional<unsigned> jobs;       // ninja -j; default: ninja's
  bool no_repro = false;              // skip the reproducibility check for this run
  // "critical", "high", "medium" or "low": overrides inventory.scan.fail_on
  // (Code::usage when the release file has no inventory.scan).
  std::string fail_on;
  std::string tool_version;           // "fwseal 0.1.0", for the report
  // The running phase or build step ("[3/12 done] package x100: packaging:
  // reading and hashing images") and its bytes, reported by the steps
  // themselves over a pipe (base/progress.h); tick() about four times a
  // second. Called from the thread that called run_release; null: nothing.
  ProgressSink* progress = nullptr;
};

struct VariantSummary {
  std::string name;             // "" for a release without variants
  std::string package;          // published path (empty unless published)
  std::string manifest_sha256;  // empty if not known
  std::string verdict;          // "pass" or "fail"
  std::string reproducibility;  // "pass", "fail", "skipped", "not-run"
  std::string licences;         // the licence policy: "pass", "fail", "not-run"; "" without one
};

struct RunSummary {
  std::string release;
  std::string out_dir;
  std::string verdict;             // "pass" or "fail"
  std::size_t steps_run = 0;       // build steps ninja ran this time
  bool up_to_date = false;         // ninja had no work to do
  std::string report_json;         // path (published, else in OUT/.fwseal)
  std::string report_html;
  bool published = false;
  std::vector<VariantSummary> variants;
  // With "inventory" in the release file: per package, what `inventory add`
  // said ("added acme-cam 1.4.2 (57 components)"), and the inventory.
  std::vector<std::string> inventory;
  std::string inventory_db;
  // With "scan": per published release, its findings ("acme-cam 1.4.2: 3
  // findings, 1 open (1 high)"), and the file holding them all.
  std::vector<std::string> vulnerabilities;
  std::string vulnerabilities_json;
  std::optional<Error> error;      // set when verdict is "fail": the first failure
};

// Runs the release. Errors before the build (release file, keys, tools) are
// returned as errors: Code::malformed for the release file (naming the
// member), Code::io (missing ninja or fwseal-verify, unwritable output),
// Code::hsm / Code::login for the keys. Once the build ran, the result is a
// summary; a failed step makes its verdict "fail" and its `error` carries the
// step's exit code and message (10 for a reproducibility difference, 16 for a
// licence policy that fails).
Result<RunSummary> run_release(const RunOptions& options);

}  // namespace fwseal::pipeline
