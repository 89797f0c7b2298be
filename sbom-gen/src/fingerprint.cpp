#include "fingerprint.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "sbom_limits.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::size_t kMaxHitsPerFile = 4096;  // a hostile file full of needles costs bounded time

bool any_glob(std::string_view globs, std::string_view path, std::string_view base) {
  while (!globs.empty()) {
    auto bar = globs.find('|');
    std::string_view g = globs.substr(0, bar);
    if (!g.empty() && glob_match(g, g.find('/') != std::string_view::npos ? path : base)) return true;
    if (bar == std::string_view::npos) break;
    globs.remove_prefix(bar + 1);
  }
  return false;
}

const std::vector<std::regex>& compiled() {
  static const std::vector<std::regex> regexes = [] {
    std::vector<std::regex> out;
    for (const auto& rule : fingerprint_rules())
      out.emplace_back(rule.regex.empty() ? std::string("$^") : std::string(rule.regex), std::regex::ECMAScript);
    return out;
  }();
  return regexes;
}

std::size_t index_of(const FingerprintRule* rule) {
  return static_cast<std::size_t>(rule - fingerprint_rules().data());
}

struct Version {
  std::string version;
  std::string release;  // Linux only
};

bool digit(char c) { return c >= '0' && c <= '9'; }

// "6.1.0-56-cloud-amd64 (debian-kernel@...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)":
// Debian's ABI name hides the upstream release, which the build string names.
Version linux_version(std::string_view banner) {
  Version v;
  auto space = banner.find(' ');
  v.release = std::string(banner.substr(0, space));
  if (v.release.empty() || !digit(v.release[0]) || !is_clean_text(v.release) || v.release.size() > 128) return {};
  // Only in the build string after '#' ("#1 SMP ... Debian 6.1.192-2"): the
  // compiler's "(Debian 12.2.0-14)" comes before it.
  static const std::regex kDebian(R"(#\d+ [^#]* Debian (\d+\.\d+(?:\.\d+)?)-)");
  static const std::regex kLeading(R"(^(\d+\.\d+(?:\.\d+)?))");
  std::cmatch m;
  if (std::regex_search(banner.data(), banner.data() + banner.size(), m, kDebian)) v.version = m[1].str();
  else if (std::regex_search(v.release.c_str(), m, kLeading)) v.version = m[1].str();
  else return {};
  return v;
}

// The kernel_version string of an x86 boot header ("HdrS"), if the head has one.
std::string bzimage_banner(std::string_view head) {
  if (head.size() < 0x210 || head.substr(0x202, 4) != "HdrS") return {};
  auto lo = static_cast<unsigned char>(head[0x20e]);
  auto hi = static_cast<unsigned char>(head[0x20f]);
  std::size_t at = (std::size_t{hi} << 8 | lo) + 0x200;
  if ((std::size_t{hi} << 8 | lo) == 0 || at >= head.size()) return {};
  std::string_view rest = head.substr(at, 256);
  return std::string(rest.substr(0, rest.find('\0')));
}

// "9.2" and "9.2p1" from one file are one release told twice; keep the longer.
bool same_release(const std::string& shorter, const std::string& longer) {
  return longer.starts_with(shorter) && (longer.size() == shorter.size() || !digit(longer[shorter.size()]));
}

}  // namespace

namespace {
// Calls `fn(glob, excluded)` for each '|'-separated glob of `globs`.
template <class Fn>
void each_glob(std::string_view globs, Fn fn) {
  while (!globs.empty()) {
    auto bar = globs.find('|');
    std::string_view g = globs.substr(0, bar);
    if (g.starts_with("!")) fn(g.substr(1), true);
    else if (!g.empty()) fn(g, false);
    if (bar == std::string_view::npos) break;
    globs.remove_prefix(bar + 1);
  }
}
}  // namespace

bool rule_excludes_package(const FingerprintRule& rule, std::string_view name) {
  bool excluded = false;
  each_glob(rule.packages, [&](std::string_view g, bool exclusion) { excluded |= exclusion && glob_match(g, name); });
  return excluded;
}

bool rule_names_package(const FingerprintRule& rule, std::string_view name) {
  bool named = false;
  each_glob(rule.packages, [&](std::string_view g, bool exclusion) { named |= !exclusion && glob_match(g, name); });
  return named && !rule_excludes_package(rule, name);
}

std::string fingerprint_cpe(const FingerprintRule& rule, std::string_view version) {
  std::string v;
  for (char c : version) {  // CPE 2.3 formatted strings quote these with '\'
    if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !digit(c) && c != '_' && c != '.' && c != '-') v += '\\';
    v += c;
  }
  return "cpe:2.3:" + std::string(rule.cpe) + ":" + v + ":*:*:*:*:*:*:*";
}

std::string curated_cpe(std::string_view name, std::string_view version) {
  if (version.empty()) return "";
  for (const auto& rule : fingerprint_rules())
    if (rule.component.size() == name.size() &&
        std::equal(name.begin(), name.end(), rule.component.begin(),
                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }))
      return fingerprint_cpe(rule, version);
  return "";
}

FingerprintScanner::FingerprintScanner(std::string_view path, std::string_view raw_image_type) {
  std::string_view base = path.substr(path.rfind('/') + 1);
  for (const auto& rule : fingerprint_rules()) {
    bool by_type = !raw_image_type.empty() && any_glob(rule.image_types, raw_image_type, raw_image_type);
    if (!by_type && !any_glob(rule.files, path, base)) continue;
    rules_.push_back(&rule);
    for (std::string_view s : {rule.marker, rule.needle})
      if (!s.empty() && std::find(needles_.begin(), needles_.end(), s) == needles_.end()) needles_.push_back(s);
    window_ = std::max({window_, rule.lookahead, rule.marker.size(), rule.needle.size()});
  }
}

void FingerprintScanner::feed(std::string_view chunk) {
  if (needles_.empty()) return;
  buf_.append(chunk);
  search(false);
}

// Finds needles in buf_ at every position whose window is complete (all of
// them when `final`), then keeps only the bytes a later match could still need.
void FingerprintScanner::search(bool final) {
  if (buf_.size() < window_ && !final) return;
  std::size_t starts = final ? buf_.size() : buf_.size() - window_ + 1;
  std::string_view view(buf_);
  for (std::size_t n = 0; n < needles_.size(); ++n) {
    std::string_view needle = needles_[n];
    for (std::size_t p = view.find(needle); p != std::string_view::npos && p < starts; p = view.find(needle, p + 1)) {
      if (hits_.size() >= kMaxHitsPerFile) {
        ++dropped_hits_;
        break;
      }
      hits_.push_back({n, std::string(view.substr(p, window_))});
    }
  }
  buf_.erase(0, starts);
}

std::map<std::string, std::string> FingerprintScanner::versions_of(const FingerprintRule& rule,
                                                                   std::string_view head) const {
  std::map<std::string, std::string> versions;  // version -> kernel release
  if (!rule.marker.empty() &&
      std::none_of(hits_.begin(), hits_.end(), [&](const Hit& h) { return needles_[h.needle] == rule.marker; }))
    return versions;
  auto consider = [&](std::string_view window) {
    std::cmatch m;
    if (!std::regex_search(window.data(), window.data() + window.size(), m, compiled()[index_of(&rule)],
                           std::regex_constants::match_continuous))
      return;
    if (rule.from == VersionFrom::linux_banner) {
      Version v = linux_version(window.substr(static_cast<std::size_t>(m.position(1))));
      if (!v.version.empty()) versions[v.version] = v.release;
    } else {
      versions[m[1].str()] = "";
    }
  };
  // A bzImage's boot header names its kernel exactly; text found further
  // on may be a fragment inside the compressed kernel.
  std::string banner = rule.from == VersionFrom::linux_banner ? bzimage_banner(head) : std::string();
  if (!banner.empty()) {
    consider("Linux version " + banner + " ");
  } else {
    for (const Hit& h : hits_)
      if (needles_[h.needle] == rule.needle) consider(h.window);
  }
  // Collapse "9.2" into "9.2p1".
  for (auto it = versions.begin(); it != versions.end();) {
    bool covered = std::any_of(versions.begin(), versions.end(), [&](const auto& other) {
      return other.first != it->first && same_release(it->first, other.first);
    });
    it = covered ? versions.erase(it) : std::next(it);
  }
  return versions;
}

namespace {

Finding versioned_finding(const FingerprintRule& rule, const std::string& version, const std::string& release,
                          const Occurrence& where, const std::string& place) {
  Finding f;
  f.source = Source::fingerprint;
  f.rule = &rule;
  f.name = std::string(rule.component);
  f.version = version;
  f.upstream_version = version;
  f.type = std::string(rule.type);
  f.cpe = fingerprint_cpe(rule, version);
  f.purl = make_purl("generic", "", f.name, f.version);
  if (!release.empty()) f.properties["fwseal:kernel-release"] = release;
  f.image = where.image;
  f.occurrences.push_back(where);
  f.method = {"binary-analysis", 0.7, "fingerprint " + std::string(rule.component) + " " + version + " in " + place};
  return f;
}

// A file that is part of a component but carries no version of its own.
Finding versionless_finding(const FingerprintRule& rule, const Occurrence& where) {
  Finding f;
  f.source = Source::fingerprint;
  f.rule = &rule;
  f.versionless = true;
  f.name = std::string(rule.component);
  f.type = std::string(rule.type);
  f.image = where.image;
  f.occurrences.push_back(where);
  f.method = {"binary-analysis", 0.5, "file name " + where.path + " belongs to " + f.name + " (no version text of its own)"};
  return f;
}

}  // namespace

void FingerprintScanner::finish(std::string_view head, bool is_elf, const Occurrence& where,
                                std::vector<Finding>& findings, std::vector<std::string>& warnings) {
  if (rules_.empty()) return;
  search(true);
  std::string place = where.image + ":" + where.path;
  if (dropped_hits_ > 0)
    warnings.push_back(place + ": more than " + std::to_string(kMaxHitsPerFile) +
                       " fingerprint candidates; the rest were not examined");
  std::set<std::string> matched_components;
  for (const FingerprintRule* rule : rules_) {
    if (rule->from == VersionFrom::none) continue;
    const std::map<std::string, std::string> versions = versions_of(*rule, head);
    if (versions.empty()) continue;
    if (versions.size() > 1) {
      std::string list;
      for (const auto& [v, r] : versions) list += (list.empty() ? "" : ", ") + v;
      warnings.push_back(place + ": " + std::string(rule->component) + " fingerprint gives several versions (" + list +
                         "); none reported");
      continue;
    }
    const auto& [version, release] = *versions.begin();
    findings.push_back(versioned_finding(*rule, version, release, where, place));
    matched_components.insert(std::string(rule->component));
  }
  if (!is_elf) return;
  for (const FingerprintRule* rule : rules_) {
    if (rule->from != VersionFrom::none || matched_components.contains(std::string(rule->component))) continue;
    findings.push_back(versionless_finding(*rule, where));
    matched_components.insert(std::string(rule->component));
  }
}

}  // namespace fwseal::sbom
