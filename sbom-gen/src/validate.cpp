#include "fwseal/sbom/validate.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "cdx_rules.h"
#include "cdx_schema.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/format/layout.h"
#include "licence.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

Error bad(const std::string& path, const std::string& why) { return make_error(Code::malformed, "sbom: " + path + ": " + why); }

class Validator {
 public:
  Status run(const json& bom) {
    if (!bom.is_object()) return bad("$", "expected a JSON object");
    FWSEAL_TRY(require_string(bom, "bomFormat", "$"));
    if (bom["bomFormat"] != "CycloneDX") return bad("$.bomFormat", "expected \"CycloneDX\"");
    FWSEAL_TRY(require_string(bom, "specVersion", "$"));
    if (const auto& v = bom["specVersion"].get_ref<const std::string&>(); !is_supported_spec_version(v))
      return bad("$.specVersion", "CycloneDX " + shown(v) + " is not supported; fwseal validates CycloneDX " +
                                      supported_spec_versions());
    if (auto it = bom.find("serialNumber"); it != bom.end()) {
      static const std::regex kUrn("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      if (!it->is_string() || !std::regex_match(it->get<std::string>(), kUrn))
        return bad("$.serialNumber", "expected urn:uuid: and a lowercase RFC 4122 UUID");
    }
    if (auto it = bom.find("version"); it != bom.end() && (!it->is_number_integer() || it->get<std::int64_t>() < 1))
      return bad("$.version", "expected an integer of at least 1");
    if (auto it = bom.find("metadata"); it != bom.end()) {
      if (!it->is_object()) return bad("$.metadata", "expected an object");
      if (auto ts = it->find("timestamp"); ts != it->end()) {
        static const std::regex kTime(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d))");
        // Bounded before the match: std::regex recurses once per character.
        if (!ts->is_string() || ts->get_ref<const std::string&>().size() > 64 ||
            !std::regex_match(ts->get<std::string>(), kTime))
          return bad("$.metadata.timestamp", "expected an RFC 3339 date-time");
      }
      if (auto c = it->find("component"); c != it->end()) FWSEAL_TRY(component(*c, "$.metadata.component", 0));
    }
    if (auto it = bom.find("components"); it != bom.end()) FWSEAL_TRY(components(*it, "$.components", 0));
    if (auto it = bom.find("services"); it != bom.end()) FWSEAL_TRY(services(*it, "$.services"));
    if (auto it = bom.find("dependencies"); it != bom.end()) FWSEAL_TRY(dependencies(*it));
    return ok_status();
  }

 private:
  static Status require_string(const json& o, const char* key, const std::string& path) {
    auto it = o.find(key);
    if (it == o.end()) return bad(path + "." + key, "missing");
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) return bad(path + "." + key, "expected a non-empty string");
    return ok_status();
  }

  Status ref(const json& o, const std::string& path) {
    auto it = o.find("bom-ref");
    if (it == o.end()) return ok_status();
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) return bad(path + ".bom-ref", "expected a non-empty string");
    if (!refs_.insert(it->get<std::string>()).second)
      return bad(path + ".bom-ref", "duplicate bom-ref " + shown(it->get<std::string>()));
    return ok_status();
  }

  Status components(const json& list, const std::string& path, int depth) {
    if (!list.is_array()) return bad(path, "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) FWSEAL_TRY(component(list[i], path + "[" + std::to_string(i) + "]", depth));
    return ok_status();
  }

  Status services(const json& list, const std::string& path) {
    if (!list.is_array()) return bad(path, "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      if (!list[i].is_object()) return bad(p, "expected an object");
      FWSEAL_TRY(require_string(list[i], "name", p));
      FWSEAL_TRY(ref(list[i], p));
    }
    return ok_status();
  }

  Status component(const json& c, const std::string& path, int depth) {
    if (depth > 8) return bad(path, "components nested deeper than 8 levels");
    if (!c.is_object()) return bad(path, "expected an object");
    FWSEAL_TRY(require_string(c, "type", path));
    if (!is_component_type(c["type"].get<std::string>()))
      return bad(path + ".type", shown(c["type"].get<std::string>()) + " is not a CycloneDX component type");
    FWSEAL_TRY(require_string(c, "name", path));
    if (auto v = c.find("version"); v != c.end() && !v->is_string()) return bad(path + ".version", "expected a string");
    FWSEAL_TRY(ref(c, path));
    if (auto p = c.find("purl"); p != c.end()) {
      if (!p->is_string()) return bad(path + ".purl", "expected a string");
      FWSEAL_TRY(parse_purl(p->get<std::string>(), "sbom: " + path + ".purl"));
    }
    if (auto h = c.find("hashes"); h != c.end()) FWSEAL_TRY(hashes(*h, path + ".hashes"));
    if (auto l = c.find("licenses"); l != c.end()) FWSEAL_TRY(licences(*l, path + ".licenses"));
    if (auto n = c.find("components"); n != c.end()) FWSEAL_TRY(components(*n, path + ".components", depth + 1));
    return ok_status();
  }

  static Status hashes(const json& list, const std::string& path) {
    if (!list.is_array()) return bad(path, "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      const json& h = list[i];
      if (!h.is_object()) return bad(p, "expected an object");
      FWSEAL_TRY(require_string(h, "alg", p));
      FWSEAL_TRY(require_string(h, "content", p));
      std::string alg = h["alg"].get<std::string>();
      std::size_t len = hash_hex_length(alg);
      if (len == 0) return bad(p + ".alg", shown(alg) + " is not a CycloneDX hash algorithm");
      std::string content = lower(h["content"].get<std::string>());
      if (content.size() != len || !is_lower_hex(content))
        return bad(p + ".content", "not " + std::to_string(len) + " hex digits for " + alg);
    }
    return ok_status();
  }

  static Status licences(const json& list, const std::string& path) {
    if (!list.is_array()) return bad(path, "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = path + "[" + std::to_string(i) + "]";
      const json& e = list[i];
      if (!e.is_object()) return bad(p, "expected an object");
      if (auto x = e.find("expression"); x != e.end()) {
        if (list.size() != 1) return bad(p, "an expression must be the only entry of licenses");
        if (!x->is_string()) return bad(p + ".expression", "expected a string");
        // SPDX's two values for a licence field that holds no licence: the
        // licence policy reports them as unknown.
        if (*x == "NOASSERTION" || *x == "NONE") continue;
        FWSEAL_TRY(parse_spdx_expression(x->get<std::string>(), "sbom: " + p + ".expression"));
        continue;
      }
      auto l = e.find("license");
      if (l == e.end() || !l->is_object()) return bad(p, "expected {\"license\": {...}} or {\"expression\": ...}");
      bool has_id = l->contains("id"), has_name = l->contains("name");
      if (has_id == has_name) return bad(p + ".license", "needs exactly one of id and name");
      if (has_id) {
        const json& id = (*l)["id"];
        if (!id.is_string() || !std::binary_search(spdx_ids().begin(), spdx_ids().end(), id.get<std::string>()))
          return bad(p + ".license.id", "not an SPDX licence id");
      } else if (!(*l)["name"].is_string() || (*l)["name"].get_ref<const std::string&>().empty()) {
        return bad(p + ".license.name", "expected a non-empty string");
      }
    }
    return ok_status();
  }

  Status dependencies(const json& list) {
    if (!list.is_array()) return bad("$.dependencies", "expected an array");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = "$.dependencies[" + std::to_string(i) + "]";
      const json& d = list[i];
      if (!d.is_object()) return bad(p, "expected an object");
      FWSEAL_TRY(require_string(d, "ref", p));
      std::string r = d["ref"].get<std::string>();
      if (!refs_.contains(r)) return bad(p + ".ref", shown(r) + " is not the bom-ref of anything in the BOM");
      if (!seen.insert(r).second) return bad(p + ".ref", shown(r) + " has two dependency entries");
      auto on = d.find("dependsOn");
      if (on == d.end()) continue;
      if (!on->is_array()) return bad(p + ".dependsOn", "expected an array");
      for (std::size_t k = 0; k < on->size(); ++k) {
        std::string q = p + ".dependsOn[" + std::to_string(k) + "]";
        if (!(*on)[k].is_string()) return bad(q, "expected a string");
        if (!refs_.contains((*on)[k].get<std::string>()))
          return bad(q, shown((*on)[k].get<std::string>()) + " is not the bom-ref of anything in the BOM");
      }
    }
    return ok_status();
  }

  std::set<std::string> refs_;
};

}  // namespace

Result<std::string> validated_spec_version(std::string_view bytes) {
  FWSEAL_ASSIGN(json bom, parse_json_strict(bytes, "sbom", JsonLimits{kMaxSbomBytes, 32}));
  // fwseal's rules first: they say more than the schema where both apply
  // (which hash length, which bom-ref is missing) and add what it cannot say.
  FWSEAL_TRY(Validator().run(bom));
  std::string version = bom["specVersion"].get<std::string>();
  FWSEAL_TRY(check_cyclonedx_schema(bom, version));
  return version;
}

Status validate_sbom(std::string_view bytes) {
  FWSEAL_TRY(validated_spec_version(bytes));
  return ok_status();
}

}  // namespace fwseal::sbom
