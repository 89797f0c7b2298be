// generate_sbom: checks the config, reads the declared components, scans each
// image, reads the package databases found, merges, writes the BOM.
#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "bom_writer.h"
#include "cdx_rules.h"
#include "declared.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/base/parallel.h"
#include "fwseal/sbom/sbom.h"
#include "image_scan.h"
#include "sbom_limits.h"
#include "merge.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::int64_t kMaxTimestamp = 253402300799;  // 9999-12-31T23:59:59Z

Error usage(std::string message) { return make_error(Code::usage, std::move(message)); }

Status check_email(const std::string& email, const std::string& where) {
  if (email.empty()) return ok_status();
  if (auto text = check_text(email, where); !text.ok()) return usage(text.error().message);
  if (!is_email(email)) return usage(where + ": " + shown(email) + " is not an e-mail address");
  return ok_status();
}

// Manufacturer and authors: text from a spec or release file, checked like
// every other field written into the BOM.
Status check_parties(const SbomConfig& c) {
  auto as_usage = [](Status s) -> Status { return s.ok() ? s : Status(usage(s.error().message)); };
  const Organisation& m = c.manufacturer;
  if (!m.name.empty() || !m.urls.empty() || !m.contact_name.empty() || !m.contact_email.empty()) {
    FWSEAL_TRY(as_usage(check_text(m.name, "manufacturer.name")));
    if (m.urls.size() > 16) return usage("manufacturer.url: more than 16 URLs");
    for (std::size_t i = 0; i < m.urls.size(); ++i)
      if (!is_url(m.urls[i]))
        return usage("manufacturer.url[" + std::to_string(i) + "]: " + shown(m.urls[i]) + " is not an absolute URL");
    if (!m.contact_name.empty()) FWSEAL_TRY(as_usage(check_text(m.contact_name, "manufacturer.contact.name")));
    FWSEAL_TRY(check_email(m.contact_email, "manufacturer.contact.email"));
  }
  if (c.authors.size() > 64) return usage("authors: more than 64");
  for (std::size_t i = 0; i < c.authors.size(); ++i) {
    const std::string where = "authors[" + std::to_string(i) + "]";
    FWSEAL_TRY(as_usage(check_text(c.authors[i].name, where + ".name")));
    FWSEAL_TRY(check_email(c.authors[i].email, where + ".email"));
  }
  return ok_status();
}

Status check_config(const SbomConfig& c) {
  auto as_usage = [](Status s) -> Status {
    if (s.ok()) return s;
    return usage(s.error().message);
  };
  FWSEAL_TRY(as_usage(check_text(c.product, "product")));
  FWSEAL_TRY(as_usage(check_text(c.version, "version")));
  if (!c.supplier.empty()) FWSEAL_TRY(as_usage(check_text(c.supplier, "supplier")));
  FWSEAL_TRY(check_parties(c));
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

namespace {

// The operating system an image's os-release names: one component of type
// operating-system (the same system in two images is one component).
Finding operating_system(const OsRelease& os, const std::string& image) {
  Finding f;
  f.source = Source::os_release;
  f.type = "operating-system";
  f.name = os.id;
  f.version = os.version_id;
  f.upstream_version = os.version_id;
  f.purl = make_purl("generic", "", os.id, os.version_id, {{"distro", os.distro()}});
  f.description = !os.pretty_name.empty() ? os.pretty_name : os.name;
  f.image = image;
  f.method = {"manifest-analysis", 1.0, "os-release of image " + image};
  return f;
}

// Everything the BOM says but the file images' digests (when not hashed).
struct Scanned {
  std::vector<ImageComponent> images;
  std::vector<Component> components;
  std::vector<std::string> warnings;
  std::vector<FileStamp> stamps;  // per image; empty for a directory
};

Result<Scanned> scan_all(const SbomConfig& config, bool hash) {
  FWSEAL_TRY(check_config(config));
  if (!config.components_labels.empty() && config.components_labels.size() != config.components_files.size())
    return usage("components labels: " + std::to_string(config.components_labels.size()) + " for " +
                 std::to_string(config.components_files.size()) + " components files");
  std::set<std::string> image_names;
  for (const auto& img : config.images) image_names.insert(img.name);

  MergeInput merge;
  std::vector<std::string> declared_warnings;
  for (std::size_t k = 0; k < config.components_files.size(); ++k) {
    const std::string& path = config.components_files[k];
    const std::string& label = config.components_labels.empty() ? path : config.components_labels[k];
    FWSEAL_ASSIGN(std::string text, read_file(path, kMaxComponentsFileBytes));
    FWSEAL_ASSIGN(Declared declared, parse_declared_components(text, label, image_names));
    for (auto& f : declared.findings) merge.declared.push_back(std::move(f));
    for (auto& w : declared.warnings) declared_warnings.push_back(std::move(w));
    if (merge.declared.size() > kMaxDeclaredComponents)
      return make_error(Code::malformed, label + ": more than " + std::to_string(kMaxDeclaredComponents) +
                                             " declared components in all components files");
  }

  // Images are read in parallel (each is one pass over its bytes); the scans
  // are merged in the configuration's order, so the BOM is the same whichever
  // finished first, and a failure is reported for the first failing image.
  std::vector<std::optional<Result<ImageScan>>> scans(config.images.size());
  parallel_for(config.images.size(),
               [&](std::size_t i) { scans[i] = scan_image(config.images[i], config.sha512, hash); });

  Scanned out;
  out.warnings = std::move(declared_warnings);
  for (std::size_t i = 0; i < config.images.size(); ++i) {
    const ImageSpec& spec = config.images[i];
    FWSEAL_ASSIGN(ImageScan scan, std::move(*scans[i]));
    out.images.push_back({spec, scan.sha256_hex, scan.sha512_hex, scan.digest_of});
    out.stamps.push_back(scan.stamp.value_or(FileStamp{}));
    // Symlinked doc directories share the copyright file they point to.
    for (const auto& [from, to] : scan.doc_links)
      if (!scan.copyrights.contains(from) && scan.copyrights.contains(to)) scan.copyrights[from] = scan.copyrights[to];
    OsRelease os = parse_os_release(scan.os_release);
    if (!os.id.empty()) merge.packages.push_back(operating_system(os, spec.name));
    for (const auto& status : scan.status_files) {
      FWSEAL_ASSIGN(auto packages, parse_status_file(status, os, scan.copyrights));
      for (auto& f : packages) merge.packages.push_back(std::move(f));
    }
    auto& owners = merge.owners[spec.name];
    for (auto* m : {&scan.dpkg_owner, &scan.opkg_owner})
      for (auto& [path, package] : *m) owners.emplace(path, package);
    for (auto& f : scan.findings) merge.binaries.push_back(std::move(f));
    for (auto& w : scan.warnings) out.warnings.push_back(std::move(w));
  }

  MergeResult merged = merge_findings(std::move(merge));
  out.components = std::move(merged.components);
  std::vector<std::string>& warnings = out.warnings;
  for (auto& w : merged.warnings) warnings.push_back(std::move(w));
  for (auto& w : warnings) w = sanitize_utf8(w);
  std::sort(warnings.begin(), warnings.end());
  warnings.erase(std::unique(warnings.begin(), warnings.end()), warnings.end());
  if (warnings.size() > kMaxWarnings) {
    std::size_t more = warnings.size() - kMaxWarnings;
    warnings.resize(kMaxWarnings);
    warnings.push_back("... and " + std::to_string(more) + " more warnings");
  }
  return out;
}

}  // namespace

Result<SbomOutput> generate_sbom(const SbomConfig& config) {
  FWSEAL_ASSIGN(Scanned s, scan_all(config, true));
  FWSEAL_ASSIGN(std::string json, write_bom(config, s.images, s.components, s.warnings));
  return SbomOutput{std::move(json), std::move(s.warnings)};
}

struct SbomDraft::State {
  SbomConfig config;
  Scanned scanned;
  std::size_t size = 0;
};

Result<SbomDraft> draft_sbom(const SbomConfig& config) {
  if (config.sha512) return usage("a BOM with SHA-512 digests cannot wait for the images' SHA-256 alone");
  auto state = std::make_shared<SbomDraft::State>();
  state->config = config;
  FWSEAL_ASSIGN(state->scanned, scan_all(config, false));
  for (std::size_t i = 0; i < config.images.size(); ++i)
    if (state->scanned.images[i].digest_of != "file")
      return usage("images[" + std::to_string(i) + "] (" + config.images[i].path +
                   "): a directory; a BOM can wait for the digests of file images only");
  SbomDraft draft;
  draft.state_ = std::move(state);
  // Digests are fixed-length hex and the serial number is a UUID, so the BOM
  // with placeholder digests has the final size.
  FWSEAL_ASSIGN(SbomOutput planned, draft.render(std::vector<Sha256>(config.images.size())));
  draft.state_->size = planned.json.size();
  return draft;
}

std::size_t SbomDraft::size() const { return state_->size; }

const std::vector<std::string>& SbomDraft::warnings() const { return state_->scanned.warnings; }

const std::vector<FileStamp>& SbomDraft::scanned() const { return state_->scanned.stamps; }

Result<SbomOutput> SbomDraft::render(const std::vector<Sha256>& image_sha256) const {
  const Scanned& s = state_->scanned;
  if (image_sha256.size() != s.images.size())
    return make_error(Code::internal, "SBOM: " + std::to_string(image_sha256.size()) + " digests for " +
                                          std::to_string(s.images.size()) + " images");
  std::vector<ImageComponent> images = s.images;
  for (std::size_t i = 0; i < images.size(); ++i) images[i].sha256_hex = to_hex(image_sha256[i]);
  FWSEAL_ASSIGN(std::string json, write_bom(state_->config, images, s.components, s.warnings));
  if (state_->size != 0 && json.size() != state_->size)
    return make_error(Code::internal, "SBOM: " + std::to_string(json.size()) + " bytes, planned for " +
                                          std::to_string(state_->size));
  return SbomOutput{std::move(json), s.warnings};
}

}  // namespace fwseal::sbom
