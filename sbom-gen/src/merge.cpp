#include "merge.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "fingerprint.h"
#include "sbom_limits.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

bool is_package(const Component& c) { return c.sources.contains(Source::dpkg) || c.sources.contains(Source::opkg); }

bool image_fits(const Component& c, const std::string& image) {
  return image.empty() || c.images.empty() || c.images.contains(image);
}

bool names_match(const Finding& f, const Component& c) {
  auto names_of_f = f.aliases;
  names_of_f.push_back(f.name);
  auto names_of_c = c.aliases;
  names_of_c.push_back(c.name);
  for (const auto& a : names_of_f)
    for (const auto& b : names_of_c)
      if (iequals(a, b)) return true;
  return false;
}

// A component is the rule's if its name is one of the rule's packages, or if
// its source/recipe name is and its own name is not excluded ("curl" the tool
// is built from the same source as libcurl4, but is not libcurl).
bool rule_matches(const FingerprintRule& rule, const Component& c) {
  if (rule_names_package(rule, c.name)) return true;
  if (rule_excludes_package(rule, c.name)) return false;
  return std::any_of(c.aliases.begin(), c.aliases.end(),
                     [&](const std::string& alias) { return rule_names_package(rule, alias); });
}

// A fingerprint's version against a component's: the upstream release must
// be the same; a Linux kernel package may instead be named after the
// kernel's release ("linux-image-6.1.0-56-cloud-amd64").
bool version_fits(const Finding& f, const Component& c) {
  if (c.upstream_versions.contains(f.upstream_version)) return true;
  // Only when the kernel's version came from its release string (no
  // distribution version in the banner) is the release a fair match.
  if (auto it = f.properties.find("fwseal:kernel-release");
      it != f.properties.end() && it->second.starts_with(f.upstream_version))
    return c.name.ends_with("-" + it->second) || c.upstream_versions.contains(it->second);
  return false;
}

class Merger {
 public:
  explicit Merger(MergeInput& in) : in_(in) {}

  MergeResult run() {
    for (auto& f : in_.declared) merge_declared(f);
    for (auto& f : in_.packages) merge_package(f);
    for (auto& f : in_.binaries)
      if (f.source == Source::elf_note) merge_note(f);
    for (auto& f : in_.binaries)
      if (f.source == Source::fingerprint && !f.versionless) merge_fingerprint(f);
    for (auto& f : in_.binaries)
      if (f.source == Source::fingerprint && f.versionless) merge_versionless(f);
    return finish();
  }

 private:
  // Components live in comps_ and are named by index: the maps below keep
  // lookups by purl and by name from scanning every component per finding
  // (a components file may declare 100,000).
  std::size_t add(const Finding& f) {
    comps_.emplace_back();
    Component& c = comps_.back();
    c.name = f.name;
    c.version = f.version;
    c.type = f.type;
    std::size_t i = comps_.size() - 1;
    by_name_.emplace(lower(c.name), i);
    absorb(i, f);
    return i;
  }

  void absorb(std::size_t i, const Finding& f) {
    Component& c = comps_[i];
    if (!f.image.empty()) c.images.insert(f.image);
    for (const auto& o : f.occurrences)
      if (c.occurrences.size() < kMaxOccurrencesPerComponent) c.occurrences.insert(o);
    c.methods.insert(f.method);
    for (const auto& p : f.properties) c.properties.insert(p);
    c.sources.insert(f.source);
    if (f.rule != nullptr) c.rules.insert(f.rule);
    auto fill = [](std::string& into, const std::string& from) {
      if (into.empty()) into = from;
    };
    if (!f.upstream_version.empty()) c.upstream_versions.insert(f.upstream_version);
    fill(c.supplier, f.supplier);
    fill(c.publisher, f.publisher);
    if (c.purl.empty() && !f.purl.empty()) {
      c.purl = f.purl;
      by_purl_.emplace(c.purl, i);
    }
    fill(c.cpe, f.cpe);
    fill(c.description, f.description);
    fill(c.source_url, f.source_url);
    if (c.licence.empty()) c.licence = f.licence;
    for (const auto& h : f.hashes) {
      auto same_alg = std::find_if(c.hashes.begin(), c.hashes.end(), [&](const auto& x) { return x.first == h.first; });
      if (same_alg == c.hashes.end()) c.hashes.push_back(h);
      else if (same_alg->second != h.second)
        warnings_.insert(c.name + " " + c.version + ": sources disagree on its " + h.first + " hash");
    }
    for (const auto& a : f.aliases)
      if (std::find(c.aliases.begin(), c.aliases.end(), a) == c.aliases.end()) c.aliases.push_back(a);
    for (const auto& d : f.depends) c.depends.emplace(f.image, d);
  }

  std::optional<std::size_t> with_purl(const std::string& purl) const {
    if (purl.empty()) return std::nullopt;
    auto it = by_purl_.find(purl);
    return it == by_purl_.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }

  // Indices of the components named `name` (any case), in creation order.
  std::vector<std::size_t> named(const std::string& name) const {
    std::vector<std::size_t> out;
    for (auto [it, end] = by_name_.equal_range(lower(name)); it != end; ++it) out.push_back(it->second);
    return out;
  }

  void merge_declared(const Finding& f) {
    if (auto i = with_purl(f.purl)) return absorb(*i, f);
    for (std::size_t i : named(f.name))
      if (comps_[i].version == f.version) return absorb(i, f);
    add(f);
  }

  void merge_package(const Finding& f) {
    // The same package in another image (or listed twice) has the same purl.
    if (auto i = with_purl(f.purl)) return absorb(*i, f);
    // A component the build declared, installed as a package of that name, is
    // one component. A declared component takes at most one package, so two
    // packages never become one.
    for (std::size_t i : named(f.name)) {
      const Component& c = comps_[i];
      if (!is_package(c) && image_fits(c, f.image) &&
          (c.version == f.version || c.upstream_versions.contains(f.upstream_version)))
        return absorb(i, f);
    }
    add(f);
  }

  // The file's owner by the package database (dpkg/opkg info/*.list) decides
  // which package a binary's note or fingerprint is evidence of: the note of
  // libudev.so.1 names the source package (systemd), the file list names the
  // binary package that installed it (libudev1). Returns true if the finding
  // was placed: absorbed by its owner, or (its version not the owner's) added
  // as a second component and reported.
  bool merge_owned(const Finding& f) {
    const std::string* owner = owner_of(f);
    if (owner == nullptr) return false;
    for (std::size_t i : named(*owner)) {
      const Component& c = comps_[i];
      if (!is_package(c) || c.name != *owner || !c.images.contains(f.image)) continue;
      bool fits = f.source == Source::fingerprint ? version_fits(f, c)
                                                  : (c.version == f.version || c.upstream_versions.contains(f.upstream_version));
      if (f.versionless || fits) {
        absorb(i, f);
        return true;
      }
      std::string place = f.image + ":" + (f.occurrences.empty() ? "" : f.occurrences[0].path);
      warnings_.insert(place + ": " + f.name + " " + f.version + " found in a file of package " + c.name + " " +
                       c.version + "; reported as two components");
      add(f);
      return true;
    }
    return false;
  }

  void merge_note(const Finding& f) {
    if (merge_owned(f)) return;
    if (auto i = with_purl(f.purl)) return absorb(*i, f);
    for (std::size_t i = 0; i < comps_.size(); ++i) {
      const Component& c = comps_[i];
      if (image_fits(c, f.image) && names_match(f, c) &&
          (c.version == f.version || c.upstream_versions.contains(f.upstream_version)))
        return absorb(i, f);
    }
    add(f);
  }

  const std::string* owner_of(const Finding& f) const {
    if (f.occurrences.empty()) return nullptr;
    auto img = in_.owners.find(f.image);
    if (img == in_.owners.end()) return nullptr;
    auto it = img->second.find(f.occurrences[0].path);
    return it == img->second.end() ? nullptr : &it->second;
  }

  void merge_fingerprint(const Finding& f) {
    const FingerprintRule& rule = *f.rule;
    std::string place = f.image + ":" + (f.occurrences.empty() ? "" : f.occurrences[0].path);
    // The package database says which package installed the file.
    if (merge_owned(f)) return;
    std::vector<std::size_t> fitting;
    std::vector<std::size_t> other_versions;
    for (std::size_t i = 0; i < comps_.size(); ++i) {
      const Component& c = comps_[i];
      if (!rule_matches(rule, c)) continue;
      if (c.sources == std::set<Source>{Source::fingerprint} && c.name != f.name) continue;
      if (!version_fits(f, c)) {
        if (!c.version.empty()) other_versions.push_back(i);  // in any image: still two versions of one thing
      } else if (image_fits(c, f.image)) {
        fitting.push_back(i);
      }
    }
    if (auto best = pick(fitting, f)) return absorb(*best, f);
    // The same release found in another image is the same component.
    for (std::size_t i : named(f.name)) {
      const Component& c = comps_[i];
      if (c.sources == std::set<Source>{Source::fingerprint} && c.version == f.version) return absorb(i, f);
    }
    for (std::size_t i : other_versions) {
      const Component& c = comps_[i];
      if (is_package(c) || c.sources.contains(Source::components_file) || c.sources.contains(Source::buildroot) ||
          c.sources.contains(Source::yocto))
        warnings_.insert(place + ": " + f.name + " " + f.version + " found, but " + c.name + " " + c.version +
                         " is present too; reported as two components");
    }
    add(f);
  }

  void merge_versionless(const Finding& f) {
    if (merge_owned(f)) return;
    std::vector<std::size_t> candidates;
    std::set<std::string> versions;
    for (std::size_t i = 0; i < comps_.size(); ++i) {
      const Component& c = comps_[i];
      if (c.version.empty() || !c.images.contains(f.image) || !rule_matches(*f.rule, c)) continue;
      candidates.push_back(i);
      versions.insert(c.version);
    }
    if (versions.size() > 1) {
      warnings_.insert(f.image + ":" + f.occurrences[0].path + ": belongs to " + f.name +
                       ", which is present in several versions; not attributed");
      return;
    }
    if (auto best = pick(candidates, f)) absorb(*best, f);
  }

  // Among several components that could hold a file, prefer the one whose
  // name starts like the file ("libcurl.so.4" -> libcurl4, not curl); then
  // the first by name and version, so the choice never depends on order.
  std::optional<std::size_t> pick(std::vector<std::size_t> candidates, const Finding& f) const {
    if (candidates.empty()) return std::nullopt;
    std::string base = f.occurrences.empty() ? "" : f.occurrences[0].path.substr(f.occurrences[0].path.rfind('/') + 1);
    std::string stem = base.substr(0, base.find('.'));
    std::sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      return std::tie(comps_[a].name, comps_[a].version) < std::tie(comps_[b].name, comps_[b].version);
    });
    if (!stem.empty())
      for (std::size_t i : candidates)
        if (starts_with_icase(comps_[i].name, stem)) return i;
    return candidates.front();
  }

  MergeResult finish() {
    // Two versions of one thing: same name, different versions.
    std::map<std::string, std::set<std::string>> by_name;
    for (const auto& c : comps_) by_name[lower(c.name)].insert(c.version);
    for (const auto& [name, versions] : by_name) {
      if (versions.size() < 2) continue;
      std::string list;
      for (const auto& v : versions) list += (list.empty() ? "" : ", ") + (v.empty() ? "(no version)" : v);
      warnings_.insert(name + " is present in " + std::to_string(versions.size()) + " versions: " + list);
    }
    for (auto& c : comps_) {
      if (c.purl.empty()) c.purl = make_purl("generic", "", c.name, c.version);
    }
    std::sort(comps_.begin(), comps_.end(), [](const Component& a, const Component& b) {
      return std::tie(a.name, a.version, a.purl) < std::tie(b.name, b.version, b.purl);
    });
    // bom-refs: the purl, made unique if two components share one.
    std::set<std::string> used;
    for (auto& c : comps_) {
      std::string ref = c.purl;
      for (int n = 2; used.contains(ref); ++n) ref = c.purl + "#" + std::to_string(n);
      used.insert(ref);
      c.bom_ref = ref;
    }
    // Package-to-package dependencies: a package's Depends name packages of
    // the same image's database.
    std::map<std::pair<std::string, std::string>, std::string> package_ref;  // (image, name) -> bom-ref
    for (const auto& c : comps_)
      if (is_package(c))
        for (const auto& image : c.images) package_ref.emplace(std::pair(image, c.name), c.bom_ref);
    for (auto& c : comps_)
      for (const auto& key : c.depends)
        if (auto it = package_ref.find(key); it != package_ref.end() && it->second != c.bom_ref)
          c.depends_on.insert(it->second);
    MergeResult out;
    out.components = std::move(comps_);
    out.warnings.assign(warnings_.begin(), warnings_.end());
    return out;
  }

  MergeInput& in_;
  std::vector<Component> comps_;
  std::map<std::string, std::size_t> by_purl_;
  std::multimap<std::string, std::size_t> by_name_;  // lowercase name
  std::set<std::string> warnings_;
};

}  // namespace

MergeResult merge_findings(MergeInput input) { return Merger(input).run(); }

}  // namespace fwseal::sbom
