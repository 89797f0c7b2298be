#include "fwseal/inventory/purl_match.h"

namespace fwseal::inventory {
namespace {

// purl types whose names are case-insensitive (purl-spec's type definitions).
bool lowercase_names(std::string_view type) {
  return type == "deb" || type == "opkg" || type == "apk" || type == "alpm" || type == "pypi" || type == "npm" ||
         type == "github" || type == "bitbucket";
}

std::string folded(std::string_view type, std::string_view s) {
  std::string out(s);
  if (lowercase_names(type))
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string qualifier(const sbom::PurlParts& p, const std::string& key) {
  auto it = p.qualifiers.find(key);
  return it == p.qualifiers.end() ? std::string() : it->second;
}

}  // namespace

std::string upstream_name(const sbom::PurlParts& parts) {
  std::string up = qualifier(parts, "upstream");
  if (auto at = up.find('@'); at != std::string::npos) up.resize(at);
  return up;
}

Result<PurlQuery> PurlQuery::parse(std::string_view purl) {
  auto parsed = sbom::parse_purl(purl, "--purl");
  if (!parsed.ok()) return make_error(Code::usage, parsed.error().message);
  PurlQuery q;
  q.parts_ = std::move(parsed).value();
  return q;
}

bool PurlQuery::matches(std::string_view component_purl) const {
  auto parsed = sbom::parse_purl(component_purl, "component");
  return parsed.ok() && matches(*parsed);
}

bool PurlQuery::matches(const sbom::PurlParts& c) const {
  const std::string& type = parts_.type;
  if (c.type != type) return false;
  if (folded(type, c.ns) != folded(type, parts_.ns)) return false;
  std::string want = folded(type, parts_.name);
  std::string up = folded(type, upstream_name(c));
  if (folded(type, c.name) != want && up != want) return false;
  for (const auto& [key, value] : parts_.qualifiers) {
    if (key == "upstream") {
      if (up != folded(type, value.substr(0, value.find('@')))) return false;
    } else if (key == "distro" || key == "arch") {
      if (qualifier(c, key) != value) return false;
    }
  }
  if (!parts_.version.empty() && (c.version.empty() || compare_versions(scheme(), c.version, parts_.version) != 0))
    return false;
  return true;
}

}  // namespace fwseal::inventory
