#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "commands.h"
#include "fwseal/packager/package.h"
#include "fwseal/packager/spec.h"
#include "fwseal/sbom/sbom.h"

namespace fwseal::cli {

namespace {
constexpr const char* kPackageUsage = "fwseal package --spec SPEC.json -o PKG [--sbom-out SBOM.json] [--quiet|--json]";
}

int cmd_package(const Argv& argv) {
  auto args = Args::parse(argv, {{"--spec", "-o", "--output", "--sbom-out"}, {}, {"--quiet", "--json"}});
  if (!args.ok()) return usage_error(args.error().message, kPackageUsage);
  auto spec_path = args->required("--spec");
  auto output = args->value("-o") ? args->value("-o") : args->value("--output");
  if (!spec_path.ok() || !output || !args->positionals().empty())
    return usage_error(!spec_path.ok() ? spec_path.error().message : !output ? "missing -o PKG" : "unexpected argument " + args->positionals()[0],
                       kPackageUsage);

  auto spec = packager::load_spec(*spec_path);
  if (!spec.ok()) return fail(spec.error());
  const auto sbom_out = args->value("--sbom-out");
  if (sbom_out && !spec->sbom_generation)
    return usage_error("--sbom-out: the spec does not ask for a generated SBOM (\"sbom\": {...})", kPackageUsage);
  packager::PackageOptions options;
  options.output = *output;
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    auto t = packager::parse_source_date_epoch(sde);
    if (!t.ok()) return fail(t.error());
    options.source_date_epoch = *t;
  }
  if (spec->sbom_generation) {
    // The SBOM describes exactly the images being packaged, at the package's time.
    sbom::SbomConfig config;
    config.product = spec->product;
    config.version = spec->version;
    config.supplier = spec->sbom_generation->supplier;
    for (const auto& img : spec->images) config.images.push_back({img.name, img.type, img.path});
    config.components_files = spec->sbom_generation->components;
    config.components_labels = spec->sbom_generation->components_as_written;
    config.sha512 = spec->sbom_generation->sha512;
    config.timestamp = spec->created.value_or(options.source_date_epoch.value_or(0));
    config.tool_version = FWSEAL_VERSION;
    if (config.sha512) {
      // SHA-512 is not among the digests the packager computes: the SBOM reads the images first.
      auto bom = sbom::generate_sbom(config);
      if (!bom.ok()) return fail(bom.error());
      for (const auto& warning : bom->warnings) std::fprintf(stderr, "fwseal: sbom: %s\n", warning.c_str());
      options.sbom = std::move(bom->json);
    } else {
      // The SBOM's scan reads the images without hashing them; the copy into
      // the package hashes them, and the SBOM gets those digests.
      auto draft = sbom::draft_sbom(config);
      if (!draft.ok()) return fail(draft.error());
      for (const auto& warning : draft->warnings()) std::fprintf(stderr, "fwseal: sbom: %s\n", warning.c_str());
      options.pending_sbom = packager::PendingSbom{
          draft->size(), draft->scanned(), [d = *draft](const std::vector<Sha256>& digests) -> Result<std::string> {
            FWSEAL_ASSIGN(sbom::SbomOutput bom, d.render(digests));
            return std::move(bom.json);
          }};
    }
  }
  auto result = packager::build_package(*spec, options);
  if (!result.ok()) return fail(result.error());
  if (sbom_out) {
    if (auto written = write_file_atomic(*sbom_out, result->sbom); !written.ok()) return fail(written.error());
  }
  if (args->flag("--json")) {
    std::printf("{\"package\":\"%s\",\"manifest_sha256\":\"%s\",\"size\":%llu}\n", output->c_str(),
                to_hex(result->manifest_digest).c_str(), static_cast<unsigned long long>(result->total_size));
  } else if (!args->flag("--quiet")) {
    std::printf("packaged %s %s: %zu images, %llu bytes -> %s\nmanifest sha256 %s (unsigned: run fwseal sign)\n",
                result->manifest.product.c_str(), result->manifest.version.c_str(), result->manifest.images.size(),
                static_cast<unsigned long long>(result->total_size), output->c_str(),
                to_hex(result->manifest_digest).c_str());
  }
  return 0;
}

}  // namespace fwseal::cli
