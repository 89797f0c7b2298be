#include "fwseal/pipeline/steps.h"

#include "fwseal/base/file.h"
#include "fwseal/format/created.h"
#include "fwseal/packager/spec.h"
#include "fwseal/sbom/sbom.h"

namespace fwseal::pipeline {

namespace {

// The SBOM describes exactly the images being packaged, at the package's time.
sbom::SbomConfig sbom_config(const packager::Spec& spec, std::int64_t time, const std::string& tool_version) {
  sbom::SbomConfig config;
  config.product = spec.product;
  config.version = spec.version;
  config.supplier = spec.sbom_generation->supplier;
  const auto& m = spec.sbom_generation->manufacturer;
  config.manufacturer = {m.name, m.urls, m.contact_name, m.contact_email};
  for (const auto& a : spec.sbom_generation->authors) config.authors.push_back({a.name, a.email});
  for (const auto& img : spec.images) config.images.push_back({img.name, img.type, img.path});
  config.components_files = spec.sbom_generation->components;
  config.components_labels = spec.sbom_generation->components_as_written;
  config.sha512 = spec.sbom_generation->sha512;
  config.timestamp = time;
  config.tool_version = tool_version;
  return config;
}

Status add_sbom(const packager::Spec& spec, const PackageRequest& request, packager::PackageOptions& options) {
  const auto warn = [&](const std::string& w) {
    if (request.on_warning) request.on_warning(w);
  };
  sbom::SbomConfig config =
      sbom_config(spec, spec.created.value_or(options.source_date_epoch.value_or(0)), request.tool_version);
  if (config.sha512) {
    // SHA-512 is not among the digests the packager computes: the SBOM reads the images first.
    FWSEAL_ASSIGN(sbom::SbomOutput bom, sbom::generate_sbom(config));
    for (const auto& w : bom.warnings) warn(w);
    options.sbom = std::move(bom.json);
    return ok_status();
  }
  // The SBOM's scan reads the images without hashing them; the copy into the
  // package hashes them, and the SBOM gets those digests.
  FWSEAL_ASSIGN(auto draft, sbom::draft_sbom(config));
  for (const auto& w : draft.warnings()) warn(w);
  options.pending_sbom = packager::PendingSbom{
      draft.size(), draft.scanned(), [d = std::move(draft)](const std::vector<Sha256>& digests) -> Result<std::string> {
        FWSEAL_ASSIGN(sbom::SbomOutput bom, d.render(digests));
        return std::move(bom.json);
      }};
  return ok_status();
}

}  // namespace

Result<packager::PackageResult> package_from_spec(const PackageRequest& request) {
  FWSEAL_ASSIGN(packager::Spec spec, packager::load_spec(request.spec_path));
  if (request.sbom_out && !spec.sbom_generation)
    return make_error(Code::usage, "--sbom-out: the spec does not ask for a generated SBOM (\"sbom\": {...})");
  packager::PackageOptions options;
  options.replace_existing = request.replace_existing;
  options.encryption_secret = request.encryption_secret;
  options.output = request.output;
  options.progress = request.progress;
  FWSEAL_ASSIGN(options.source_date_epoch, source_date_epoch_from_env());
  if (spec.sbom_generation) {
    if (request.progress) request.progress->begin_step("packaging: scanning the images for the SBOM", 0);
    FWSEAL_TRY(add_sbom(spec, request, options));
  }
  FWSEAL_ASSIGN(packager::PackageResult result, packager::build_package(spec, options));
  if (request.sbom_out) FWSEAL_TRY(write_file_atomic(*request.sbom_out, result.sbom));
  return result;
}

}  // namespace fwseal::pipeline
