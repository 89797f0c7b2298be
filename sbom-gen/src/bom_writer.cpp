#include "bom_writer.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

json licences_json(const Licence& l) {
  json out = json::array();
  if (!l.expression.empty()) {
    out.push_back({{"expression", l.expression}});
    if (!l.acknowledgement.empty()) out.back()["acknowledgement"] = l.acknowledgement;
  } else if (!l.name.empty()) {
    out.push_back({{"license", {{"name", l.name}}}});
    if (!l.acknowledgement.empty()) out.back()["license"]["acknowledgement"] = l.acknowledgement;
  } else {
    for (const auto& id : l.ids) {
      out.push_back({{"license", {{"id", id}}}});
      if (!l.acknowledgement.empty()) out.back()["license"]["acknowledgement"] = l.acknowledgement;
    }
  }
  return out;
}

json properties_json(const std::set<std::pair<std::string, std::string>>& props) {
  json out = json::array();
  for (const auto& [name, value] : props) out.push_back({{"name", name}, {"value", value}});
  return out;
}

std::string image_component_type(const std::string& image_type) {
  // A root filesystem and a kernel are (parts of) an operating system, as the
  // Linux a fingerprint finds in a kernel image is; bootloaders, FPGA
  // bitstreams, microcontroller images and the rest are firmware.
  for (const char* os : {"rootfs", "os", "operating-system", "kernel", "linux"})
    if (image_type == os) return "operating-system";
  return "firmware";
}

json component_json(const Component& c) {
  json j = {{"bom-ref", c.bom_ref}, {"type", c.type}, {"name", c.name}, {"purl", c.purl}};
  if (!c.version.empty()) j["version"] = c.version;
  if (!c.supplier.empty()) j["supplier"] = {{"name", c.supplier}};
  if (!c.publisher.empty()) j["publisher"] = c.publisher;
  if (!c.description.empty()) j["description"] = c.description;
  if (!c.cpe.empty()) j["cpe"] = c.cpe;
  if (!c.licence.empty()) j["licenses"] = licences_json(c.licence);
  if (!c.hashes.empty()) {
    auto hashes = c.hashes;
    std::sort(hashes.begin(), hashes.end());
    for (const auto& [alg, hex] : hashes) j["hashes"].push_back({{"alg", alg}, {"content", hex}});
  }
  if (!c.source_url.empty()) j["externalReferences"] = json::array({{{"type", "source-distribution"}, {"url", c.source_url}}});
  json methods = json::array();
  double confidence = 0;
  for (const auto& m : c.methods) {
    methods.push_back({{"technique", m.technique}, {"confidence", m.confidence}, {"value", m.value}});
    confidence = std::max(confidence, m.confidence);
  }
  json identity = {{"field", "purl"}, {"confidence", confidence}, {"concludedValue", c.purl}, {"methods", methods}};
  j["evidence"]["identity"] = json::array({identity});
  if (!c.occurrences.empty()) {
    json occ = json::array();
    for (const auto& o : c.occurrences) occ.push_back({{"location", o.path}, {"additionalContext", "image " + o.image}});
    j["evidence"]["occurrences"] = occ;
  }
  if (!c.properties.empty()) j["properties"] = properties_json(c.properties);
  return j;
}

json organisation_json(const Organisation& o) {
  json j = {{"name", o.name}};
  if (!o.urls.empty()) j["url"] = o.urls;
  json contact = json::object();
  if (!o.contact_name.empty()) contact["name"] = o.contact_name;
  if (!o.contact_email.empty()) contact["email"] = o.contact_email;
  if (!contact.empty()) j["contact"] = json::array({contact});
  return j;
}

// Who made the BOM's data (NTIA "Author of SBOM Data", BSI TR-03183-2 "SBOM
// creator"): as configured, else the manufacturer, else the supplier.
json authors_json(const SbomConfig& config) {
  json out = json::array();
  for (const auto& a : config.authors) {
    json j = {{"name", a.name}};
    if (!a.email.empty()) j["email"] = a.email;
    out.push_back(j);
  }
  if (out.empty() && !config.manufacturer.name.empty()) {
    json j = {{"name", config.manufacturer.name}};
    if (!config.manufacturer.contact_email.empty()) j["email"] = config.manufacturer.contact_email;
    out.push_back(j);
  } else if (out.empty() && !config.supplier.empty()) {
    out.push_back({{"name", config.supplier}});
  }
  return out;
}

json metadata_json(const SbomConfig& config, const std::vector<std::string>& warnings) {
  json product = {{"bom-ref", "product"}, {"type", "firmware"}, {"name", config.product}, {"version", config.version}};
  if (!config.supplier.empty()) product["supplier"] = {{"name", config.supplier}};
  if (!config.manufacturer.name.empty()) product["manufacturer"] = organisation_json(config.manufacturer);
  json tool = {{"type", "application"}, {"name", "fwseal"}, {"version", config.tool_version}};
  json metadata = {{"timestamp", rfc3339_utc(config.timestamp)},
                   {"tools", {{"components", json::array({tool})}}},
                   {"component", product}};
  if (!config.supplier.empty()) metadata["supplier"] = {{"name", config.supplier}};
  if (!config.manufacturer.name.empty()) metadata["manufacturer"] = organisation_json(config.manufacturer);
  if (json authors = authors_json(config); !authors.empty()) metadata["authors"] = authors;
  if (!warnings.empty()) {
    json props = json::array();
    for (const auto& w : warnings) props.push_back({{"name", "fwseal:warning"}, {"value", w}});
    metadata["properties"] = props;
  }
  return metadata;
}

}  // namespace

std::string rfc3339_utc(std::int64_t seconds) {
  // Days to civil date (H. Hinnant's algorithm): no time zone or locale involved.
  std::int64_t days = seconds / 86400, rem = seconds % 86400;
  days += 719468;
  std::int64_t era = days / 146097;
  std::int64_t doe = days - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buf;
}

std::string content_serial(const std::string& text) {
  Sha256 d = sha256(text);
  d[6] = static_cast<std::uint8_t>((d[6] & 0x0f) | 0x80);  // version 8
  d[8] = static_cast<std::uint8_t>((d[8] & 0x3f) | 0x80);  // RFC 9562 variant
  std::string hex = to_hex(std::span<const std::uint8_t>(d.data(), 16));
  return "urn:uuid:" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
         "-" + hex.substr(20, 12);
}

Result<std::string> write_bom(const SbomConfig& config, const std::vector<ImageComponent>& images,
                              const std::vector<Component>& components, const std::vector<std::string>& warnings) {
  const std::string product_ref = "product";
  json metadata = metadata_json(config, warnings);

  json comps = json::array();
  std::map<std::string, std::set<std::string>> depends;  // ref -> refs
  auto image_ref = [](const std::string& name) { return "image:" + name; };
  std::vector<const ImageComponent*> sorted_images;
  for (const auto& i : images) sorted_images.push_back(&i);
  std::sort(sorted_images.begin(), sorted_images.end(),
            [](const auto* a, const auto* b) { return a->spec.name < b->spec.name; });
  for (const ImageComponent* i : sorted_images) {
    json c = {{"bom-ref", image_ref(i->spec.name)},
              {"type", image_component_type(i->spec.type)},
              {"name", i->spec.name},
              {"version", config.version},
              {"hashes", json::array({{{"alg", "SHA-256"}, {"content", i->sha256_hex}}})},
              {"properties", json::array({{{"name", "fwseal:image-digest-of"}, {"value", i->digest_of}},
                                          {{"name", "fwseal:image-type"}, {"value", i->spec.type}}})}};
    if (!i->sha512_hex.empty()) c["hashes"].push_back({{"alg", "SHA-512"}, {"content", i->sha512_hex}});
    // The images are the product's own: its supplier supplies them.
    if (!config.supplier.empty()) c["supplier"] = {{"name", config.supplier}};
    comps.push_back(c);
    depends[product_ref].insert(image_ref(i->spec.name));
    depends[image_ref(i->spec.name)];
  }
  for (const auto& c : components) {
    comps.push_back(component_json(c));
    depends[c.bom_ref].insert(c.depends_on.begin(), c.depends_on.end());
    if (c.images.empty()) depends[product_ref].insert(c.bom_ref);
    for (const auto& image : c.images) depends[image_ref(image)].insert(c.bom_ref);
  }
  json deps = json::array();
  for (const auto& [ref, on] : depends) {
    json d = {{"ref", ref}};
    if (!on.empty()) d["dependsOn"] = json(std::vector<std::string>(on.begin(), on.end()));
    deps.push_back(d);
  }

  json bom = {{"bomFormat", "CycloneDX"}, {"specVersion", "1.6"},    {"version", 1},
              {"metadata", metadata},     {"components", comps},     {"dependencies", deps}};
  // Every string was made valid UTF-8 on the way in; `replace` is a second
  // line of defence so a slip can never throw here.
  std::string canonical = bom.dump(-1, ' ', false, json::error_handler_t::replace);
  bom["serialNumber"] = content_serial(canonical);
  return bom.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace fwseal::sbom
