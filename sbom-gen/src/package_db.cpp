#include "package_db.h"

#include <algorithm>
#include <set>

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

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// "name (>= 1.0)", "name:any" -> "name"; "" if not a package name.
std::string relation_name(std::string_view alt) {
  alt = trim(alt);
  alt = trim(alt.substr(0, alt.find_first_of(" (\t\n[<")));
  alt = alt.substr(0, alt.find(':'));
  return token(alt, 256) ? std::string(alt) : std::string();
}

// Depends/Pre-Depends: comma-separated relations, each a list of "|"
// alternatives. Each relation yields the first alternative that is installed
// (by name, else through a Provides); unsatisfied ones yield nothing.
std::vector<std::string> resolve_depends(const Paragraph& p, const std::set<std::string>& installed,
                                         const std::map<std::string, std::string>& provided_by) {
  std::set<std::string> out;
  for (const char* field : {"Pre-Depends", "Depends"}) {
    const std::string* v = p.find(field);
    if (v == nullptr) continue;
    for (std::string_view rel : split(*v, ',')) {
      for (std::string_view alt : split(rel, '|')) {
        std::string name = relation_name(alt);
        if (name.empty()) continue;
        if (installed.contains(name)) {
          out.insert(name);
          break;
        }
        if (auto it = provided_by.find(name); it != provided_by.end()) {
          out.insert(it->second);
          break;
        }
      }
    }
  }
  return {out.begin(), out.end()};
}

std::string_view state_of(const Paragraph& p) {
  const std::string* status = p.find("Status");
  if (status == nullptr) return {};
  std::string_view state = trim(*status);
  return state.substr(state.rfind(' ') == std::string_view::npos ? 0 : state.rfind(' ') + 1);
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : std::string(sep)) + x;
  return out;
}

}  // namespace

std::string OsRelease::distro() const {
  if (id.empty()) return {};
  return version_id.empty() ? id : id + "-" + version_id;
}

OsRelease parse_os_release(std::string_view text) {
  OsRelease out;
  for (std::string_view line : split_lines(text)) {
    line = trim(line);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = line.substr(0, eq), v = line.substr(eq + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
    bool plain = !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
    bool text_ok = !v.empty() && v.size() <= 256 && is_clean_text(v) && v.find('\\') == std::string_view::npos;
    if (key == "ID" && out.id.empty()) out.id = plain ? std::string(v) : "";
    else if (key == "VERSION_ID" && out.version_id.empty()) out.version_id = plain ? std::string(v) : "";
    else if (key == "NAME" && out.name.empty()) out.name = text_ok ? std::string(v) : "";
    else if (key == "PRETTY_NAME" && out.pretty_name.empty()) out.pretty_name = text_ok ? std::string(v) : "";
  }
  return out;
}

std::string os_release_id(std::string_view text) { return parse_os_release(text).id; }

namespace {

// Phase 1: what is installed, and which installed package provides which name.
struct InstalledIndex {
  std::set<std::string> installed;
  std::map<std::string, std::string> provided_by;
};

InstalledIndex index_installed(const std::vector<Paragraph>& paragraphs) {
  InstalledIndex out;
  for (const Paragraph& p : paragraphs) {
    const std::string* package = p.find("Package");
    if (package == nullptr || state_of(p) != "installed") continue;
    out.installed.insert(*package);
  }
  for (const Paragraph& p : paragraphs) {
    const std::string* package = p.find("Package");
    const std::string* provides = p.find("Provides");
    if (package == nullptr || provides == nullptr || state_of(p) != "installed") continue;
    for (std::string_view rel : split(*provides, ',')) {
      std::string name = relation_name(rel);
      if (!name.empty() && !out.installed.contains(name)) out.provided_by.emplace(name, *package);
    }
  }
  return out;
}

// Source package and version: what Debian's security tracker and every
// advisory are keyed by. "Source: systemd (252.39-1~deb12u1)" when the source
// version differs from the binary's, "Source: systemd" otherwise. Then the
// purl, with purl-spec's deb qualifiers `distro` (the os-release
// ID-VERSION_ID) and `upstream` (the source package, with @version when it
// differs).
void set_identity(Finding& f, const Paragraph& p, bool dpkg, const OsRelease& os) {
  std::string arch;
  if (const std::string* a = p.find("Architecture"); a != nullptr && token(*a, 64)) arch = *a;
  std::string src_name, src_version;
  for (const char* field : {"Source", "OE"}) {
    const std::string* s = p.find(field);
    if (s == nullptr) continue;
    std::string name = source_name(*s);
    if (!name.empty() && name != f.name && std::find(f.aliases.begin(), f.aliases.end(), name) == f.aliases.end())
      f.aliases.push_back(name);
    if (!dpkg || std::string_view(field) != "Source" || name.empty()) continue;
    src_name = name;
    auto open = s->find('('), close = s->rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      std::string_view v = trim(std::string_view(*s).substr(open + 1, close - open - 1));
      if (token(v, 256)) src_version = std::string(v);
    }
  }
  const std::string distro = os.distro();
  if (!dpkg) {
    f.purl = make_purl("opkg", os.id, f.name, f.version, {{"arch", arch}, {"distro", distro}});
    return;
  }
  if (src_name.empty()) src_name = f.name;
  if (src_version.empty()) src_version = f.version;
  f.properties["fwseal:debian-source-package"] = src_name;
  f.properties["fwseal:debian-source-version"] = src_version;
  std::string upstream;
  if (src_name != f.name || src_version != f.version)
    upstream = src_version != f.version ? src_name + "@" + src_version : src_name;
  f.purl = make_purl("deb", os.id.empty() ? "debian" : os.id, f.name, f.version,
                     {{"arch", arch}, {"distro", distro}, {"upstream", upstream}});
}

// CycloneDX type from the archive section (Debian Policy 2.4; opkg feeds
// use the same names): libraries in libs, libdevel and oldlibs (also as
// "contrib/libs"), kernels in kernel, everything else a program. Without a
// Section the type stays "library", as for every other source.
void set_type(Finding& f, const Paragraph& p) {
  const std::string* section = p.find("Section");
  if (section == nullptr) return;
  std::string_view s = *section;
  if (auto slash = s.rfind('/'); slash != std::string_view::npos) s.remove_prefix(slash + 1);
  if (s == "libs" || s == "libdevel" || s == "oldlibs") f.type = "library";
  else if (s == "kernel") f.type = "operating-system";
  else f.type = "application";
}

void set_supplier_and_description(Finding& f, const Paragraph& p) {
  if (const std::string* m = p.find("Maintainer"); m != nullptr && is_clean_text(*m) && m->size() <= 256) {
    f.publisher = *m;
    // The maintainer supplies the package: "Name <mail>" -> supplier "Name".
    std::string_view who = trim(std::string_view(*m).substr(0, m->find('<')));
    f.supplier = std::string(who.empty() ? std::string_view(*m) : who);
  }
  if (const std::string* d = p.find("Description"); d != nullptr) {
    std::string first = sanitize_utf8(std::string_view(*d).substr(0, d->find('\n')));
    if (!first.empty() && first.size() <= 1024 && is_clean_text(first)) f.description = first;
  }
}

// dpkg: the package's copyright file, as read beforehand; opkg: its License field.
void set_licence(Finding& f, const Paragraph& p, bool dpkg,
                 const std::map<std::string, CopyrightLicences>& copyrights) {
  if (dpkg) {
    auto it = copyrights.find(f.name);
    if (it == copyrights.end() || it->second.spdx.empty()) return;
    const CopyrightLicences& c = it->second;
    f.licence = combine_licences(c.spdx);
    f.licence.acknowledgement = "declared";
    // How the licence was identified, as a fixed word a tool can test, and
    // the file it was read from.
    f.properties["fwseal:licence-source-file"] = "/usr/share/doc/" + f.name + "/copyright";
    if (c.machine_readable) {
      f.properties["fwseal:licence-source"] = "debian-copyright-dep5";
    } else {
      // Free text states licences in prose too, which is not read: the
      // licence is what the file's references say, maybe not all it says.
      f.properties["fwseal:licence-source"] = "debian-common-licenses-reference";
      f.properties["fwseal:licence-may-be-incomplete"] =
          "free text: only the /usr/share/common-licenses files it names (" + join(c.common_licences, ", ") +
          ") are read; licences stated only in prose are not";
    }
    if (!c.unmapped.empty()) f.properties["fwseal:licences-not-mapped-to-spdx"] = join(c.unmapped, "; ");
  } else if (const std::string* l = p.find("License"); l != nullptr) {
    // OpenWrt and Yocto write SPDX-style License fields into opkg control data.
    std::string spdx = map_licence_term(*l, LicenceDialect::yocto);
    if (!spdx.empty()) {
      f.licence = combine_licences({spdx});
      f.licence.acknowledgement = "declared";
    } else if (is_clean_text(*l) && l->size() <= 1024) {
      f.licence.name = *l;  // stated, with no SPDX form: kept as the package says it
    }
  }
}

}  // namespace

Result<std::vector<Finding>> parse_status_file(const StatusFile& file, const OsRelease& os,
                                               const std::map<std::string, CopyrightLicences>& copyrights) {
  std::string what = file.image + ":" + file.path;
  FWSEAL_ASSIGN(auto paragraphs, parse_deb822(file.text, what, kMaxPackages));
  const bool dpkg = file.kind == Source::dpkg;
  const InstalledIndex index = index_installed(paragraphs);
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
    if (state_of(p) != "installed") continue;
    const std::string* version = p.find("Version");
    if (version == nullptr) return make_error(Code::malformed, where + ": package " + *package + " has no Version");
    if (!token(*version, 256)) return make_error(Code::malformed, where + ": package " + *package + ": invalid Version " + shown(*version));
    Finding f;
    f.source = file.kind;
    f.name = *package;
    f.version = *version;
    f.upstream_version = upstream_of_package_version(*version);
    set_identity(f, p, dpkg, os);
    set_supplier_and_description(f, p);
    set_type(f, p);
    f.depends = resolve_depends(p, index.installed, index.provided_by);
    set_licence(f, p, dpkg, copyrights);
    f.image = file.image;
    f.method = {"manifest-analysis", 1.0,
                std::string(dpkg ? "dpkg" : "opkg") + " status " + what + " line " + std::to_string(p.line)};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace fwseal::sbom
