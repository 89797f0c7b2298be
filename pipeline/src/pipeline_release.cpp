#include "fwseal/format/file_kind.h"
#include "fwseal/pipeline/release.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <set>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/encryption.h"
#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/base/text.h"
#include "fwseal/packager/spec.h"
#include "fwseal/sbom/licence_policy.h"

namespace fwseal::pipeline {
namespace {

using nlohmann::json;

constexpr std::string_view kRelease = "release";
constexpr std::size_t kMaxReleaseBytes = 4 << 20;

Error bad(std::string_view where, const std::string& why) {
  return make_error(Code::malformed, std::string(where) + ": " + why);
}


// Paths end up in build.ninja and on shell command lines: no control characters.
Result<std::string> resolve_path(const std::string& path, const std::string& field, const std::string& base_dir) {
  if (path.empty()) return bad(field, "must not be empty");
  for (char c : path)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad(field, "control character in path");
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  return p.lexically_normal().string();
}

Result<std::string> get_path(const json& object, std::string_view key, std::string_view where,
                             const std::string& base_dir) {
  FWSEAL_ASSIGN(std::string path, get_string(object, key, where));
  return resolve_path(path, member_path(where, key), base_dir);
}

Status check_file(const std::string& path, std::string_view field) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return bad(field, "cannot open " + quote(path) + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return bad(field, quote(path) + " is not a regular file");
  if (::access(path.c_str(), R_OK) != 0) return bad(field, "cannot read " + quote(path) + ": " + errno_text(errno));
  return ok_status();
}

Result<std::string> get_file(const json& object, std::string_view key, std::string_view where,
                             const std::string& base_dir) {
  FWSEAL_ASSIGN(std::string path, get_path(object, key, where, base_dir));
  FWSEAL_TRY(check_file(path, member_path(where, key)));
  return path;
}

// An array of file names (strings), each checked.
Result<std::vector<std::string>> get_files(const json& object, std::string_view key, std::string_view where,
                                           const std::string& base_dir, std::size_t max) {
  std::vector<std::string> out;
  if (!has_member(object, key)) return out;
  FWSEAL_ASSIGN(const json* items, get_array(object, key, where, max));
  const std::string field = member_path(where, key);
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string at = index_path(field, i);
    if (!(*items)[i].is_string()) return bad(at, "expected a file name (string)");
    FWSEAL_ASSIGN(std::string p, resolve_path((*items)[i].get<std::string>(), at, base_dir));
    FWSEAL_TRY(check_file(p, at));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::uint64_t> get_version_number(const json& j, std::string_view key, std::string_view where) {
  const std::string field = member_path(where, key);
  const json& v = j[std::string(key)];
  if (v.is_string()) return parse_security_version(v.get_ref<const std::string&>(), field);
  if (v.is_number_unsigned()) {
    auto n = v.get<std::uint64_t>();
    if (n > kMaxJsonInteger) return bad(field, "above 2^53-1; write it as a decimal string");
    return n;
  }
  return bad(field, "expected a non-negative integer or a decimal string");
}

Result<std::vector<std::string>> get_hardware(const json& j, std::string_view where) {
  const std::string field = member_path(where, "hardware");
  FWSEAL_ASSIGN(const json* items, get_array(j, "hardware", where, kMaxHardwareIds));
  if (items->empty()) return bad(field, "at least one hardware id is required");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string at = index_path(field, i);
    if (!(*items)[i].is_string()) return bad(at, "expected a string");
    const auto& id = (*items)[i].get_ref<const std::string&>();
    FWSEAL_TRY(check_hardware_id(id, at));
    if (!seen.insert(id).second) return bad(at, "duplicate hardware id " + quote(id));
  }
  return std::vector<std::string>(seen.begin(), seen.end());
}

Result<std::vector<ReleaseImage>> get_images(const json& j, std::string_view where, const std::string& base_dir,
                                             bool allow_empty) {
  const std::string field = member_path(where, "images");
  std::vector<ReleaseImage> out;
  if (!has_member(j, "images")) {
    if (allow_empty) return out;
    return bad(field, "missing");
  }
  FWSEAL_ASSIGN(const json* items, get_array(j, "images", where, kMaxImages));
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    const std::string at = index_path(field, i);
    FWSEAL_TRY(check_members(item, {"name", "type", "path", "encryption"}, at));
    ReleaseImage img;
    FWSEAL_ASSIGN(img.name, get_string(item, "name", at));
    FWSEAL_TRY(check_image_name(img.name, member_path(at, "name")));
    if (auto [it, fresh] = seen.emplace(img.name, i); !fresh)
      return bad(member_path(at, "name"), "duplicate image name " + quote(img.name) + " (also " +
                                              index_path(field, it->second) + ")");
    FWSEAL_ASSIGN(img.type, get_string(item, "type", at));
    FWSEAL_TRY(check_token(img.type, member_path(at, "type")));
    FWSEAL_ASSIGN(img.path, get_file(item, "path", at, base_dir));
    if (has_member(item, "encryption")) {
      FWSEAL_ASSIGN(img.encryption, packager::parse_image_encryption(item["encryption"], member_path(at, "encryption"),
                                                                     base_dir));
    }
    out.push_back(std::move(img));
  }
  if (out.empty() && !allow_empty) return bad(field, "at least one image is required");
  return out;
}

// "components": file names (strings) and inline components (objects).
Status get_components(const json& j, std::string_view where, const std::string& base_dir, Variant& v) {
  if (!has_member(j, "components")) return ok_status();
  const std::string field = member_path(where, "components");
  FWSEAL_ASSIGN(const json* items, get_array(j, "components", where, 100000));
  for (std::size_t i = 0; i < items->size(); ++i) {
    const json& item = (*items)[i];
    const std::string at = index_path(field, i);
    if (item.is_object()) {
      // sbom-gen checks every member when it reads the generated components file.
      if (!item.contains("name") || !item.contains("version"))
        return bad(at, "an inline component needs \"name\" and \"version\"");
      v.components.push_back(item);
    } else if (item.is_string()) {
      FWSEAL_ASSIGN(std::string p, resolve_path(item.get<std::string>(), at, base_dir));
      FWSEAL_TRY(check_file(p, at));
      v.components_files.push_back(std::move(p));
    } else {
      return bad(at, "expected a components file name or an inline component object");
    }
  }
  return ok_status();
}

Result<std::string> get_key_uri(const json& k, const std::string& at, const char* member = "uri") {
  FWSEAL_ASSIGN(std::string uri, get_string(k, member, at));
  if (uri.rfind("pkcs11:", 0) != 0) return bad(member_path(at, member), "expected a PKCS#11 URI (pkcs11:token=...;object=...)");
  for (char c : uri)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad(member_path(at, member), "control character in URI");
  return uri;
}

Status get_signing(const json& j, const std::string& base_dir, Release& r) {
  const std::string where = member_path(kRelease, "signing");
  if (!has_member(j, "signing")) return bad(where, "missing: a release needs at least one signing key");
  const json& s = j["signing"];
  FWSEAL_TRY(check_members(s, {"module", "keys"}, where));
  if (has_member(s, "module")) {
    FWSEAL_ASSIGN(r.module, get_path(s, "module", where, base_dir));
  }
  FWSEAL_ASSIGN(const json* keys, get_array(s, "keys", where, kMaxSigningKeys));
  if (keys->empty()) return bad(member_path(where, "keys"), "at least one signing key is required");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const json& k = (*keys)[i];
    const std::string at = index_path(member_path(where, "keys"), i);
    FWSEAL_TRY(check_members(k, {"uri", "certificate_chain"}, at));
    SigningKeySpec key;
    FWSEAL_ASSIGN(key.uri, get_key_uri(k, at));
    if (!seen.insert(key.uri).second) return bad(member_path(at, "uri"), "duplicate key " + quote(key.uri));
    if (has_member(k, "certificate_chain")) {
      FWSEAL_ASSIGN(key.certificate_chain, get_file(k, "certificate_chain", at, base_dir));
    }
    r.keys.push_back(std::move(key));
  }
  // The provenance statement's signer: its own key, else the first signing key.
  r.provenance_key = r.keys.front().uri;
  if (has_member(j, "provenance")) {
    const std::string at = member_path(kRelease, "provenance");
    FWSEAL_TRY(check_members(j["provenance"], {"uri"}, at));
    FWSEAL_ASSIGN(r.provenance_key, get_key_uri(j["provenance"], at));
  }
  return ok_status();
}

// "encryption": {"key": URI} | {"secret": FILE}. A secret file is read now,
// so that one others may read fails the run before any work.
Status get_encryption(const json& j, const std::string& base_dir, Release& r) {
  if (!has_member(j, "encryption")) return ok_status();
  const std::string where = member_path(kRelease, "encryption");
  const json& e = j["encryption"];
  FWSEAL_TRY(check_members(e, {"key", "secret"}, where));
  if (has_member(e, "key") == has_member(e, "secret"))
    return bad(where, "give the release's encryption secret as \"key\": URI (a secret in a token) or \"secret\": FILE, "
                      "one of the two");
  EncryptionSecretSpec spec;
  if (has_member(e, "key")) {
    FWSEAL_ASSIGN(spec.key, get_key_uri(e, where, "key"));
  } else {
    FWSEAL_ASSIGN(spec.secret, get_file(e, "secret", where, base_dir));
    if (auto loaded = enc::load_secret_file(spec.secret); !loaded.ok())
      return make_error(loaded.error().code, member_path(where, "secret") + ": " + loaded.error().message);
  }
  r.encryption = std::move(spec);
  return ok_status();
}

// The secret and the encrypted images come together: a secret without an
// encrypted image is a release file that does not say what it means.
Status check_encryption(const Release& r) {
  bool encrypted = false;
  for (const auto& v : r.variants)
    for (const auto& img : v.images) encrypted = encrypted || img.encryption.has_value();
  if (encrypted && !r.encryption)
    return bad(member_path(kRelease, "encryption"),
               "missing: an image is to be encrypted; name the release's encryption secret, {\"key\": URI} or "
               "{\"secret\": FILE}");
  if (!encrypted && r.encryption)
    return bad(member_path(kRelease, "encryption"), "no image is to be encrypted (an image's \"encryption\": "
                                                    "{\"recipients\": [...]}); remove it or mark the images");
  return ok_status();
}

Status get_trust(const json& j, const std::string& base_dir, Release& r) {
  const std::string where = member_path(kRelease, "trust");
  if (!has_member(j, "trust")) return ok_status();
  const json& t = j["trust"];
  FWSEAL_TRY(check_members(t, {"pin_signing_keys", "public_keys", "roots", "threshold", "algorithms",
                               "revoked_key_ids", "min_security_version", "hardware"},
                           where));
  TrustSpec& ts = r.trust;
  if (has_member(t, "pin_signing_keys")) {
    FWSEAL_ASSIGN(ts.pin_signing_keys, get_bool(t, "pin_signing_keys", where));
  }
  FWSEAL_ASSIGN(ts.public_keys, get_files(t, "public_keys", where, base_dir, 64));
  FWSEAL_ASSIGN(ts.roots, get_files(t, "roots", where, base_dir, 16));
  if (has_member(t, "threshold")) {
    FWSEAL_ASSIGN(std::uint64_t n, get_uint(t, "threshold", where, kMaxSigningKeys));
    if (n == 0) return bad(member_path(where, "threshold"), "must be at least 1");
    ts.threshold = n;
  }
  if (has_member(t, "algorithms")) {
    FWSEAL_ASSIGN(const json* algs, get_array(t, "algorithms", where, 5));
    for (std::size_t i = 0; i < algs->size(); ++i) {
      const std::string at = index_path(member_path(where, "algorithms"), i);
      if (!(*algs)[i].is_string()) return bad(at, "expected an algorithm name");
      FWSEAL_ASSIGN(Algorithm a, parse_algorithm((*algs)[i].get_ref<const std::string&>(), at));
      if (std::find(ts.algorithms.begin(), ts.algorithms.end(), a) != ts.algorithms.end())
        return bad(at, "duplicate algorithm");
      ts.algorithms.push_back(a);
    }
  }
  if (has_member(t, "revoked_key_ids")) {
    FWSEAL_ASSIGN(const json* ids, get_array(t, "revoked_key_ids", where, 1024));
    for (std::size_t i = 0; i < ids->size(); ++i) {
      const std::string at = index_path(member_path(where, "revoked_key_ids"), i);
      if (!(*ids)[i].is_string()) return bad(at, "expected 64 hex digits");
      FWSEAL_ASSIGN(KeyId id, sha256_from_hex((*ids)[i].get_ref<const std::string&>(), at));
      ts.revoked_key_ids.push_back(id);
    }
  }
  if (has_member(t, "min_security_version")) {
    FWSEAL_ASSIGN(ts.min_security_version, get_version_number(t, "min_security_version", where));
  }
  if (has_member(t, "hardware")) {
    FWSEAL_ASSIGN(ts.hardware, get_hardware(t, where));
  }
  if (!ts.pin_signing_keys && ts.public_keys.empty() && ts.roots.empty())
    return bad(where, "pin_signing_keys is false and there are no public_keys or roots: the policy would trust nothing");
  return ok_status();
}

Status get_repro(const json& j, Release& r) {
  const std::string where = member_path(kRelease, "reproducibility");
  if (!has_member(j, "reproducibility")) return ok_status();
  const json& p = j["reproducibility"];
  FWSEAL_TRY(check_members(p, {"check", "rebuild_images"}, where));
  if (has_member(p, "check")) {
    FWSEAL_ASSIGN(r.reproducibility.check, get_bool(p, "check", where));
  }
  if (has_member(p, "rebuild_images")) {
    FWSEAL_ASSIGN(r.reproducibility.rebuild_images, get_string(p, "rebuild_images", where));
    if (r.reproducibility.rebuild_images.empty()) return bad(member_path(where, "rebuild_images"), "must not be empty");
  }
  return ok_status();
}

// "scan": {"advisories": [PATH...], "fail_on": "high", "max_age_days": 30}
Status get_scan(const json& p, const std::string& where, const std::string& base_dir, InventorySpec& spec) {
  if (!p.is_object()) return bad(where, "must be an object: {\"advisories\": [...], \"fail_on\": \"high\"}");
  FWSEAL_TRY(check_members(p, {"advisories", "fail_on", "max_age_days"}, where));
  spec.scan = true;
  if (has_member(p, "advisories")) {
    FWSEAL_ASSIGN(const json* items, get_array(p, "advisories", where, 64));
    const std::string field = member_path(where, "advisories");
    for (std::size_t i = 0; i < items->size(); ++i) {
      const std::string at = index_path(field, i);
      if (!(*items)[i].is_string()) return bad(at, "expected an advisory file, directory or zip (string)");
      FWSEAL_ASSIGN(std::string path, resolve_path((*items)[i].get<std::string>(), at, base_dir));
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0) return bad(at, "cannot open " + quote(path) + ": " + errno_text(errno));
      spec.advisories.push_back(std::move(path));
    }
  }
  if (has_member(p, "fail_on")) {
    FWSEAL_ASSIGN(spec.fail_on, get_string(p, "fail_on", where));
    if (spec.fail_on != "critical" && spec.fail_on != "high" && spec.fail_on != "medium" && spec.fail_on != "low")
      return bad(member_path(where, "fail_on"), "must be critical, high, medium or low, not " + quote(spec.fail_on));
  }
  if (has_member(p, "max_age_days")) {
    FWSEAL_ASSIGN(std::uint64_t days, get_uint(p, "max_age_days", where, 36500));
    spec.max_age_days = days;
  }
  return ok_status();
}

Status get_inventory(const json& j, const std::string& base_dir, Release& r) {
  const std::string where = member_path(kRelease, "inventory");
  if (!has_member(j, "inventory")) return ok_status();
  const json& p = j["inventory"];
  if (!p.is_object()) return bad(where, "must be an object: {\"db\": ..., \"replace\": false, \"scan\": {...}}");
  FWSEAL_TRY(check_members(p, {"db", "replace", "scan"}, where));
  r.inventory.add = true;
  if (has_member(p, "db")) {
    FWSEAL_ASSIGN(std::string db, get_string(p, "db", where));
    if (db.empty()) return bad(member_path(where, "db"), "must not be empty (leave it out for the default inventory)");
    if (db.starts_with("postgresql://") || db.starts_with("postgres://")) {
      r.inventory.db = db;
    } else {
      std::string path = db.starts_with("sqlite:") ? db.substr(7) : db;
      if (path.empty()) return bad(member_path(where, "db"), "sqlite: needs a path");
      r.inventory.db = "sqlite:" + (std::filesystem::path(base_dir) / path).lexically_normal().string();
    }
  }
  if (has_member(p, "replace")) {
    FWSEAL_ASSIGN(r.inventory.replace, get_bool(p, "replace", where));
  }
  if (has_member(p, "scan")) FWSEAL_TRY(get_scan(p["scan"], member_path(where, "scan"), base_dir, r.inventory));
  return ok_status();
}

Result<Variant> get_variant(const json& item, std::string_view at, const std::string& base_dir, const Variant& shared,
                            bool has_shared_hardware) {
  FWSEAL_TRY(check_members(item, {"name", "hardware", "images", "components"}, at));
  Variant v;
  FWSEAL_ASSIGN(v.name, get_string(item, "name", at));
  FWSEAL_TRY(check_image_name(v.name, member_path(at, "name")));
  if (has_member(item, "hardware")) {
    FWSEAL_ASSIGN(v.hardware, get_hardware(item, at));
  } else if (has_shared_hardware) {
    v.hardware = shared.hardware;
  } else {
    return bad(member_path(at, "hardware"), "missing (and the release has no top-level hardware)");
  }
  // The shared images, in order; a variant image of the same name replaces
  // one, the others come after them.
  FWSEAL_ASSIGN(std::vector<ReleaseImage> own, get_images(item, at, base_dir, true));
  v.images = shared.images;
  for (auto& img : own) {
    auto it = std::find_if(v.images.begin(), v.images.end(), [&](const ReleaseImage& s) { return s.name == img.name; });
    if (it != v.images.end())
      *it = std::move(img);
    else
      v.images.push_back(std::move(img));
  }
  if (v.images.empty()) return bad(member_path(at, "images"), "the variant has no images (and the release none to share)");
  if (v.images.size() > kMaxImages) return bad(member_path(at, "images"), "more than 256 images");
  v.components_files = shared.components_files;
  v.components = shared.components;
  FWSEAL_TRY(get_components(item, at, base_dir, v));
  return v;
}

// "sbom": {"sha512": bool, "manufacturer": {...}, "authors": [...]}, the
// parties checked as a package spec's "sbom" checks them.
Status get_sbom(const json& sbom, Release& r) {
  const std::string where = member_path(kRelease, "sbom");
  FWSEAL_TRY(check_members(sbom, {"sha512", "manufacturer", "authors"}, where));
  if (has_member(sbom, "sha512")) {
    FWSEAL_ASSIGN(r.sbom_sha512, get_bool(sbom, "sha512", where));
  }
  packager::SbomGeneration parties;
  FWSEAL_TRY(packager::parse_sbom_parties(sbom, where, parties));
  for (const char* key : {"manufacturer", "authors"})
    if (has_member(sbom, key)) r.sbom_parties[key] = sbom[key];
  return ok_status();
}

}  // namespace

Result<Release> parse_release(std::string_view text, const std::string& base_dir, std::string_view what) {
  FWSEAL_ASSIGN(json j, parse_json_with_comments(text, what, JsonLimits{kMaxReleaseBytes, 16}));
  FWSEAL_TRY(check_members(j, {"release", "product", "version", "security_version", "supplier", "created", "hardware",
                               "images", "components", "sbom", "signing", "provenance", "trust", "reproducibility",
                               "output", "inventory", "licence_policy", "variants", "encryption"},
                           kRelease));
  Release r;
  r.base_dir = base_dir;
  FWSEAL_ASSIGN(r.product, get_string(j, "product", kRelease));
  FWSEAL_TRY(check_text(r.product, "release.product"));
  FWSEAL_ASSIGN(r.version, get_string(j, "version", kRelease));
  FWSEAL_TRY(check_text(r.version, "release.version"));
  if (!has_member(j, "security_version")) return bad("release.security_version", "missing");
  FWSEAL_ASSIGN(r.security_version, get_version_number(j, "security_version", kRelease));
  if (has_member(j, "release")) {
    FWSEAL_ASSIGN(r.name, get_string(j, "release", kRelease));
  } else {
    r.name = r.product + "-" + r.version;
  }
  if (auto s = check_image_name(r.name, "release.release"); !s.ok())
    return bad("release.release", "release name " + quote(r.name) +
                                      " must be 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit "
                                      "(it names the output directory; set \"release\" explicitly)");
  if (has_member(j, "supplier")) {
    FWSEAL_ASSIGN(r.supplier, get_string(j, "supplier", kRelease));
    FWSEAL_TRY(check_text(r.supplier, "release.supplier"));
  }
  if (has_member(j, "created")) {
    FWSEAL_ASSIGN(std::uint64_t c, get_uint(j, "created", kRelease));
    r.created = static_cast<std::int64_t>(c);
  }
  FWSEAL_TRY(get_signing(j, base_dir, r));
  FWSEAL_TRY(get_encryption(j, base_dir, r));
  FWSEAL_TRY(get_trust(j, base_dir, r));
  FWSEAL_TRY(get_repro(j, r));
  FWSEAL_TRY(get_inventory(j, base_dir, r));
  if (has_member(j, "sbom")) FWSEAL_TRY(get_sbom(j["sbom"], r));
  if (has_member(j, "output")) {
    FWSEAL_ASSIGN(r.output, get_path(j, "output", kRelease, base_dir));
  }
  if (has_member(j, "licence_policy")) {
    // Read now, so that a policy mistake fails the run before any work.
    FWSEAL_ASSIGN(r.licence_policy, get_file(j, "licence_policy", kRelease, base_dir));
    if (auto policy = sbom::load_licence_policy(r.licence_policy); !policy.ok())
      return make_error(policy.error().code, "release.licence_policy: " + policy.error().message);
  }

  Variant shared;
  const bool has_hardware = has_member(j, "hardware");
  if (has_hardware) {
    FWSEAL_ASSIGN(shared.hardware, get_hardware(j, kRelease));
  }
  r.has_variants = has_member(j, "variants");
  FWSEAL_ASSIGN(shared.images, get_images(j, kRelease, base_dir, r.has_variants));
  FWSEAL_TRY(get_components(j, kRelease, base_dir, shared));
  if (!r.has_variants) {
    if (!has_hardware) return bad("release.hardware", "missing");
    r.variants.push_back(std::move(shared));
    FWSEAL_TRY(check_encryption(r));
    return r;
  }
  const std::string field = member_path(kRelease, "variants");
  FWSEAL_ASSIGN(const json* items, get_array(j, "variants", kRelease, kMaxVariants));
  if (items->empty()) return bad(field, "at least one variant is required (or leave \"variants\" out)");
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string at = index_path(field, i);
    FWSEAL_ASSIGN(Variant v, get_variant((*items)[i], at, base_dir, shared, has_hardware));
    if (auto [it, fresh] = seen.emplace(v.name, i); !fresh)
      return bad(member_path(at, "name"), "duplicate variant name " + quote(v.name) + " (also " +
                                              index_path(field, it->second) + ")");
    r.variants.push_back(std::move(v));
  }
  FWSEAL_TRY(check_encryption(r));
  return r;
}

Result<Release> load_release(const std::string& path) {
  auto read = read_file(path, kMaxReleaseBytes);
  if (!read.ok()) return explain_wrong_kind(path, FileKind::release, read.error());
  const std::string& text = *read;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  if (ec) return make_error(Code::io, path + ": " + ec.message());
  abs = abs.lexically_normal();
  auto parsed = parse_release(text, abs.parent_path().string(), path);
  if (!parsed.ok()) return explain_wrong_kind(path, FileKind::release, parsed.error());
  Release r = std::move(parsed).value();
  r.file = abs.string();
  return r;
}

}  // namespace fwseal::pipeline
