#include <fcntl.h>

#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/trust.h"
#include "fwseal/hsm/encryption_keys.h"
#include "fwseal/verifier/extract.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {
constexpr const char* kExtractUsage =
    "fwseal extract PKG|- -C DIR --trust TRUST.json [--hw ID] [--installed-security-version N] [--decrypt-key URI|KEY.pem]\n"
    "       [--module PATH] [--quiet | --json]";
}

int cmd_extract(const Argv& argv) {
  auto args = Args::parse(argv, {{"-C", "--trust", "--hw", "--installed-security-version", "--decrypt-key", "--module"}, {"--hw"}, {"--quiet", "--json"}});
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
  std::unique_ptr<enc::RecipientKey> key;  // decrypts the images the package has encrypted
  if (auto k = args->value("--decrypt-key")) {
    // A key URI: ECDH inside the token; otherwise a PEM private key file.
    auto loaded = k->starts_with("pkcs11:") ? hsm::open_recipient_key(hsm_options(*args), *k)
                                            : enc::load_recipient_private_pem(*k);
    if (!loaded.ok()) return fail(loaded.error());
    key = std::move(loaded).value();
  }
  verifier::VerifyReport report;
  auto s = verifier::extract_package(path == "-" ? 0 : fd.get(), *trust, options, *dir, &report, key.get());
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
    for (const auto& img : m.images)
      std::printf("  %s (%llu bytes%s)\n", img.name.c_str(),
                  static_cast<unsigned long long>(img.encryption ? img.encryption->plaintext_size : img.size),
                  img.encryption ? ", decrypted" : "");
  }
  return 0;
}

}  // namespace fwseal::cli
