#include <fcntl.h>

#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/base/file.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/extract.h"

namespace fwseal::cli {

namespace {
constexpr const char* kExtractUsage =
    "fwseal extract PKG|- -C DIR --trust TRUST.json [--hw ID] [--installed-security-version N] [--quiet | --json]";
}

int cmd_extract(const Argv& argv) {
  auto args = Args::parse(argv, {{"-C", "--trust", "--hw", "--installed-security-version"}, {"--hw"}, {"--quiet", "--json"}});
  if (!args.ok()) return usage_error(args.error().message, kExtractUsage);
  if (args->positionals().size() != 1) return usage_error("expected one package", kExtractUsage);
  auto dir = args->required("-C");
  auto trust_path = args->required("--trust");
  if (!dir.ok() || !trust_path.ok())
    return usage_error(!dir.ok() ? dir.error().message : trust_path.error().message, kExtractUsage);

  verifier::VerifyOptions options;
  options.hardware = args->values("--hw");
  if (auto v = args->value("--installed-security-version")) {
    auto n = parse_security_version(*v, "--installed-security-version");
    if (!n.ok()) return usage_error(n.error().message, kExtractUsage);
    options.installed_security_version = *n;
  }
  auto trust = load_trust(*trust_path);
  if (!trust.ok()) return fail(trust.error());

  const std::string& path = args->positionals()[0];
  Fd fd;
  if (path != "-") {
    auto opened = open_read(path);
    if (!opened.ok()) return fail(opened.error());
    fd = std::move(*opened);
  }
  verifier::VerifyReport report;
  auto progress = progress_for_stderr(!args->flag("--quiet") && !args->flag("--json"));
  options.progress = progress.get();
  auto s = verifier::extract_package(path == "-" ? 0 : fd.get(), *trust, options, *dir, &report);
  progress.reset();  // the line is cleared before any message
  if (!s.ok()) return fail(s.error());
  if (args->flag("--json")) {
    nlohmann::json j = manifest_facts_json(report.verified->manifest());
    j.update({{"package", path}, {"directory", *dir}, {"verdict", "valid"},
              {"manifest_sha256", to_hex(report.verified->manifest_digest())}});
    print_json(j);
  } else if (!args->flag("--quiet")) {
    const Manifest& m = report.verified->manifest();
    std::printf("verified %s %s; wrote %zu images into %s:\n", m.product.c_str(), m.version.c_str(), m.images.size(),
                dir->c_str());
    for (const auto& img : m.images) std::printf("  %s (%llu bytes)\n", img.name.c_str(), static_cast<unsigned long long>(img.size));
  }
  return 0;
}

}  // namespace fwseal::cli
