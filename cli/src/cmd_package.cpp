#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "commands.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/created.h"
#include "fwseal/hsm/encryption_keys.h"
#include "fwseal/pipeline/steps.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

int package(const Args& args) {
  auto spec_path = args.required("--spec");
  auto output = args.value("-o");
  if (!spec_path.ok() || !output) return usage_error(!spec_path.ok() ? spec_path.error().message : "missing -o PKG");

  pipeline::PackageRequest request;
  request.spec_path = *spec_path;
  request.output = *output;
  request.sbom_out = args.value("--sbom-out");
  request.tool_version = FWSEAL_VERSION;
  request.replace_existing = args.flag("--force");
  std::unique_ptr<enc::EncryptionSecret> secret;  // for images the spec marks encrypted
  if (args.value("--encryption-secret") && args.value("--encryption-key"))
    return usage_error("give --encryption-secret FILE or --encryption-key URI, not both");
  if (auto path = args.value("--encryption-secret")) {
    auto s = enc::load_secret_file(*path);
    if (!s.ok()) return s.error().code == Code::usage ? usage_error(s.error().message) : fail(s.error());
    secret = std::move(s).value();
  } else if (auto uri = args.value("--encryption-key")) {
    auto s = hsm::open_encryption_secret(hsm_options(args), *uri);
    if (!s.ok()) return fail(s.error());
    secret = std::move(s).value();
  }
  request.encryption_secret = secret.get();
  auto progress = progress_for_stderr(!args.flag("--quiet") && !args.flag("--json"));
  request.progress = progress.get();
  request.on_warning = [&progress](const std::string& w) {
    if (progress) progress->print_line("fwseal: sbom: " + w);
    else std::fprintf(stderr, "fwseal: sbom: %s\n", w.c_str());
  };
  auto result = pipeline::package_from_spec(request);
  progress.reset();  // the line is cleared before any message
  if (!result.ok())
    return result.error().code == Code::usage ? usage_error(result.error().message) : fail(result.error());
  if (result->manifest.created == 0 && !args.flag("--quiet"))
    std::fprintf(stderr, "fwseal: note: %.*s\n", static_cast<int>(kCreatedZeroNote.size()), kCreatedZeroNote.data());
  if (args.flag("--json")) {
    nlohmann::json j = manifest_facts_json(result->manifest);
    j.update({{"package", *output}, {"manifest_sha256", to_hex(result->manifest_digest)}, {"size", result->total_size},
              {"signed", false}});
    print_json(j);
  } else if (!args.flag("--quiet")) {
    std::printf("packaged %s %s: %zu images, %llu bytes -> %s\nmanifest sha256 %s (unsigned: run fwseal sign)\n",
                result->manifest.product.c_str(), result->manifest.version.c_str(), result->manifest.images.size(),
                static_cast<unsigned long long>(result->total_size), output->c_str(),
                to_hex(result->manifest_digest).c_str());
  }
  return 0;
}

}  // namespace

void add_package_command(Command& fwseal) {
  Command& c = add_command(fwseal, "package", "assemble a reproducible, unsigned package from a spec", package);
  c.add_value("--spec", "SPEC.json", "the package spec: product, version, security version, hardware, images, SBOM")
      ->required();
  c.add_value("-o,--output", "PKG", "the package to write (.fwpkg)")->required();
  c.add_switch("-f,--force", "replace PKG if it exists");
  c.add_value("--sbom-out", "SBOM.json", "also write the SBOM the package embeds");
  c.add_value("--encryption-secret", "FILE",
              "the release's encryption secret (32-64 bytes, owner-only) for the images the spec marks encrypted");
  c.add_value("--encryption-key", "URI", "the release's encryption secret inside a token (hsm keygen --alg hmac-sha256)");
  add_module_option(c);
  add_output_switches(c);
}

}  // namespace fwseal::cli
