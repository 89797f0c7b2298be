// What a release run builds, and where: one VariantPlan per package, the
// files the run generates for each (the package spec, variant.json), and the
// build.ninja whose edges are fwseal commands.
//
// Layout of an output directory OUT:
//   OUT/trust.json, OUT/report.json, OUT/report.html     the release
//   OUT/<release>.fwpkg, .fwpkg.intoto.jsonl, OUT/sbom.cdx.json   a release without variants
//   OUT/<variant>/<release>-<variant>.fwpkg, .intoto.jsonl, sbom.cdx.json   each variant
//   OUT/.fwseal/                                         the run's work tree (build.ninja,
//       trust.json, v/<variant>/{package.json, variant.json, sbom.cdx.json, PKG,
//       licences.json, verify.json, repro.json, *.log}); what ninja keeps between runs
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fwseal/base/error.h"
#include "fwseal/pipeline/release.h"

namespace fwseal::pipeline {

// The steps of a variant, in order; each is one ninja edge (licences and
// repro only where they apply).
// The package step makes the SBOM too (it is embedded, and needs the digests
// the copy computes); the licences step checks that SBOM against the release's
// licence policy before anything is signed.
enum class Step { package, licences, sign, verify, provenance, repro };
inline constexpr Step kSteps[] = {Step::package, Step::licences, Step::sign, Step::verify, Step::provenance, Step::repro};
std::string_view step_name(Step s);  // "package", "licences", "sign", "verify", "provenance", "repro"

struct VariantPlan {
  std::string name;         // "" for a release without variants
  std::string label;        // for messages: the variant name, else the release name
  std::string work_dir;     // OUT/.fwseal/v/<name> ("release" for the implicit variant)
  std::string publish_dir;  // OUT, or OUT/<name>
  std::string package_name; // "<release>.fwpkg" or "<release>-<variant>.fwpkg"

  std::string product, version, supplier;
  std::uint64_t security_version = 0;
  std::int64_t created = 0;
  std::vector<std::string> hardware;
  std::vector<ReleaseImage> images;
  std::vector<std::string> components_files;  // the release's, then the generated one for inline components
  std::vector<nlohmann::json> inline_components;
  bool repro = true;
  std::string rebuild_images;  // ReproSpec::rebuild_images
  bool sbom_sha512 = false;    // Release::sbom_sha512
  nlohmann::json sbom_parties = nlohmann::json::object();  // Release::sbom_parties
  std::string release_dir;     // $FWSEAL_RELEASE_DIR for the rebuild command
  std::string licence_policy;  // Release::licence_policy; empty: no licences step
  // Release::encryption, for a variant with an encrypted image (else unset),
  // and the module a token-held secret is in: the package step and the
  // rebuild give them to fwseal package (encryption_args).
  std::optional<EncryptionSecretSpec> encryption;
  std::string module;

  std::string file(std::string_view leaf) const { return work_dir + "/" + std::string(leaf); }
  std::string spec_path() const { return file("package.json"); }
  std::string variant_path() const { return file("variant.json"); }
  std::string sbom_path() const { return file("sbom.cdx.json"); }
  std::string package_path() const { return file(package_name); }
  std::string unsigned_path() const { return file("." + package_name + ".unsigned"); }
  std::string unsigned_stamp() const { return file("unsigned.stamp"); }
  std::string verify_path() const { return file("verify.json"); }
  std::string provenance_path() const { return file(package_name + ".intoto.jsonl"); }
  std::string repro_path() const { return file("repro.json"); }
  std::string licences_path() const { return file("licences.json"); }  // fwseal sbom check --json
  std::string inline_components_path() const { return file("components.json"); }
  // Components files are read from copies at the same relative name in the
  // build and in the rebuild ("components/<k>-<file name>", from work_dir or
  // the scratch directory): sbom-gen records the name it was given.
  std::string components_copy(std::size_t k) const;
  std::string log_path(Step s) const { return file(std::string(step_name(s)) + ".log"); }
  std::string code_path(Step s) const { return file(std::string(step_name(s)) + ".code"); }
};

struct Tools {
  std::string fwseal;  // this executable
  std::string verify;  // fwseal-verify beside it
};

struct ReleasePlan {
  std::string release_file;
  std::string release_name;
  std::string out_dir;   // absolute
  std::string work_dir;  // out_dir/.fwseal
  Tools tools;
  std::string module;                  // --module for fwseal sign; may be empty
  std::vector<SigningKeySpec> keys;
  std::string provenance_key;  // Release::provenance_key
  bool verify_with_variant_hardware = true;  // false when trust.json names the device's hardware
  std::vector<VariantPlan> variants;

  std::string trust_path() const { return work_dir + "/trust.json"; }
  std::string ninja_path() const { return work_dir + "/build.ninja"; }
  // The signing keys' ids: sign edges depend on it, so another key re-signs.
  std::string keys_path() const { return work_dir + "/keys.json"; }
};

// The plan for `release` with outputs in `out_dir` (absolute). `created` is the
// release's time, already resolved (file, else SOURCE_DATE_EPOCH, else 0).
// Code::malformed if a variant name collides with a top-level output file.
Result<ReleasePlan> make_plan(const Release& release, const std::string& out_dir, std::int64_t created,
                              const Tools& tools, bool repro);

// The package spec for fwseal package (packager/README.md), with the given
// image files, asking for a generated SBOM with the given components files
// (paths as the SBOM names them: relative to the spec's directory).
std::string package_spec(const VariantPlan& v, const std::vector<std::string>& image_paths,
                         const std::vector<std::string>& components_files);

// fwseal package's options for the variant's encryption secret: none,
// "--encryption-secret FILE", or "--encryption-key URI" (with "--module M"
// when the release names a module).
std::vector<std::string> encryption_args(const VariantPlan& v);

// variant.json: everything `fwseal pipeline repro` needs to rebuild a variant.
std::string variant_json(const VariantPlan& v);
Result<VariantPlan> parse_variant_json(std::string_view text, std::string_view what);

// build.ninja for the plan: per variant a package edge (fwseal package, which
// writes the SBOM it embeds beside the package), with a licence policy a
// licences edge (fwseal sbom check, which the sign edge waits for), a sign edge (fwseal sign with each key, then renamed into place:
// a package at its final path carries every signature; signing edges share a
// pool of depth 1, because SoftHSM2's file store is not safe for concurrent
// logins), a verify edge (fwseal-verify --json), a provenance edge (fwseal
// pipeline provenance, in the same pool) and, if enabled, a repro edge
// (fwseal pipeline repro). Every edge depends on the files it reads:
// the images, components files, the generated spec and variant.json, the
// certificate chains and trust.json. A failing step leaves its exit code in
// VariantPlan::code_path and its stderr in log_path.
std::string build_ninja(const ReleasePlan& plan);

// Shell and ninja quoting, exposed for tests.
std::string shell_quote(std::string_view s);
std::string ninja_path(std::string_view s);  // escapes $, space and : for build lines

}  // namespace fwseal::pipeline
