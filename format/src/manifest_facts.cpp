#include "fwseal/base/digest.h"
#include "fwseal/base/time.h"
#include "fwseal/format/manifest.h"

namespace fwseal {

nlohmann::json manifest_facts_json(const Manifest& m) {
  nlohmann::json images = nlohmann::json::array();
  for (const auto& img : m.images) {
    nlohmann::json item = {{"name", img.name}, {"type", img.type}, {"size", img.size}, {"sha256", to_hex(img.sha256)}};
    // Present only for an encrypted image: what it decrypts to, and for whom.
    if (img.encryption) {
      nlohmann::json recipients = nlohmann::json::array();
      for (const auto& r : img.encryption->recipients)
        recipients.push_back({{"agreement", enc::key_agreement_name(r.agreement)}, {"key_id", to_hex(r.recipient)}});
      item["encryption"] = {{"cipher", enc::kCipher},
                            {"chunk_size", img.encryption->chunk_size},
                            {"plaintext_size", img.encryption->plaintext_size},
                            {"plaintext_sha256", to_hex(img.encryption->plaintext_sha256)},
                            {"recipients", std::move(recipients)}};
    }
    images.push_back(std::move(item));
  }
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
