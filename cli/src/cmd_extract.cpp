#include <fcntl.h>

#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/base/file.h"
#include "fwseal/base/progress.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/trust.h"
#include "fwseal/hsm/encryption_keys.h"
#include "fwseal/verifier/extract.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

int extract(const Args& args) {
  auto dir = args.required("-C");
  auto trust_path = args.required("--trust");
  if (!dir.ok() || !trust_path.ok()) return usage_error(!dir.ok() ? dir.error().message : trust_path.error().message);

  verifier::VerifyOptions options;
  options.hardware = args.values("--hw");
  if (auto v = args.value("--installed-security-version")) {
    auto n = parse_security_version(*v, "--installed-security-version");
    if (!n.ok()) return usage_error(n.error().message);
    options.installed_security_version = *n;
  }
  auto trust = load_trust(*trust_path);
  if (!trust.ok()) return fail(trust.error());

  const std::string& path = args.positionals()[0];
  Fd fd;
  if (path != "-") {
    auto opened = open_read(path);
    if (!opened.ok()) return fail(opened.error());
    fd = std::move(*opened);
  }
  std::unique_ptr<enc::RecipientKey> key;  // decrypts the images the package has encrypted
  if (auto k = args.value("--decrypt-key")) {
    // A key URI: ECDH inside the token; otherwise a PEM private key file.
    auto loaded = k->starts_with("pkcs11:") ? hsm::open_recipient_key(hsm_options(args), *k)
                                            : enc::load_recipient_private_pem(*k);
    if (!loaded.ok()) return fail(loaded.error());
    key = std::move(loaded).value();
  }
  verifier::VerifyReport report;
  auto progress = progress_for_stderr(!args.flag("--quiet") && !args.flag("--json"));
  options.progress = progress.get();
  auto s = verifier::extract_package(path == "-" ? 0 : fd.get(), *trust, options, *dir, &report, key.get());
  progress.reset();  // the line is cleared before any message
  if (!s.ok()) return fail(s.error());
  if (args.flag("--json")) {
    nlohmann::json j = manifest_facts_json(report.verified->manifest());
    j.update({{"package", path}, {"directory", *dir}, {"verdict", "valid"},
              {"manifest_sha256", to_hex(report.verified->manifest_digest())}});
    print_json(j);
  } else if (!args.flag("--quiet")) {
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

}  // namespace

void add_extract_command(Command& fwseal) {
  Command& c = add_command(fwseal, "extract", "verify a package, then write its images into a directory (nothing unless all is valid)",
                           extract);
  c.add_positional("PKG|-", "the package file, or - to read it from standard input", "expected one package");
  c.add_value("-C,--directory", "DIR", "where to write the images")->required();
  c.add_value("--trust", "TRUST.json", "the trust policy the package must satisfy")->required();
  c.add_values("--hw", "ID", "the device's hardware id; the package must list it");
  c.add_value("--installed-security-version", "N", "refuse a package whose security version is below N");
  c.add_value("--decrypt-key", "URI|KEY.pem",
              "a device class's private key (a key URI: ECDH inside the token; or a PEM file) to decrypt the "
              "encrypted images with");
  add_module_option(c);
  add_output_switches(c);
}

}  // namespace fwseal::cli
