#include <cstdio>

#include <nlohmann/json.hpp>

#include "args.h"
#include "commands.h"
#include "fwseal/format/created.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/base/digest.h"

namespace fwseal::cli {

namespace {

int inspect(const Args& args) {
  const std::string& path = args.positionals()[0];
  // Structure only: nothing here is verified, and the output says so.
  auto head = read_unverified_package(path);
  if (!head.ok()) return fail(head.error());
  const Manifest& m = head->manifest.content;
  std::string digest = to_hex(manifest_digest(head->manifest.bytes));

  if (args.flag("--json")) {
    nlohmann::json sigs = nlohmann::json::array();
    for (const auto& s : head->signatures)
      sigs.push_back({{"key_id", to_hex(s.key_id)},
                      {"algorithm", algorithm_name(s.algorithm)},
                      {"certificates", s.certificates.size()}});
    nlohmann::json j = manifest_facts_json(m);
    j.update({{"verified", false},
              {"note", "unverified: contents as the package states them; run fwseal verify to check them"},
              {"package", path},
              {"manifest_sha256", digest},
              {"package_format_version", m.format_version},
              {"signatures", sigs}});
    if (m.format_version >= kManifestFormatVersion) j["signature_space"] = m.signature_space;
    print_json(j);
    return 0;
  }

  std::printf("UNVERIFIED: what %s states about itself. Run `fwseal verify` before trusting any of it.\n\n", path.c_str());
  std::printf("product           %s\n", m.product.c_str());
  std::printf("version           %s\n", m.version.c_str());
  std::printf("security version  %llu\n", static_cast<unsigned long long>(m.security_version));
  std::string hw;
  for (const auto& h : m.hardware) hw += (hw.empty() ? "" : ", ") + h;
  std::printf("hardware          %s\n", hw.c_str());
  std::printf("created           %s\n", describe_created(m.created).c_str());
  if (m.format_version >= kManifestFormatVersion)
    std::printf("format            version %d (signatures first; %llu bytes reserved for them)\n", m.format_version,
                static_cast<unsigned long long>(m.signature_space));
  else
    std::printf("format            version %d (signatures last)\n", m.format_version);
  std::printf("manifest sha256   %s\n", digest.c_str());
  std::printf("images            %zu\n", m.images.size());
  for (const auto& img : m.images) {
    std::printf("  %-16s %-12s %14llu  sha256:%s\n", img.name.c_str(), img.type.c_str(),
                static_cast<unsigned long long>(img.size), to_hex(img.sha256).c_str());
    if (!img.encryption) continue;
    const auto& e = *img.encryption;
    std::printf("    encrypted      %s, chunks of %u; plaintext %llu bytes  sha256:%s\n", std::string(enc::kCipher).c_str(),
                e.chunk_size, static_cast<unsigned long long>(e.plaintext_size), to_hex(e.plaintext_sha256).c_str());
    for (const auto& r : e.recipients)
      std::printf("    recipient      %-9s key %s\n", std::string(enc::key_agreement_name(r.agreement)).c_str(),
                  to_hex(r.recipient).c_str());
  }
  if (m.sbom)
    std::printf("sbom              %llu bytes  sha256:%s\n", static_cast<unsigned long long>(m.sbom->size),
                to_hex(m.sbom->sha256).c_str());
  std::printf("signatures        %zu\n", head->signatures.size());
  for (const auto& s : head->signatures)
    std::printf("  %-13s key %s%s\n", std::string(algorithm_name(s.algorithm)).c_str(), to_hex(s.key_id).c_str(),
                s.certificates.empty() ? "" : " (with certificate chain)");
  return 0;
}

}  // namespace

void add_inspect_command(Command& fwseal) {
  Command& c = add_command(fwseal, "inspect", "show what a package states about itself, unverified (says so)", inspect);
  c.add_positional("PKG", "the package", "expected one package");
  c.add_switch("--json", "print it as one JSON document on stdout (docs/JSON.md)");
}

}  // namespace fwseal::cli
