// fwseal's components JSON: what the build knows it put into the firmware.
// The schema is in README.md ("Components file"); every member is checked and
// unknown members are errors, so a typo never silently drops data.
#include <algorithm>

#include "cdx_rules.h"
#include "declared.h"
#include "fwseal/format/canonical_json.h"
#include "licence.h"
#include "sbom_limits.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

// Members over kMaxDeclaredFieldBytes: the first one skips the entry (its
// path and length kept for the warning); "license" only loses the licence.
struct Oversized {
  std::string path;
  std::size_t bytes = 0;
  std::string licence_path;
  std::size_t licence_bytes = 0;
};

// A text member of at most `max_bytes`; with `over`, a value longer than
// kMaxDeclaredFieldBytes is recorded there and read as "".
Result<std::string> text_member(const json& object, const char* key, const std::string& where, bool required,
                                Oversized* over = nullptr, std::size_t max_bytes = kMaxDeclaredFieldBytes) {
  auto it = object.find(key);
  std::string path = where + "." + key;
  if (it == object.end()) {
    if (required) return make_error(Code::malformed, path + ": missing");
    return std::string();
  }
  if (!it->is_string()) return make_error(Code::malformed, path + ": expected a string");
  const auto& value = it->get_ref<const std::string&>();
  if (over != nullptr && value.size() > kMaxDeclaredFieldBytes) {
    bool licence = std::string_view(key) == "license";
    if (licence) {
      over->licence_path = path;
      over->licence_bytes = value.size();
    } else if (over->path.empty()) {
      over->path = path;
      over->bytes = value.size();
    }
    return std::string();
  }
  FWSEAL_TRY(check_declared_text(value, path, max_bytes));
  return value;
}

Status parse_hashes(const json& object, const std::string& where, Finding& f) {
  auto it = object.find("hashes");
  if (it == object.end()) return ok_status();
  std::string path = where + ".hashes";
  if (!it->is_object()) return make_error(Code::malformed, path + ": expected an object of algorithm: hex digest");
  for (auto h = it->begin(); h != it->end(); ++h) {
    std::string hpath = path + "." + h.key();
    std::size_t len = hash_hex_length(h.key());
    if (len == 0)
      return make_error(Code::malformed, hpath + ": unknown hash algorithm (use MD5, SHA-1, SHA-256, SHA-384, "
                                                 "SHA-512, SHA3-256, SHA3-384, SHA3-512, BLAKE2b-256, "
                                                 "BLAKE2b-384, BLAKE2b-512 or BLAKE3)");
    if (!h->is_string()) return make_error(Code::malformed, hpath + ": expected a hex string");
    std::string hex = lower(h->get<std::string>());
    if (hex.size() != len || !is_lower_hex(hex))
      return make_error(Code::malformed, hpath + ": expected " + std::to_string(len) + " hex digits");
    f.hashes.emplace_back(h.key(), hex);
  }
  std::sort(f.hashes.begin(), f.hashes.end());
  return ok_status();
}

Status parse_paths(const json& object, const std::string& where, Finding& f) {
  auto it = object.find("paths");
  if (it == object.end()) return ok_status();
  std::string path = where + ".paths";
  if (!it->is_array()) return make_error(Code::malformed, path + ": expected an array of paths");
  if (f.image.empty()) return make_error(Code::malformed, path + ": paths need \"image\" to say which image they are in");
  if (it->size() > 10000) return make_error(Code::malformed, path + ": more than 10000 paths");
  for (std::size_t i = 0; i < it->size(); ++i) {
    std::string ipath = path + "[" + std::to_string(i) + "]";
    const json& p = (*it)[i];
    if (!p.is_string()) return make_error(Code::malformed, ipath + ": expected a string");
    const auto& value = p.get_ref<const std::string&>();
    FWSEAL_TRY(check_declared_text(value, ipath, kMaxPathBytes));
    if (!value.starts_with("/")) return make_error(Code::malformed, ipath + ": must be absolute (start with '/')");
    f.occurrences.push_back({f.image, normalize_image_path(value)});
  }
  return ok_status();
}

// One entry, or nothing (and a warning in `out`) when a member is over the limit.
Status parse_entry(const json& entry, const std::string& where, std::string_view what,
                   const std::set<std::string>& images, Declared& out) {
  FWSEAL_TRY(check_members(entry,
                           {"name", "version", "type", "supplier", "license", "purl", "cpe", "hashes", "source_url",
                            "image", "paths", "description"},
                           where));
  Finding f;
  Oversized over;
  f.source = Source::components_file;
  FWSEAL_ASSIGN(f.name, text_member(entry, "name", where, true, &over));
  FWSEAL_ASSIGN(f.version, text_member(entry, "version", where, true, &over));
  f.upstream_version = f.version;
  FWSEAL_ASSIGN(std::string type, text_member(entry, "type", where, false, nullptr, 64));
  if (!type.empty()) {
    if (!is_component_type(type))
      return make_error(Code::malformed, where + ".type: " + shown(type) + " is not a CycloneDX component type");
    f.type = type;
  }
  FWSEAL_ASSIGN(f.supplier, text_member(entry, "supplier", where, false, &over));
  FWSEAL_ASSIGN(std::string licence, text_member(entry, "license", where, false, &over));
  if (!licence.empty()) {
    FWSEAL_ASSIGN(f.licence, parse_spdx_expression(licence, where + ".license"));
  }
  FWSEAL_ASSIGN(f.purl, text_member(entry, "purl", where, false, &over));
  if (!f.purl.empty()) FWSEAL_TRY(parse_purl(f.purl, where + ".purl"));
  FWSEAL_ASSIGN(f.cpe, text_member(entry, "cpe", where, false, &over));
  if (!f.cpe.empty() && !is_cpe(f.cpe))
    return make_error(Code::malformed, where + ".cpe: " + shown(f.cpe) + " is not a CPE 2.3 string or CPE 2.2 URI");
  FWSEAL_ASSIGN(f.source_url, text_member(entry, "source_url", where, false, &over));
  if (!f.source_url.empty() && !is_url(f.source_url))
    return make_error(Code::malformed, where + ".source_url: " + shown(f.source_url) + " is not an absolute URL");
  FWSEAL_ASSIGN(f.image, text_member(entry, "image", where, false, nullptr, 64));
  if (!f.image.empty() && !images.contains(f.image))
    return make_error(Code::malformed, where + ".image: no image named " + shown(f.image) + " is being described");
  FWSEAL_ASSIGN(f.description, text_member(entry, "description", where, false, &over));
  FWSEAL_TRY(parse_hashes(entry, where, f));
  FWSEAL_TRY(parse_paths(entry, where, f));
  if (!over.path.empty()) {
    out.warnings.push_back(oversized_field(over.path, over.bytes, "the entry is skipped"));
    return ok_status();
  }
  if (!over.licence_path.empty()) {
    out.warnings.push_back(oversized_field(over.licence_path, over.licence_bytes,
                                           "component " + shown(f.name) + " is kept without a licence"));
    f.properties["fwseal:licence-not-read"] = "license over the limit of " + std::to_string(kMaxDeclaredFieldBytes) + " bytes";
  }
  f.method = {"other", 1.0, "declared by the build in " + std::string(what)};
  out.findings.push_back(std::move(f));
  return ok_status();
}

}  // namespace

Result<Declared> parse_components_json(std::string_view text, std::string_view what,
                                       const std::set<std::string>& images) {
  FWSEAL_ASSIGN(json doc, parse_json_with_comments(text, what, JsonLimits{kMaxComponentsFileBytes, 8}));
  std::string root(what);
  FWSEAL_TRY(check_members(doc, {"components"}, root));
  auto it = doc.find("components");
  if (it == doc.end()) return make_error(Code::malformed, root + ".components: missing");
  if (!it->is_array()) return make_error(Code::malformed, root + ".components: expected an array");
  if (it->size() > kMaxDeclaredComponents)
    return make_error(Code::malformed, root + ".components: more than " + std::to_string(kMaxDeclaredComponents) + " entries");
  Declared out;
  for (std::size_t i = 0; i < it->size(); ++i)
    FWSEAL_TRY(parse_entry((*it)[i], root + ".components[" + std::to_string(i) + "]", what, images, out));
  return out;
}

}  // namespace fwseal::sbom
