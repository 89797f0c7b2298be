#include "cdx_rules.h"

#include <algorithm>
#include <utility>

namespace fwseal::sbom {

std::size_t hash_hex_length(std::string_view alg) {
  static constexpr std::pair<std::string_view, std::size_t> kAlgs[] = {
      {"MD5", 32},         {"SHA-1", 40},       {"SHA-256", 64},     {"SHA-384", 96},
      {"SHA-512", 128},    {"SHA3-256", 64},    {"SHA3-384", 96},    {"SHA3-512", 128},
      {"BLAKE2b-256", 64}, {"BLAKE2b-384", 96}, {"BLAKE2b-512", 128}, {"BLAKE3", 64},
  };
  for (const auto& [name, len] : kAlgs)
    if (name == alg) return len;
  return 0;
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_component_type(std::string_view type) {
  static constexpr std::string_view kTypes[] = {
      "application", "framework", "library",  "container", "platform", "operating-system", "device",
      "device-driver", "firmware", "file", "machine-learning-model", "data", "cryptographic-asset"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

bool is_cpe(std::string_view cpe) {
  if (cpe.size() > 1024) return false;
  for (char c : cpe) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
  }
  if (cpe.starts_with("cpe:/")) return cpe.size() > 6 && (cpe[5] == 'a' || cpe[5] == 'o' || cpe[5] == 'h');
  if (!cpe.starts_with("cpe:2.3:")) return false;
  // Colons escaped with '\' do not separate parts.
  std::size_t parts = 1;
  for (std::size_t i = 0; i < cpe.size(); ++i) {
    if (cpe[i] == '\\') ++i;
    else if (cpe[i] == ':') ++parts;
  }
  return parts == 13 && (cpe[8] == 'a' || cpe[8] == 'o' || cpe[8] == 'h') && cpe[9] == ':';
}

bool is_url(std::string_view url) {
  if (url.empty() || url.size() > 2048) return false;
  auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    char c = url[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || std::string_view("<>\"{}|\\^`").find(c) != std::string_view::npos) return false;
  }
  return true;
}

bool is_email(std::string_view email) {
  auto at = email.find('@');
  if (email.size() > 254 || at == 0 || at == std::string_view::npos || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : email) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || std::string_view("<>\"(),;:\\[]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace fwseal::sbom
