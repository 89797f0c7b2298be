#include "fwseal/format/manifest.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <set>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/rule.h"
#include "fwseal/base/text.h"

namespace fwseal {
namespace {

using nlohmann::json;

Error bad(std::string_view where, const std::string& why) {
  return make_error(Code::malformed, std::string(where) + ": " + why);
}



}  // namespace

Status check_image_name(std::string_view name, std::string_view where) {
  if (name.empty() || name.size() > 64) return bad(where, "image name must be 1 to 64 characters, got " + std::to_string(name.size()));
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !(i > 0 && (c == '.' || c == '_' || c == '-')))
      return bad(where, "image name " + quote(name) + " has a character other than letters, digits, '.', '_' or '-' at position " +
                            std::to_string(i) + " (names become file names: no '/', no leading '.')");
  }
  if (name.find("..") != std::string_view::npos) return bad(where, "image name " + quote(name) + " contains \"..\"");
  return ok_status();
}

Status check_token(std::string_view value, std::string_view where) {
  if (value.empty() || value.size() > 32) return bad(where, "must be 1 to 32 characters");
  for (std::size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    bool ok = (c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '-'));
    if (!ok) return bad(where, quote(value) + " must be lowercase letters, digits and '-', starting with a letter");
  }
  return ok_status();
}

Status check_hardware_id(std::string_view value, std::string_view where) {
  if (value.empty() || value.size() > 128) return bad(where, "hardware id must be 1 to 128 characters");
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x21 || c > 0x7e)
      return bad(where, "hardware id " + quote(value) + " has a space, control or non-ASCII character at position " + std::to_string(i));
  }
  return ok_status();
}

Status check_text(std::string_view value, std::string_view where) {
  if (value.empty() || value.size() > 128) return bad(where, "must be 1 to 128 bytes, got " + std::to_string(value.size()));
  if (!valid_utf8(value)) return bad(where, "is not valid UTF-8");
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto u = static_cast<unsigned char>(value[i]);
    // C0, DEL, and C1 (U+0080..U+009F, in UTF-8 0xc2 0x80..0x9f: the input is
    // valid UTF-8 here, so 0xc2 is always a lead byte).
    bool c1 = u == 0xc2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) <= 0x9f;
    if (u < 0x20 || u == 0x7f || c1) return bad(where, quote(value) + " contains a control character");
  }
  return ok_status();
}

Result<std::uint64_t> parse_security_version(std::string_view text, std::string_view where) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0'))
    return bad(where, "security version must be a decimal number without leading zeros, 0 to 18446744073709551615");
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size())
    return bad(where, "security version " + quote(text) + " is not a decimal number from 0 to 18446744073709551615");
  return value;
}

namespace {

// R26: an encrypted image's parameters, sizes and wrapped keys.
Status check_encryption(const Manifest& m, std::size_t i) {
  const ImageInfo& img = m.images[i];
  const enc::ImageEncryption& e = *img.encryption;
  const std::string where = index_path("manifest.images", i) + ".encryption";
  const auto fail = [](const std::string& w, const std::string& why) { return with_rule("R26", bad(w, why)); };
  if (m.format_version < kManifestFormatVersion)
    return fail(where, "encrypted images need format version 2");
  FWSEAL_TRY(with_rule("R26", enc::check_chunk_size(e.chunk_size, where + ".chunk_size")));
  if (e.plaintext_size > kMaxJsonInteger) return fail(where + ".plaintext_size", "too large");
  const std::uint64_t expected = enc::ciphertext_size(e.plaintext_size, e.chunk_size);
  if (img.size != expected)
    return fail(index_path("manifest.images", i) + ".size",
                std::to_string(img.size) + " is not the size of " + std::to_string(e.plaintext_size) +
                    " bytes encrypted in chunks of " + std::to_string(e.chunk_size) + " (" + std::to_string(expected) +
                    ")");
  if (e.recipients.empty() || e.recipients.size() > enc::kMaxRecipients)
    return fail(where + ".recipients", "1 to " + std::to_string(enc::kMaxRecipients) + " recipients, got " +
                                           std::to_string(e.recipients.size()));
  for (std::size_t r = 0; r < e.recipients.size(); ++r) {
    const auto& w = e.recipients[r];
    const std::string rw = index_path(where + ".recipients", r);
    if (r > 0 && !(e.recipients[r - 1].recipient < w.recipient))
      return fail(rw + ".key_id", "recipients must be sorted by key id and unique");
    const std::size_t eph = w.agreement == enc::KeyAgreement::p256 ? 65 : 32;
    if (w.ephemeral_public.size() != eph)
      return fail(rw + ".ephemeral_public_key", "must be " + std::to_string(eph) + " bytes for " +
                                                    std::string(enc::key_agreement_name(w.agreement)));
    if (w.wrapped.size() != enc::kDataKeyBytes + enc::kTagBytes)
      return fail(rw + ".wrapped_key", "must be " + std::to_string(enc::kDataKeyBytes + enc::kTagBytes) + " bytes");
  }
  return ok_status();
}

}  // namespace

Status check_manifest(const Manifest& m) {
  if (m.format_version == kManifestFormatVersion) {
    if (m.signature_space < kMinSignatureSpace || m.signature_space > kMaxSignatureSpace ||
        m.signature_space % 512 != 0)  // R23
      return with_rule("R23", bad("manifest.signature_space",
                                  std::to_string(m.signature_space) + " must be a multiple of 512 from " +
                                      std::to_string(kMinSignatureSpace) + " to " +
                                      std::to_string(kMaxSignatureSpace)));
  } else if (m.format_version == kManifestFormatVersion1) {
    if (m.signature_space != 0)  // R23
      return with_rule("R23", bad("manifest.signature_space", "a version-1 manifest has no signature area"));
  } else {  // R7
    return with_rule("R7", bad("manifest.format_version",
                               "version " + std::to_string(m.format_version) +
                                   " is not supported (this fwseal reads versions 1 and 2)"));
  }
  // R8: product and version.
  FWSEAL_TRY(with_rule("R8", check_text(m.product, "manifest.product")));
  FWSEAL_TRY(with_rule("R8", check_text(m.version, "manifest.version")));
  // R10: 1 to 256 hardware ids, sorted and unique.
  if (m.hardware.empty()) return with_rule("R10", bad("manifest.hardware", "at least one hardware id is required"));
  if (m.hardware.size() > kMaxHardwareIds)
    return with_rule("R10", bad("manifest.hardware", "more than " + std::to_string(kMaxHardwareIds) + " ids"));
  for (std::size_t i = 0; i < m.hardware.size(); ++i) {
    FWSEAL_TRY(with_rule("R10", check_hardware_id(m.hardware[i], index_path("manifest.hardware", i))));
    if (i > 0 && !(m.hardware[i - 1] < m.hardware[i]))
      return with_rule("R10", bad(index_path("manifest.hardware", i), "hardware ids must be sorted and unique"));
  }
  // R11. Entry headers carry `created` as their mtime; from 2038-01-19 on
  // libarchive would need a pax time record, which the one-block header rule
  // (R1) excludes.
  if (m.created < 0 || m.created > kMaxCreated)
    return with_rule("R11", bad("manifest.created", std::to_string(m.created) + " is outside 0 to " +
                                                        std::to_string(kMaxCreated) +
                                                        " (1970-01-01 to 2038-01-19T03:14:06Z)"));
  // R12, and R5 for the number of images.
  if (m.images.empty()) return with_rule("R12", bad("manifest.images", "at least one image is required"));
  if (m.images.size() > kMaxImages)
    return with_rule("R5", bad("manifest.images", "more than " + std::to_string(kMaxImages) + " images"));
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < m.images.size(); ++i) {
    const auto& img = m.images[i];
    std::string where = index_path("manifest.images", i);
    FWSEAL_TRY(with_rule("R12", check_image_name(img.name, where + ".name")));
    FWSEAL_TRY(with_rule("R12", check_token(img.type, where + ".type")));
    if (img.size > kMaxJsonInteger) return with_rule("R12", bad(where + ".size", "image too large"));
    if (!names.insert(img.name).second)
      return with_rule("R12", bad(where + ".name", "duplicate image name " + quote(img.name)));
  }
  for (std::size_t i = 0; i < m.images.size(); ++i)
    if (m.images[i].encryption) FWSEAL_TRY(check_encryption(m, i));
  if (m.sbom && m.sbom->size > kMaxJsonInteger)  // R13
    return with_rule("R13", bad("manifest.sbom.size", "too large"));
  return ok_status();
}

Result<std::string> serialize_manifest(const Manifest& m) {
  FWSEAL_TRY(check_manifest(m));
  json images = json::array();
  for (const auto& img : m.images) {
    json item = {{"name", img.name}, {"type", img.type}, {"size", img.size}, {"sha256", to_hex(img.sha256)}};
    if (img.encryption) {
      const auto& e = *img.encryption;
      json recipients = json::array();
      for (const auto& w : e.recipients)
        recipients.push_back({{"agreement", enc::key_agreement_name(w.agreement)},
                              {"ephemeral_public_key", to_hex(w.ephemeral_public)},
                              {"key_id", to_hex(w.recipient)},
                              {"wrapped_key", to_hex(w.wrapped)}});
      item["encryption"] = {{"cipher", enc::kCipher},
                            {"chunk_size", e.chunk_size},
                            {"plaintext_size", e.plaintext_size},
                            {"plaintext_sha256", to_hex(e.plaintext_sha256)},
                            {"recipients", recipients}};
    }
    images.push_back(std::move(item));
  }
  json j = {{"format", kManifestFormat},
            {"format_version", m.format_version},
            {"product", m.product},
            {"version", m.version},
            {"security_version", std::to_string(m.security_version)},
            {"hardware", m.hardware},
            {"created", m.created},
            {"images", images}};
  if (m.sbom) j["sbom"] = {{"size", m.sbom->size}, {"sha256", to_hex(m.sbom->sha256)}};
  if (m.format_version >= kManifestFormatVersion) j["signature_space"] = m.signature_space;
  return canonical_json(j);
}

namespace {

// The rule of each member of the manifest (docs/FORMAT.md section 2); R14 for
// any other member.
std::string_view member_rule(std::string_view member) {
  static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
      {"format", "R6"},    {"format_version", "R7"},   {"product", "R8"}, {"version", "R8"},
      {"hardware", "R10"}, {"security_version", "R9"}, {"created", "R11"}, {"images", "R12"},
      {"sbom", "R13"},     {"signature_space", "R23"}};
  for (const auto& [name, rule] : kRules)
    if (name == member) return rule;
  return "R14";
}

// R14: strict JSON (no duplicate member, nesting at most 8) in its canonical
// form. An integer above 2^53-1 has no canonical form either, but it is out of
// the range of the member that holds it: that member's rule.
Result<json> parse_manifest_json(std::string_view bytes) {
  FWSEAL_ASSIGN(json j, with_rule("R14", parse_json_strict(bytes, "manifest.json", JsonLimits{kMaxManifestBytes, 8})));
  if (Status canonical = check_canonical(bytes, j, "manifest.json"); !canonical.ok())
    return with_rule(member_rule(inexact_integer_member(j)), std::move(canonical).error());
  return j;
}

// R26: an image's `encryption` member (the caller's rule).
Result<enc::ImageEncryption> parse_encryption(const json& item, const std::string& image_where) {
  const std::string where = image_where + ".encryption";
  const json& j = item["encryption"];
  FWSEAL_TRY(check_members(j, {"cipher", "chunk_size", "plaintext_size", "plaintext_sha256", "recipients"}, where));
  FWSEAL_ASSIGN(std::string cipher, get_string(j, "cipher", where));
  if (cipher != enc::kCipher)
    return bad(where + ".cipher", "expected \"" + std::string(enc::kCipher) + "\", found " + quote(cipher));
  enc::ImageEncryption e;
  FWSEAL_ASSIGN(std::uint64_t chunk, get_uint(j, "chunk_size", where));
  FWSEAL_TRY(enc::check_chunk_size(chunk, where + ".chunk_size"));
  e.chunk_size = static_cast<std::uint32_t>(chunk);
  FWSEAL_ASSIGN(e.plaintext_size, get_uint(j, "plaintext_size", where));
  FWSEAL_ASSIGN(std::string digest, get_string(j, "plaintext_sha256", where));
  FWSEAL_ASSIGN(e.plaintext_sha256, sha256_from_hex(digest, where + ".plaintext_sha256"));
  FWSEAL_ASSIGN(const json* recipients, get_array(j, "recipients", where, enc::kMaxRecipients));
  for (std::size_t r = 0; r < recipients->size(); ++r) {
    const json& rj = (*recipients)[r];
    const std::string rw = index_path(where + ".recipients", r);
    FWSEAL_TRY(check_members(rj, {"agreement", "ephemeral_public_key", "key_id", "wrapped_key"}, rw));
    enc::WrappedKey w;
    FWSEAL_ASSIGN(std::string agreement, get_string(rj, "agreement", rw));
    FWSEAL_ASSIGN(w.agreement, enc::key_agreement_from_name(agreement, rw + ".agreement"));
    FWSEAL_ASSIGN(std::string key_id, get_string(rj, "key_id", rw));
    FWSEAL_ASSIGN(w.recipient, sha256_from_hex(key_id, rw + ".key_id"));
    const std::size_t eph = w.agreement == enc::KeyAgreement::p256 ? 65 : 32;
    FWSEAL_ASSIGN(std::string eph_hex, get_string(rj, "ephemeral_public_key", rw));
    FWSEAL_ASSIGN(w.ephemeral_public, from_hex(eph_hex, eph, rw + ".ephemeral_public_key"));
    FWSEAL_ASSIGN(std::string wrapped_hex, get_string(rj, "wrapped_key", rw));
    FWSEAL_ASSIGN(w.wrapped, from_hex(wrapped_hex, enc::kDataKeyBytes + enc::kTagBytes, rw + ".wrapped_key"));
    e.recipients.push_back(std::move(w));
  }
  return e;
}

// R12: the images (the caller's rule), and R5 for their number.
Status parse_images(const json& j, Manifest& m) {
  FWSEAL_ASSIGN(const json* images, get_array(j, "images", "manifest", SIZE_MAX));
  FWSEAL_TRY(with_rule("R5", check_items(*images, "manifest.images", kMaxImages)));
  for (std::size_t i = 0; i < images->size(); ++i) {
    const json& item = (*images)[i];
    std::string where = index_path("manifest.images", i);
    ImageInfo img;
    FWSEAL_TRY(check_members(item, {"name", "type", "size", "sha256", "encryption"}, where));
    FWSEAL_ASSIGN(img.name, get_string(item, "name", where));
    FWSEAL_ASSIGN(img.type, get_string(item, "type", where));
    FWSEAL_ASSIGN(img.size, get_uint(item, "size", where));
    FWSEAL_ASSIGN(std::string hex, get_string(item, "sha256", where));
    FWSEAL_ASSIGN(img.sha256, sha256_from_hex(hex, where + ".sha256"));
    if (has_member(item, "encryption")) {
      FWSEAL_ASSIGN(img.encryption, with_rule("R26", parse_encryption(item, where)));
    }
    m.images.push_back(std::move(img));
  }
  return ok_status();
}

// R13: the SBOM's size and digest (the caller's rule).
Status parse_sbom(const json& j, Manifest& m) {
  const json& s = j["sbom"];
  FWSEAL_TRY(check_members(s, {"size", "sha256"}, "manifest.sbom"));
  SbomInfo sbom;
  FWSEAL_ASSIGN(sbom.size, get_uint(s, "size", "manifest.sbom"));
  FWSEAL_ASSIGN(std::string hex, get_string(s, "sha256", "manifest.sbom"));
  FWSEAL_ASSIGN(sbom.sha256, sha256_from_hex(hex, "manifest.sbom.sha256"));
  m.sbom = sbom;
  return ok_status();
}

// R6, R7 and R23: what kind of manifest this is.
Status parse_format(const json& j, Manifest& m) {
  const std::string w = "manifest";
  FWSEAL_ASSIGN(std::string format, with_rule("R6", get_string(j, "format", w)));
  if (format != kManifestFormat)  // R6
    return with_rule("R6", bad("manifest.format", "expected \"fwseal-manifest\", found " + quote(format)));
  FWSEAL_ASSIGN(std::uint64_t version, with_rule("R7", get_uint(j, "format_version", w)));
  if (version != kManifestFormatVersion && version != kManifestFormatVersion1)  // R7
    return with_rule("R7", bad("manifest.format_version",
                               "version " + std::to_string(version) +
                                   " is not supported (this fwseal reads versions 1 and 2)"));
  m.format_version = static_cast<int>(version);
  m.signature_space = 0;
  if (version == kManifestFormatVersion1) {
    if (has_member(j, "signature_space"))  // R23
      return with_rule("R23", bad("manifest.signature_space", "not a member of a version-1 manifest"));
  } else {
    if (!has_member(j, "signature_space"))  // R23
      return with_rule("R23", bad("manifest.signature_space", "missing (required in version 2)"));
    FWSEAL_ASSIGN(m.signature_space, with_rule("R23", get_uint(j, "signature_space", w)));
  }
  return ok_status();
}

}  // namespace

Result<UnverifiedManifest> parse_manifest(std::string_view bytes) {
  if (bytes.size() > kMaxManifestBytes)  // R5
    return with_rule("R5", bad("manifest.json", "larger than " + std::to_string(kMaxManifestBytes) + " bytes"));
  FWSEAL_ASSIGN(json j, parse_manifest_json(bytes));
  const std::string w = "manifest";
  // R14: no member outside the table.
  FWSEAL_TRY(with_rule("R14", check_members(j, {"format", "format_version", "product", "version", "security_version",
                                                 "hardware", "created", "images", "sbom", "signature_space"},
                                            w)));
  UnverifiedManifest out;
  Manifest& m = out.content;
  FWSEAL_TRY(parse_format(j, m));
  // R8, R9, R11 and R10: each member of the table under its rule.
  FWSEAL_ASSIGN(m.product, with_rule("R8", get_string(j, "product", w)));
  FWSEAL_ASSIGN(m.version, with_rule("R8", get_string(j, "version", w)));
  FWSEAL_ASSIGN(std::string sv, with_rule("R9", get_string(j, "security_version", w)));
  FWSEAL_ASSIGN(m.security_version, with_rule("R9", parse_security_version(sv, "manifest.security_version")));
  FWSEAL_ASSIGN(std::uint64_t created, with_rule("R11", get_uint(j, "created", w)));
  m.created = static_cast<std::int64_t>(created);

  FWSEAL_ASSIGN(const json* hw, with_rule("R10", get_array(j, "hardware", w, kMaxHardwareIds)));
  for (std::size_t i = 0; i < hw->size(); ++i) {
    if (!(*hw)[i].is_string())  // R10
      return with_rule("R10", bad(index_path("manifest.hardware", i), "expected a string"));
    m.hardware.push_back((*hw)[i].get<std::string>());
  }
  FWSEAL_TRY(with_rule("R12", parse_images(j, m)));  // R12
  if (has_member(j, "sbom")) FWSEAL_TRY(with_rule("R13", parse_sbom(j, m)));  // R13
  FWSEAL_TRY(check_manifest(m));
  out.bytes = std::string(bytes);
  return out;
}

}  // namespace fwseal
