#include "fwseal/format/file_kind.h"
#include "fwseal/packager/spec.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/encryption.h"
#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "fwseal/base/text.h"

namespace fwseal::packager {
namespace {

using nlohmann::json;

constexpr std::string_view kSpec = "spec";

Error bad(std::string_view where, const std::string& why) {
  return make_error(Code::malformed, std::string(where) + ": " + why);
}


std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.front() == '/' || base_dir.empty() || base_dir == ".") return path;
  return base_dir.back() == '/' ? base_dir + path : base_dir + "/" + path;
}

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// A path member: a non-empty string without NUL, resolved against base_dir.
Result<std::string> get_path(const json& object, std::string_view key, std::string_view where,
                             const std::string& base_dir) {
  FWSEAL_ASSIGN(std::string path, get_string(object, key, where));
  std::string field = member_path(where, key);
  if (path.empty()) return bad(field, "must not be empty");
  if (path.find('\0') != std::string::npos) return bad(field, "contains a NUL character");
  return resolve(base_dir, path);
}

// Opens `path` to prove it is a readable regular file. O_NONBLOCK so that a
// FIFO is reported instead of blocking the open.
Result<struct stat> check_regular_file(const std::string& path, std::string_view field) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return bad(field, "cannot open " + quote(path) + ": " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return bad(field, "cannot stat " + quote(path) + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return bad(field, quote(path) + " is " + kind_of(st.st_mode) + ", not a regular file");
  return st;
}

Result<std::uint64_t> get_security_version(const json& j) {
  const std::string field = member_path(kSpec, "security_version");
  if (!has_member(j, "security_version")) return bad(field, "missing");
  const json& v = j["security_version"];
  if (v.is_string()) return parse_security_version(v.get_ref<const std::string&>(), field);
  if (v.is_number_unsigned()) {
    auto n = v.get<std::uint64_t>();
    // Numbers above 2^53-1 mean different things to different JSON readers.
    if (n > kMaxJsonInteger)
      return bad(field, std::to_string(n) + " is above 2^53-1; write it as a decimal string (\"" + std::to_string(n) +
                            "\") so every JSON reader sees the same value");
    return n;
  }
  return bad(field, "expected a non-negative integer or a decimal string");
}

Result<std::vector<std::string>> get_hardware(const json& j) {
  const std::string field = member_path(kSpec, "hardware");
  FWSEAL_ASSIGN(const json* items, get_array(j, "hardware", kSpec, kMaxHardwareIds));
  if (items->empty()) return bad(field, "at least one hardware id is required");
  std::map<std::string, std::size_t> seen;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string where = index_path(field, i);
    if (!(*items)[i].is_string()) return bad(where, "expected a string");
    const auto& id = (*items)[i].get_ref<const std::string&>();
    FWSEAL_TRY(check_hardware_id(id, where));
    auto [it, fresh] = seen.emplace(id, i);
    if (!fresh) return bad(where, "duplicate hardware id " + quote(id) + " (also " + index_path(field, it->second) + ")");
    out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<ImageEncryptionSpec> parse_image_encryption(const json& j, const std::string& where, const std::string& base_dir) {
  if (!j.is_object()) return bad(where, "expected an object {\"recipients\": [PEM files], \"chunk_size\": N}");
  FWSEAL_TRY(check_members(j, {"recipients", "chunk_size"}, where));
  ImageEncryptionSpec e;
  if (has_member(j, "chunk_size")) {
    FWSEAL_ASSIGN(std::uint64_t chunk, get_uint(j, "chunk_size", where));
    FWSEAL_TRY(enc::check_chunk_size(chunk, member_path(where, "chunk_size")));
    e.chunk_size = static_cast<std::uint32_t>(chunk);
  }
  FWSEAL_ASSIGN(const json* items, get_array(j, "recipients", where, enc::kMaxRecipients));
  const std::string field = member_path(where, "recipients");
  if (items->empty()) return bad(field, "at least one recipient public key is required");
  std::map<std::string, std::size_t> ids;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string at = index_path(field, i);
    if (!(*items)[i].is_string()) return bad(at, "expected the path of a PEM public key");
    const std::string path = resolve(base_dir, (*items)[i].get<std::string>());
    if (path.empty() || path.find('\0') != std::string::npos) return bad(at, "not a usable path");
    auto r = enc::load_recipient_pem(path);
    if (!r.ok()) return bad(at, r.error().message);
    auto [it, fresh] = ids.emplace(to_hex(r->key_id), i);
    if (!fresh) return bad(at, quote(path) + " is the same key as " + index_path(field, it->second));
    e.recipients.push_back(path);
  }
  return e;
}

namespace {

Result<std::vector<ImageSpec>> get_images(const json& j, const std::string& base_dir) {
  const std::string field = member_path(kSpec, "images");
  FWSEAL_ASSIGN(const json* items, get_array(j, "images", kSpec, kMaxImages));
  if (items->empty()) return bad(field, "at least one image is required");
  std::map<std::string, std::size_t> seen;
  std::vector<ImageSpec> out;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    const std::string where = index_path(field, i);
    FWSEAL_TRY(check_members(item, {"name", "type", "path", "encryption"}, where));
    ImageSpec img;
    FWSEAL_ASSIGN(img.name, get_string(item, "name", where));
    FWSEAL_TRY(check_image_name(img.name, member_path(where, "name")));
    auto [it, fresh] = seen.emplace(img.name, i);
    if (!fresh)
      return bad(member_path(where, "name"),
                 "duplicate image name " + quote(img.name) + " (also " + index_path(field, it->second) + ")");
    FWSEAL_ASSIGN(img.type, get_string(item, "type", where));
    FWSEAL_TRY(check_token(img.type, member_path(where, "type")));
    FWSEAL_ASSIGN(img.path, get_path(item, "path", where, base_dir));
    FWSEAL_TRY(check_regular_file(img.path, member_path(where, "path")));
    if (has_member(item, "encryption")) {
      FWSEAL_ASSIGN(img.encryption, parse_image_encryption(item["encryption"], member_path(where, "encryption"), base_dir));
    }
    out.push_back(std::move(img));
  }
  return out;
}

Result<std::string> read_sbom(const std::string& path, std::string_view field) {
  FWSEAL_ASSIGN(struct stat st, check_regular_file(path, field));
  if (static_cast<std::uint64_t>(st.st_size) > kMaxSbomBytes)
    return bad(field, quote(path) + " is " + std::to_string(st.st_size) + " bytes, more than the limit of " +
                          std::to_string(kMaxSbomBytes));
  auto bytes = read_file(path, kMaxSbomBytes);
  if (!bytes.ok()) return bad(field, bytes.error().message);
  FWSEAL_TRY(check_sbom(*bytes, field));
  return std::move(bytes).value();
}

Result<std::string> get_text(const json& j, std::string_view key, const std::string& where) {
  FWSEAL_ASSIGN(std::string value, get_string(j, key, where));
  FWSEAL_TRY(check_text(value, member_path(where, key)));
  return value;
}

Result<SbomOrganisation> get_organisation(const json& j, const std::string& where) {
  FWSEAL_TRY(check_members(j, {"name", "url", "contact"}, where));
  SbomOrganisation out;
  FWSEAL_ASSIGN(out.name, get_text(j, "name", where));
  if (has_member(j, "url")) {
    FWSEAL_ASSIGN(const json* urls, get_array(j, "url", where, 16));
    for (std::size_t i = 0; i < urls->size(); ++i) {
      if (!(*urls)[i].is_string()) return bad(index_path(member_path(where, "url"), i), "expected a string");
      out.urls.push_back((*urls)[i].get<std::string>());
    }
  }
  if (has_member(j, "contact")) {
    const std::string at = member_path(where, "contact");
    FWSEAL_TRY(check_members(j["contact"], {"name", "email"}, at));
    if (has_member(j["contact"], "name")) {
      FWSEAL_ASSIGN(out.contact_name, get_text(j["contact"], "name", at));
    }
    if (has_member(j["contact"], "email")) {
      FWSEAL_ASSIGN(out.contact_email, get_text(j["contact"], "email", at));
    }
  }
  return out;
}

}  // namespace

Status parse_sbom_parties(const json& j, std::string_view where_view, SbomGeneration& out) {
  const std::string where(where_view);
  if (has_member(j, "manufacturer")) {
    FWSEAL_ASSIGN(out.manufacturer, get_organisation(j["manufacturer"], member_path(where, "manufacturer")));
  }
  if (has_member(j, "authors")) {
    FWSEAL_ASSIGN(const json* items, get_array(j, "authors", where, 64));
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string at = index_path(member_path(where, "authors"), i);
      FWSEAL_TRY(check_members((*items)[i], {"name", "email"}, at));
      SbomAuthor a;
      FWSEAL_ASSIGN(a.name, get_text((*items)[i], "name", at));
      if (has_member((*items)[i], "email")) {
        FWSEAL_ASSIGN(a.email, get_text((*items)[i], "email", at));
      }
      out.authors.push_back(std::move(a));
    }
  }
  return ok_status();
}

namespace {

// "sbom": {"supplier": "...", "components": ["components.json", ...],
// "sha512": false}: the caller generates the SBOM from the spec's images
// (sbom-gen) and passes it in.
Result<SbomGeneration> get_sbom_generation(const json& j, const std::string& base_dir) {
  const std::string field = member_path(kSpec, "sbom");
  FWSEAL_TRY(check_members(j, {"supplier", "manufacturer", "authors", "components", "sha512"}, field));
  SbomGeneration out;
  FWSEAL_TRY(parse_sbom_parties(j, field, out));
  if (has_member(j, "sha512")) {
    FWSEAL_ASSIGN(out.sha512, get_bool(j, "sha512", field));
  }
  if (has_member(j, "supplier")) {
    FWSEAL_ASSIGN(out.supplier, get_string(j, "supplier", field));
    FWSEAL_TRY(check_text(out.supplier, member_path(field, "supplier")));
  }
  if (has_member(j, "components")) {
    FWSEAL_ASSIGN(const json* items, get_array(j, "components", field, 64));
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string where = index_path(member_path(field, "components"), i);
      if (!(*items)[i].is_string() || (*items)[i].get_ref<const std::string&>().empty())
        return bad(where, "expected a file path");
      const auto& rel = (*items)[i].get_ref<const std::string&>();
      if (rel.find('\0') != std::string::npos) return bad(where, "contains a NUL character");
      std::string path = resolve(base_dir, rel);
      FWSEAL_TRY(check_regular_file(path, where));
      out.components.push_back(std::move(path));
      out.components_as_written.push_back(rel);
    }
  }
  return out;
}

Result<Spec> parse_spec_impl(std::string_view text, const std::string& base_dir, std::string_view what) {
  FWSEAL_ASSIGN(json j, parse_json_with_comments(text, what));
  FWSEAL_TRY(check_members(j, {"product", "version", "security_version", "hardware", "created", "images", "sbom",
                                "signature_space"},
                           kSpec));
  Spec spec;
  FWSEAL_ASSIGN(spec.product, get_string(j, "product", kSpec));
  FWSEAL_TRY(check_text(spec.product, "spec.product"));
  FWSEAL_ASSIGN(spec.version, get_string(j, "version", kSpec));
  FWSEAL_TRY(check_text(spec.version, "spec.version"));
  FWSEAL_ASSIGN(spec.security_version, get_security_version(j));
  FWSEAL_ASSIGN(spec.hardware, get_hardware(j));
  if (has_member(j, "created")) {
    FWSEAL_ASSIGN(std::uint64_t created, get_uint(j, "created", kSpec));
    spec.created = static_cast<std::int64_t>(created);
  }
  if (has_member(j, "signature_space")) {
    FWSEAL_ASSIGN(spec.signature_space, get_uint(j, "signature_space", kSpec));
    if (spec.signature_space < kMinSignatureSpace || spec.signature_space > kMaxSignatureSpace ||
        spec.signature_space % 512 != 0)
      return make_error(Code::malformed, "spec.signature_space: " + std::to_string(spec.signature_space) +
                                             " must be a multiple of 512 from " + std::to_string(kMinSignatureSpace) +
                                             " to " + std::to_string(kMaxSignatureSpace) + " (bytes reserved for signatures)");
  }
  FWSEAL_ASSIGN(spec.images, get_images(j, base_dir));
  if (has_member(j, "sbom") && j["sbom"].is_object()) {
    FWSEAL_ASSIGN(spec.sbom_generation, get_sbom_generation(j["sbom"], base_dir));
  } else if (has_member(j, "sbom")) {
    FWSEAL_ASSIGN(spec.sbom_path, get_path(j, "sbom", kSpec, base_dir));
    FWSEAL_ASSIGN(spec.sbom, read_sbom(spec.sbom_path, "spec.sbom"));
  }
  return spec;
}

}  // namespace

Status check_sbom(std::string_view bytes, std::string_view where) {
  if (bytes.size() > kMaxSbomBytes)
    return bad(where, "SBOM of " + std::to_string(bytes.size()) + " bytes, more than the limit of " +
                          std::to_string(kMaxSbomBytes));
  // CycloneDX nests components; allow deeper nesting than fwseal's own files.
  FWSEAL_ASSIGN(json j, parse_json_strict(bytes, where, JsonLimits{kMaxSbomBytes, 64}));
  if (!j.is_object()) return bad(where, "an SBOM must be a JSON object (a CycloneDX document)");
  return ok_status();
}

Result<Spec> parse_spec(std::string_view text, const std::string& base_dir) {
  return parse_spec_impl(text, base_dir, kSpec);
}

Result<Spec> load_spec(const std::string& path) {
  auto text = read_file(path, JsonLimits{}.max_bytes);
  if (!text.ok()) return explain_wrong_kind(path, FileKind::spec, text.error());
  auto spec = parse_spec_impl(*text, dir_of(path), path);
  if (!spec.ok()) return explain_wrong_kind(path, FileKind::spec, spec.error());
  return spec;
}

Status check_built_from(const Spec& spec, const Manifest& m, const std::string& pkg) {
  auto differ = [&](const std::string& field, const std::string& spec_value, const std::string& pkg_value) {
    return make_error(Code::digest, "spec." + field + " is " + spec_value + " but " + pkg + " says " + pkg_value +
                                        ": the package was not built from this spec");
  };
  if (spec.product != m.product) return differ("product", "\"" + spec.product + "\"", "\"" + m.product + "\"");
  if (spec.version != m.version) return differ("version", "\"" + spec.version + "\"", "\"" + m.version + "\"");
  if (spec.security_version != m.security_version)
    return differ("security_version", std::to_string(spec.security_version), std::to_string(m.security_version));
  if (spec.hardware != m.hardware) return differ("hardware", "another list", "a different one");
  if (spec.images.size() != m.images.size())
    return differ("images", std::to_string(spec.images.size()) + " images", std::to_string(m.images.size()));
  for (std::size_t i = 0; i < spec.images.size(); ++i) {
    const std::string w = "images[" + std::to_string(i) + "]";
    if (spec.images[i].name != m.images[i].name)
      return differ(w + ".name", "\"" + spec.images[i].name + "\"", "\"" + m.images[i].name + "\"");
    if (spec.images[i].type != m.images[i].type)
      return differ(w + ".type", "\"" + spec.images[i].type + "\"", "\"" + m.images[i].type + "\"");
  }
  if (spec.sbom.has_value() != m.sbom.has_value())
    return differ("sbom", spec.sbom ? "given" : "absent", m.sbom ? "an embedded SBOM" : "no SBOM");
  return ok_status();
}


}  // namespace fwseal::packager
