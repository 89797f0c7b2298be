#include "fwseal/sbom/diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "fwseal/sbom/validate.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

struct Entry {
  std::string name, version, purl, licence;
  std::map<std::string, std::string> hashes;
};

std::string licence_of(const json& c) {
  auto it = c.find("licenses");
  if (it == c.end()) return {};
  std::vector<std::string> parts;
  for (const auto& e : *it) {
    // at(), not []: a component list that skipped validate_sbom throws
    // (caught by list_entries) instead of reading what is not there.
    if (e.contains("expression")) parts.push_back(e.at("expression").get<std::string>());
    else if (e.at("license").contains("id")) parts.push_back(e.at("license").at("id").get<std::string>());
    else parts.push_back(e.at("license").at("name").get<std::string>());
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

void collect(const json& list, std::multimap<std::string, Entry>& out) {
  for (const auto& c : list) {
    Entry e;
    e.name = c.at("name").get<std::string>();
    e.version = c.value("version", "");
    e.purl = c.value("purl", "");
    e.licence = licence_of(c);
    if (auto h = c.find("hashes"); h != c.end())
      for (const auto& x : *h) e.hashes[x.at("alg").get<std::string>()] = lower(x.at("content").get<std::string>());
    // Pair by what the component is, not which version of it: the purl
    // without its version, else the name.
    std::string key = e.purl.empty() ? std::string() : purl_without_version(e.purl);
    if (key.empty()) key = "name:" + lower(e.name);
    out.emplace(key, std::move(e));
    if (auto nested = c.find("components"); nested != c.end()) collect(*nested, out);
  }
}

Result<std::multimap<std::string, Entry>> entries(std::string_view bytes, const char* side) {
  auto valid = validate_sbom(bytes);
  if (!valid.ok()) return make_error(Code::malformed, std::string(side) + " " + valid.error().message);
  FWSEAL_ASSIGN(json bom, parse_json_strict(bytes, side, JsonLimits{kMaxSbomBytes, 32}));
  std::multimap<std::string, Entry> out;
  if (auto it = bom.find("components"); it != bom.end()) collect(*it, out);
  return out;
}

DiffComponent summary(const Entry& e) { return {e.name, e.version, e.purl}; }

void compare(const Entry& o, const Entry& n, SbomDiff& d) {
  if (o.version != n.version) d.version_changed.push_back({n.name, o.purl, n.purl, o.version, n.version});
  if (o.licence != n.licence) d.licence_changed.push_back({n.name, n.version, o.licence, n.licence});
  if (o.version != n.version) return;  // new bytes are expected with a new version
  if (o.hashes.empty() != n.hashes.empty()) {
    d.hash_changed.push_back({n.name, n.version, "", o.hashes.empty() ? "" : "present", n.hashes.empty() ? "" : "present"});
    return;
  }
  for (const auto& [alg, value] : o.hashes) {
    auto it = n.hashes.find(alg);
    if (it != n.hashes.end() && it->second != value) d.hash_changed.push_back({n.name, n.version, alg, value, it->second});
  }
}

template <class T, class Key>
void sort_by(std::vector<T>& v, Key key) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
}

// The one comparison behind diff_sbom and diff_components.
SbomDiff diff_entries(const std::multimap<std::string, Entry>& olds, const std::multimap<std::string, Entry>& news) {
  std::set<std::string> keys;
  for (const auto& [k, e] : olds) keys.insert(k);
  for (const auto& [k, e] : news) keys.insert(k);
  SbomDiff d;
  for (const auto& key : keys) {
    std::vector<const Entry*> o, n;
    for (auto [it, end] = olds.equal_range(key); it != end; ++it) o.push_back(&it->second);
    for (auto [it, end] = news.equal_range(key); it != end; ++it) n.push_back(&it->second);
    // Same version on both sides first; then one leftover each is an upgrade.
    for (auto oi = o.begin(); oi != o.end();) {
      auto same = std::find_if(n.begin(), n.end(), [&](const Entry* e) { return e->version == (*oi)->version; });
      if (same == n.end()) {
        ++oi;
        continue;
      }
      compare(**oi, **same, d);
      n.erase(same);
      oi = o.erase(oi);
    }
    if (o.size() == 1 && n.size() == 1) {
      compare(*o[0], *n[0], d);
      continue;
    }
    for (const Entry* e : o) d.removed.push_back(summary(*e));
    for (const Entry* e : n) d.added.push_back(summary(*e));
  }
  auto by_component = [](const DiffComponent& c) { return std::tie(c.name, c.version, c.purl); };
  sort_by(d.added, by_component);
  sort_by(d.removed, by_component);
  sort_by(d.version_changed, [](const VersionChange& c) { return std::tie(c.name, c.old_version, c.new_version); });
  sort_by(d.licence_changed, [](const LicenceChange& c) { return std::tie(c.name, c.version); });
  sort_by(d.hash_changed, [](const HashChange& c) { return std::tie(c.name, c.version, c.algorithm); });
  return d;
}

// A list of component objects that need not have passed validate_sbom (the
// inventory's records): any shape other than CycloneDX's is an error, not a
// crash.
Result<std::multimap<std::string, Entry>> list_entries(std::string_view list, const char* side) {
  json components = json::parse(list, nullptr, false);
  if (components.is_discarded() || !components.is_array())
    return make_error(Code::malformed, std::string(side) + ": the component list is not a JSON array");
  std::multimap<std::string, Entry> out;
  try {
    collect(components, out);
  } catch (const json::exception&) {
    return make_error(Code::malformed, std::string(side) + ": a component is not in CycloneDX's shape");
  }
  return out;
}

}  // namespace

bool SbomDiff::empty() const {
  return added.empty() && removed.empty() && version_changed.empty() && licence_changed.empty() && hash_changed.empty();
}

Result<SbomDiff> diff_sbom(std::string_view old_bytes, std::string_view new_bytes) {
  FWSEAL_ASSIGN(auto olds, entries(old_bytes, "old"));
  FWSEAL_ASSIGN(auto news, entries(new_bytes, "new"));
  return diff_entries(olds, news);
}

Result<SbomDiff> diff_components(std::string_view old_components, std::string_view new_components) {
  FWSEAL_ASSIGN(auto olds, list_entries(old_components, "old"));
  FWSEAL_ASSIGN(auto news, list_entries(new_components, "new"));
  return diff_entries(olds, news);
}

std::string diff_to_json(const SbomDiff& d) {
  json out = {{"added", json::array()},
              {"removed", json::array()},
              {"version_changed", json::array()},
              {"licence_changed", json::array()},
              {"hash_changed", json::array()}};
  for (const auto& c : d.added) out["added"].push_back({{"name", c.name}, {"version", c.version}, {"purl", c.purl}});
  for (const auto& c : d.removed) out["removed"].push_back({{"name", c.name}, {"version", c.version}, {"purl", c.purl}});
  for (const auto& c : d.version_changed)
    out["version_changed"].push_back({{"name", c.name},
                                      {"old_version", c.old_version},
                                      {"new_version", c.new_version},
                                      {"old_purl", c.purl_old},
                                      {"new_purl", c.purl_new}});
  for (const auto& c : d.licence_changed)
    out["licence_changed"].push_back(
        {{"name", c.name}, {"version", c.version}, {"old_licence", c.old_licence}, {"new_licence", c.new_licence}});
  for (const auto& c : d.hash_changed)
    out["hash_changed"].push_back({{"name", c.name},
                                   {"version", c.version},
                                   {"algorithm", c.algorithm},
                                   {"old", c.old_value},
                                   {"new", c.new_value}});
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string diff_to_text(const SbomDiff& d) {
  auto ver = [](const std::string& v) { return v.empty() ? std::string("(no version)") : printable(v); };
  auto lic = [](const std::string& l) { return l.empty() ? std::string("(none)") : printable(l); };
  auto shorten = [](const std::string& h) { return h.size() > 16 ? h.substr(0, 16) + "..." : (h.empty() ? std::string("(none)") : h); };
  std::string out;
  for (const auto& c : d.added) out += "+ " + printable(c.name) + " " + ver(c.version) + "\n";
  for (const auto& c : d.removed) out += "- " + printable(c.name) + " " + ver(c.version) + "\n";
  for (const auto& c : d.version_changed) out += "~ " + printable(c.name) + " " + ver(c.old_version) + " -> " + ver(c.new_version) + "\n";
  for (const auto& c : d.licence_changed)
    out += "licence " + printable(c.name) + " " + ver(c.version) + ": " + lic(c.old_licence) + " -> " + lic(c.new_licence) + "\n";
  for (const auto& c : d.hash_changed)
    out += "hash " + printable(c.name) + " " + ver(c.version) + (c.algorithm.empty() ? "" : " " + c.algorithm) + ": " +
           shorten(c.old_value) + " -> " + shorten(c.new_value) + "\n";
  out += std::to_string(d.added.size()) + " added, " + std::to_string(d.removed.size()) + " removed, " +
         std::to_string(d.version_changed.size()) + " version changed, " + std::to_string(d.licence_changed.size()) +
         " licence changed, " + std::to_string(d.hash_changed.size()) + " hash changed\n";
  return out;
}

}  // namespace fwseal::sbom
