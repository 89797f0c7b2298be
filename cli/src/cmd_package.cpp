#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "commands.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/created.h"
#include "fwseal/pipeline/steps.h"

namespace fwseal::cli {

namespace {
constexpr const char* kPackageUsage =
    "fwseal package --spec SPEC.json -o PKG [--force] [--sbom-out SBOM.json] [--quiet|--json]";
}

int cmd_package(const Argv& argv) {
  auto args = Args::parse(argv, {{"--spec", "-o", "--output", "--sbom-out"}, {}, {"--quiet", "--json", "--force"}});
  if (!args.ok()) return usage_error(args.error().message, kPackageUsage);
  auto spec_path = args->required("--spec");
  auto output = args->value("-o") ? args->value("-o") : args->value("--output");
  if (!spec_path.ok() || !output || !args->positionals().empty())
    return usage_error(!spec_path.ok() ? spec_path.error().message : !output ? "missing -o PKG" : "unexpected argument " + args->positionals()[0],
                       kPackageUsage);

  pipeline::PackageRequest request;
  request.spec_path = *spec_path;
  request.output = *output;
  request.sbom_out = args->value("--sbom-out");
  request.tool_version = FWSEAL_VERSION;
  request.replace_existing = args->flag("--force");
  auto progress = progress_for_stderr(!args->flag("--quiet") && !args->flag("--json"));
  request.progress = progress.get();
  request.on_warning = [&progress](const std::string& w) {
    if (progress) progress->print_line("fwseal: sbom: " + w);
    else std::fprintf(stderr, "fwseal: sbom: %s\n", w.c_str());
  };
  auto result = pipeline::package_from_spec(request);
  progress.reset();  // the line is cleared before any message
  if (!result.ok())
    return result.error().code == Code::usage ? usage_error(result.error().message, kPackageUsage) : fail(result.error());
  if (result->manifest.created == 0 && !args->flag("--quiet"))
    std::fprintf(stderr, "fwseal: note: %.*s\n", static_cast<int>(kCreatedZeroNote.size()), kCreatedZeroNote.data());
  if (args->flag("--json")) {
    nlohmann::json j = manifest_facts_json(result->manifest);
    j.update({{"package", *output}, {"manifest_sha256", to_hex(result->manifest_digest)}, {"size", result->total_size},
              {"signed", false}});
    print_json(j);
  } else if (!args->flag("--quiet")) {
    std::printf("packaged %s %s: %zu images, %llu bytes -> %s\nmanifest sha256 %s (unsigned: run fwseal sign)\n",
                result->manifest.product.c_str(), result->manifest.version.c_str(), result->manifest.images.size(),
                static_cast<unsigned long long>(result->total_size), output->c_str(),
                to_hex(result->manifest_digest).c_str());
  }
  return 0;
}

}  // namespace fwseal::cli
