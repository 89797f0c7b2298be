// The reproducibility check: rebuild a variant in a scratch directory under a
// perturbed environment, as child processes of fwseal (`fwseal sbom generate`
// and `fwseal package` with a generated spec pointing at copies of the
// inputs), and compare the result with the released package byte for byte.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "fwseal/base/error.h"
#include "fwseal/pipeline/compare.h"
#include "fwseal/pipeline/plan.h"

namespace fwseal::pipeline {

// How the rebuild's environment differs from the build's.
struct Perturbation {
  std::map<std::string, std::string> env;  // TZ, LC_ALL, LANG
  mode_t umask = 077;
  std::string cwd;  // the scratch directory
  std::string inputs;  // "copies of the inputs with new mtimes" or "rebuilt by: <command>"
};

struct ReproReport {
  bool reproducible = false;
  Perturbation perturbation;
  CompareResult comparison;
  std::string message;  // one line
};

struct ReproOptions {
  std::string package;      // the signed package to check
  std::string fwseal;       // the fwseal executable for the child processes
  std::string scratch_root; // where the scratch directory fwseal-repro-XXXXXX is made; empty: $TMPDIR, else /tmp
  bool keep_scratch = false;
};

// Rebuilds `variant` and compares. A difference is a result, not an error:
// the report says what differs (the caller exits 10). Errors: Code::io for
// files and child processes that cannot be run, the code of a rebuild step
// that fails (its message, prefixed "rebuild: "), Code::malformed if the
// package is not well formed.
Result<ReproReport> check_reproducible(const VariantPlan& variant, const ReproOptions& options);

// repro.json: {"result": "pass"|"fail", "message", "manifest_sha256": {"released", "rebuilt"},
// "first_difference": {offset, entry, part, field} | null, "differing_entries", "environment"}.
nlohmann::ordered_json repro_report_json(const ReproReport& report);

}  // namespace fwseal::pipeline
