#include <algorithm>

#include "image_scan.h"
#include "sbom_limits.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::size_t kReadChunk = 256 * 1024;

enum class Special { none, dpkg_status, opkg_status, dpkg_list, opkg_list, copyright, os_release };

// The few files the package databases live in, by their path in the image.
Special special_of(std::string_view path, std::string& package) {
  if (path == "/var/lib/dpkg/status") return Special::dpkg_status;
  if (path == "/usr/lib/opkg/status" || path == "/var/lib/opkg/status") return Special::opkg_status;
  if (path == "/etc/os-release" || path == "/usr/lib/os-release") return Special::os_release;
  auto one_level = [&](std::string_view prefix, std::string_view suffix) {
    if (!path.starts_with(prefix) || !path.ends_with(suffix) || path.size() <= prefix.size() + suffix.size()) return false;
    std::string_view middle = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
    if (middle.find('/') != std::string_view::npos) return false;
    package = std::string(middle.substr(0, middle.find(':')));  // "libssl3:amd64.list" -> "libssl3"
    return !package.empty();
  };
  if (one_level("/var/lib/dpkg/info/", ".list")) return Special::dpkg_list;
  if (one_level("/usr/lib/opkg/info/", ".list") || one_level("/var/lib/opkg/info/", ".list")) return Special::opkg_list;
  if (one_level("/usr/share/doc/", "/copyright")) return Special::copyright;
  return Special::none;
}

std::size_t capture_limit_of(Special s) {
  switch (s) {
    case Special::dpkg_status:
    case Special::opkg_status: return kMaxStatusBytes;
    case Special::dpkg_list:
    case Special::opkg_list: return kMaxListBytes;
    case Special::copyright: return kMaxCopyrightBytes;
    case Special::os_release: return kMaxOsReleaseBytes;
    case Special::none: break;
  }
  return 0;
}

// Tree listing paths: bytes that would break the line format are %-escaped.
std::string escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || u == '%') {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

ImageHashers::ImageHashers(bool sha512, bool hash) {
  if (hash) h256_.emplace(Hasher::sha256());
  if (hash && sha512) h512_.emplace(Hasher::sha512());
}

void ImageHashers::update(std::string_view bytes) {
  if (h256_) h256_->update(bytes);
  if (h512_) h512_->update(bytes);
}

std::pair<std::string, std::string> ImageHashers::finish() {
  return {h256_ ? h256_->finish() : std::string(), h512_ ? h512_->finish() : std::string()};
}

ImageSink::ImageSink(const ImageSpec& spec, bool tree_listing, bool sha512)
    : spec_(spec), tree_(tree_listing), buf_(kReadChunk) {
  if (tree_) tree_hashers_.emplace(sha512);
}

Status ImageSink::count() {
  if (++entries_ > kMaxEntriesPerImage)
    return make_error(Code::malformed, "more than " + std::to_string(kMaxEntriesPerImage) + " entries");
  return ok_status();
}

void ImageSink::warn(std::string message) {
  if (scan_.warnings.size() < kMaxWarnings) scan_.warnings.push_back(sanitize_utf8(message));
  else dropped_warnings_ = true;
}

void ImageSink::list(std::string_view line) {
  if (!tree_) return;
  tree_hashers_->update(line);
}

Status ImageSink::other() { return count(); }

Status ImageSink::directory(std::string_view path) {
  FWSEAL_TRY(count());
  list("dir " + escape(normalize_image_path(path)) + "\n");
  return ok_status();
}

Status ImageSink::symlink(std::string_view path, std::string_view target) {
  FWSEAL_TRY(count());
  std::string p = normalize_image_path(path);
  list("link " + escape(p) + " " + escape(target) + "\n");
  // A package whose doc directory is a link to another package's shares its
  // copyright file (Debian does this for packages built from one source).
  if (p.starts_with("/usr/share/doc/") && p.find('/', 15) == std::string::npos) {
    std::string_view t = target;
    while (t.ends_with("/")) t.remove_suffix(1);
    std::string_view base = t.substr(t.rfind('/') + 1);
    if (!base.empty() && base != "." && base != "..") scan_.doc_links[p.substr(15)] = std::string(base);
  }
  return ok_status();
}

Status ImageSink::file(std::string_view raw_path, std::uint64_t size, const ReadFn& read,
                       std::string_view raw_image_type) {
  FWSEAL_TRY(count());
  ++scan_.files;
  std::string path = sanitize_utf8(normalize_image_path(raw_path));
  std::string package;
  Special special = special_of(path, package);
  ScanOptions options;
  options.hash = tree_;
  options.capture_limit = capture_limit_of(special);
  options.raw_image_type = std::string(raw_image_type);
  FileScanner scanner(Occurrence{spec_.name, path}, size, options);
  for (;;) {
    FWSEAL_ASSIGN(std::size_t n, read(buf_.data(), buf_.size()));
    if (n == 0) break;
    scanner.feed(std::string_view(buf_.data(), n));
  }
  FileScanResult r = scanner.finish();
  list("file " + escape(normalize_image_path(raw_path)) + " " + std::to_string(r.size) + " " + to_hex(r.sha256) + "\n");
  for (auto& w : r.warnings) warn(std::move(w));
  for (auto& f : r.findings) scan_.findings.push_back(std::move(f));
  if (special == Special::none) return ok_status();
  std::string where = path;
  if (r.capture_overflow) {
    if (special == Special::dpkg_status || special == Special::opkg_status)
      return make_error(Code::malformed, where + ": larger than the limit of " + std::to_string(capture_limit_of(special)) + " bytes");
    warn(spec_.name + ":" + path + ": larger than " + std::to_string(capture_limit_of(special)) + " bytes; not read");
    return ok_status();
  }
  std::string text = std::move(r.captured).value_or("");
  switch (special) {
    case Special::dpkg_status:
    case Special::opkg_status:
      scan_.status_files.push_back(
          StatusFile{special == Special::dpkg_status ? Source::dpkg : Source::opkg, spec_.name, path, std::move(text)});
      break;
    case Special::dpkg_list:
    case Special::opkg_list: {
      auto& owner = special == Special::dpkg_list ? scan_.dpkg_owner : scan_.opkg_owner;
      for (std::string_view line : split_lines(text)) {
        line = line.substr(0, line.find('\t'));  // opkg may append "\tMODE"
        if (line.empty() || line == "/.") continue;
        if (++listed_paths_ > kMaxListedPaths)
          return make_error(Code::malformed, where + ": package file lists name more than " +
                                                 std::to_string(kMaxListedPaths) + " paths");
        owner.emplace(sanitize_utf8(normalize_image_path(line)), package);
      }
      break;
    }
    case Special::copyright: scan_.copyrights[package] = parse_copyright(text); break;
    case Special::os_release:
      // /etc/os-release wins over /usr/lib/os-release, as os-release(5) says.
      if (scan_.os_release.empty() || path == "/etc/os-release") scan_.os_release = std::move(text);
      break;
    case Special::none: break;
  }
  return ok_status();
}

ImageScan ImageSink::finish(std::optional<std::pair<std::string, std::string>> file_digests) {
  if (dropped_warnings_) scan_.warnings.push_back("image " + spec_.name + ": further warnings were not kept");
  scan_.digest_of = file_digests ? "file" : "tree-listing-v1";
  auto [sha256, sha512] = file_digests ? std::move(*file_digests) : tree_hashers_->finish();
  scan_.sha256_hex = to_hex(sha256);
  scan_.sha512_hex = to_hex(sha512);
  return std::move(scan_);
}

}  // namespace fwseal::sbom
