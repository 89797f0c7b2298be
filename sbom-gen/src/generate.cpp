// generate_sbom: checks the config, reads the declared components, scans each
// image, reads the package databases found, merges, writes the BOM.
#include <algorithm>
#include <optional>
#include <set>

#include "bom_writer.h"
#include "declared.h"
#include "fwseal/format/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/parallel.h"
#include "fwseal/sbom/sbom.h"
#include "image_scan.h"
#include "sbom_limits.h"
#include "merge.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::int64_t kMaxTimestamp = 253402300799;  // 9999-12-31T23:59:59Z

Error usage(std::string message) { return make_error(Code::usage, std::move(message)); }

Status check_config(const SbomConfig& c) {
  auto as_usage = [](Status s) -> Status {
    if (s.ok()) return s;
    return usage(s.error().message);
  };
  FWSEAL_TRY(as_usage(check_text(c.product, "product")));
  FWSEAL_TRY(as_usage(check_text(c.version, "version")));
  if (!c.supplier.empty()) FWSEAL_TRY(as_usage(check_text(c.supplier, "supplier")));
  if (c.tool_version.empty() || c.tool_version.size() > 64 || !is_clean_text(c.tool_version))
    return usage("tool version: must be 1-64 bytes of text");
  if (c.timestamp < 0 || c.timestamp > kMaxTimestamp)
    return usage("timestamp " + std::to_string(c.timestamp) + " is outside 0.." + std::to_string(kMaxTimestamp));
  if (c.images.empty()) return usage("no images: name at least one with NAME=PATH");
  if (c.images.size() > kMaxImages) return usage("more than " + std::to_string(kMaxImages) + " images");
  if (c.components_files.size() > kMaxComponentsFiles)
    return usage("more than " + std::to_string(kMaxComponentsFiles) + " components files");
  std::set<std::string> names;
  for (std::size_t i = 0; i < c.images.size(); ++i) {
    const ImageSpec& img = c.images[i];
    std::string where = "images[" + std::to_string(i) + "]";
    FWSEAL_TRY(as_usage(check_image_name(img.name, where + ".name")));
    FWSEAL_TRY(as_usage(check_token(img.type, where + ".type")));
    if (img.path.empty()) return usage(where + ".path: empty");
    if (!names.insert(img.name).second) return usage(where + ".name: image " + shown(img.name) + " named twice");
  }
  return ok_status();
}

}  // namespace

Result<std::int64_t> parse_source_date_epoch(std::string_view text) {
  if (text.empty() || text.size() > 12 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return usage("SOURCE_DATE_EPOCH " + shown(text) + ": expected decimal seconds since 1970-01-01");
  std::int64_t v = 0;
  for (char c : text) v = v * 10 + (c - '0');
  if (v > kMaxTimestamp) return usage("SOURCE_DATE_EPOCH " + std::string(text) + ": after 9999-12-31");
  return v;
}

Result<SbomOutput> generate_sbom(const SbomConfig& config) {
  FWSEAL_TRY(check_config(config));
  std::set<std::string> image_names;
  for (const auto& img : config.images) image_names.insert(img.name);

  MergeInput merge;
  for (const auto& path : config.components_files) {
    FWSEAL_ASSIGN(std::string text, read_file(path, kMaxComponentsFileBytes));
    FWSEAL_ASSIGN(auto findings, parse_declared_components(text, path, image_names));
    for (auto& f : findings) merge.declared.push_back(std::move(f));
    if (merge.declared.size() > kMaxDeclaredComponents)
      return make_error(Code::malformed, path + ": more than " + std::to_string(kMaxDeclaredComponents) +
                                             " declared components in all components files");
  }

  // Images are read in parallel (each is one pass over its bytes); the scans
  // are merged in the configuration's order, so the BOM is the same whichever
  // finished first, and a failure is reported for the first failing image.
  std::vector<std::optional<Result<ImageScan>>> scans(config.images.size());
  parallel_for(config.images.size(), [&](std::size_t i) { scans[i] = scan_image(config.images[i], config.sha512); });

  std::vector<ImageComponent> images;
  std::vector<std::string> warnings;
  for (std::size_t i = 0; i < config.images.size(); ++i) {
    const ImageSpec& spec = config.images[i];
    FWSEAL_ASSIGN(ImageScan scan, std::move(*scans[i]));
    images.push_back({spec, scan.sha256_hex, scan.sha512_hex, scan.digest_of});
    // Symlinked doc directories share the copyright file they point to.
    for (const auto& [from, to] : scan.doc_links)
      if (!scan.copyrights.contains(from) && scan.copyrights.contains(to)) scan.copyrights[from] = scan.copyrights[to];
    std::string distro = os_release_id(scan.os_release);
    for (const auto& status : scan.status_files) {
      FWSEAL_ASSIGN(auto packages, parse_status_file(status, distro, scan.copyrights));
      for (auto& f : packages) merge.packages.push_back(std::move(f));
    }
    auto& owners = merge.owners[spec.name];
    for (auto* m : {&scan.dpkg_owner, &scan.opkg_owner})
      for (auto& [path, package] : *m) owners.emplace(path, package);
    for (auto& f : scan.findings) merge.binaries.push_back(std::move(f));
    for (auto& w : scan.warnings) warnings.push_back(std::move(w));
  }

  MergeResult merged = merge_findings(std::move(merge));
  for (auto& w : merged.warnings) warnings.push_back(std::move(w));
  for (auto& w : warnings) w = sanitize_utf8(w);
  std::sort(warnings.begin(), warnings.end());
  warnings.erase(std::unique(warnings.begin(), warnings.end()), warnings.end());
  if (warnings.size() > kMaxWarnings) {
    std::size_t more = warnings.size() - kMaxWarnings;
    warnings.resize(kMaxWarnings);
    warnings.push_back("... and " + std::to_string(more) + " more warnings");
  }
  FWSEAL_ASSIGN(std::string json, write_bom(config, images, merged.components, warnings));
  return SbomOutput{std::move(json), std::move(warnings)};
}

}  // namespace fwseal::sbom
