#include "fwseal/base/digest.h"
#include "fwseal/base/time.h"
#include "fwseal/format/manifest.h"

namespace fwseal {

nlohmann::json manifest_facts_json(const Manifest& m) {
  nlohmann::json images = nlohmann::json::array();
  for (const auto& img : m.images)
    images.push_back({{"name", img.name}, {"type", img.type}, {"size", img.size}, {"sha256", to_hex(img.sha256)}});
  return {{"product", m.product},
          {"version", m.version},
          {"security_version", std::to_string(m.security_version)},
          {"created", m.created == 0 ? nlohmann::json(nullptr) : nlohmann::json(rfc3339_utc(m.created))},
          {"hardware", m.hardware},
          {"images", std::move(images)},
          {"sbom", m.sbom ? nlohmann::json{{"size", m.sbom->size}, {"sha256", to_hex(m.sbom->sha256)}}
                          : nlohmann::json(nullptr)}};
}

}  // namespace fwseal
