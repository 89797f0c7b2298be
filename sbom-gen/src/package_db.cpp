#include "package_db.h"

#include <algorithm>

#include "deb822.h"
#include "licence.h"
#include "sbom_limits.h"
#include "package_version.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

// Package names and versions are single tokens of printable ASCII in both
// dpkg and opkg; anything else in a status file is refused, not repaired.
bool token(std::string_view s, std::size_t max) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

// "busybox (1:1.35.0-4+deb12u1)" -> "busybox"; Yocto's "busybox_1.36.1.bb" -> "busybox".
std::string source_name(std::string_view field) {
  std::string_view s = trim(field.substr(0, field.find(' ')));
  if (s.ends_with(".bb")) s = s.substr(0, s.find('_'));
  return token(s, 256) ? std::string(s) : std::string();
}

}  // namespace

std::string os_release_id(std::string_view text) {
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    if (!line.starts_with("ID=")) continue;
    std::string_view v = line.substr(3);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    bool ok = !v.empty() && v.size() <= 64 &&
              std::all_of(v.begin(), v.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'; });
    return ok ? std::string(v) : std::string();
  }
  return {};
}

Result<std::vector<Finding>> parse_status_file(const StatusFile& file, std::string_view distro,
                                               const std::map<std::string, CopyrightLicences>& copyrights) {
  std::string what = file.image + ":" + file.path;
  FWSEAL_ASSIGN(auto paragraphs, parse_deb822(file.text, what, kMaxPackages));
  bool dpkg = file.kind == Source::dpkg;
  std::vector<Finding> out;
  for (const Paragraph& p : paragraphs) {
    std::string where = what + ":" + std::to_string(p.line);
    const std::string* status = p.find("Status");
    const std::string* package = p.find("Package");
    if (package == nullptr) return make_error(Code::malformed, where + ": paragraph without Package");
    if (!token(*package, 256)) return make_error(Code::malformed, where + ": invalid Package " + shown(*package));
    // "install ok installed": the last word is the state; half-installed,
    // config-files, unpacked, ... packages are not on the image in full.
    if (status == nullptr) return make_error(Code::malformed, where + ": package " + *package + " has no Status");
    std::string_view state = trim(*status);
    state = state.substr(state.rfind(' ') == std::string_view::npos ? 0 : state.rfind(' ') + 1);
    if (state != "installed") continue;
    const std::string* version = p.find("Version");
    if (version == nullptr) return make_error(Code::malformed, where + ": package " + *package + " has no Version");
    if (!token(*version, 256)) return make_error(Code::malformed, where + ": package " + *package + ": invalid Version " + shown(*version));
    Finding f;
    f.source = file.kind;
    f.name = *package;
    f.version = *version;
    f.upstream_version = upstream_of_package_version(*version);
    std::string arch;
    if (const std::string* a = p.find("Architecture"); a != nullptr && token(*a, 64)) arch = *a;
    if (dpkg) {
      f.purl = make_purl("deb", distro.empty() ? "debian" : distro, f.name, f.version, {{"arch", arch}});
    } else {
      f.purl = make_purl("opkg", distro, f.name, f.version, {{"arch", arch}});
    }
    for (const char* field : {"Source", "OE"}) {
      if (const std::string* s = p.find(field); s != nullptr) {
        std::string name = source_name(*s);
        if (!name.empty() && name != f.name &&
            std::find(f.aliases.begin(), f.aliases.end(), name) == f.aliases.end())
          f.aliases.push_back(name);
      }
    }
    if (const std::string* m = p.find("Maintainer"); m != nullptr && is_clean_text(*m) && m->size() <= 256)
      f.publisher = *m;
    if (const std::string* d = p.find("Description"); d != nullptr) {
      std::string first = sanitize_utf8(std::string_view(*d).substr(0, d->find('\n')));
      if (!first.empty() && first.size() <= 1024 && is_clean_text(first)) f.description = first;
    }
    if (dpkg) {
      if (auto it = copyrights.find(f.name); it != copyrights.end() && it->second.machine_readable) {
        f.licence = combine_licences(it->second.spdx);
        std::string unmapped;
        for (const auto& u : it->second.unmapped) unmapped += (unmapped.empty() ? "" : "; ") + u;
        if (!unmapped.empty()) f.properties["fwseal:licences-not-mapped-to-spdx"] = unmapped;
      }
    } else if (const std::string* l = p.find("License"); l != nullptr) {
      // OpenWrt and Yocto write SPDX-style License fields into opkg control data.
      std::string spdx = map_licence_term(*l, LicenceDialect::yocto);
      if (!spdx.empty()) f.licence = combine_licences({spdx});
    }
    f.image = file.image;
    f.method = {"manifest-analysis", 1.0,
                std::string(dpkg ? "dpkg" : "opkg") + " status " + what + " line " + std::to_string(p.line)};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace fwseal::sbom
