// Reading trust.json (versions 1 and 2).
#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "fwseal/format/file_kind.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/trust.h"
#include "fwseal/format/x509.h"
#include "trust_internal.h"

namespace fwseal {
namespace {

using nlohmann::json;
using trust_detail::bad;

constexpr std::string_view kPemBegin = "-----BEGIN PUBLIC KEY-----";
constexpr std::string_view kPemEnd = "-----END PUBLIC KEY-----";

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// T5: one PEM public key block and nothing else: OpenSSL reads the first block
// of a file and ignores what follows, which would let a second key hide in the text.
Result<ossl::PKey> strict_pem_key(std::string_view text, const std::string& where) {
  std::string_view t = trim(text);
  if (!t.starts_with(kPemBegin) || !t.ends_with(kPemEnd) || t.find(kPemBegin, 1) != std::string_view::npos)
    return bad("T5", where, "not a PEM public key (expected exactly one -----BEGIN PUBLIC KEY----- block)");
  return with_rule("T5", public_key_from_pem(t, where));
}

struct Context {
  std::string base_dir;  // empty: no file references
  int version = 1;
};

// T1: inline PEM, or the contents of a file named relative to trust.json (a
// file that cannot be read is an I/O error, exit 3).
Result<std::string> inline_or_file(const std::string& value, const std::string& where, const Context& ctx,
                                   std::size_t max_bytes, std::string* source) {
  if (trim(value).starts_with("-----BEGIN")) return value;
  if (value.empty() || value.size() > 4096 || value.find('\0') != std::string::npos)
    return bad("T1", where, "expected inline PEM (-----BEGIN ...) or a file name");
  if (ctx.base_dir.empty())
    return bad("T1", where,
               "\"" + value + "\" is a file name, but this trust text was not read from a file (use inline PEM)");
  std::string path = value.front() == '/' ? value : ctx.base_dir + "/" + value;
  if (source) *source = where + " (" + value + ")";
  auto data = read_regular_file(path, max_bytes);
  if (!data.ok()) return make_error(data.error().code, where + ": " + data.error().message);
  return std::move(data).value();
}

Result<std::uint64_t> parse_min_security_version(const json& v, const std::string& where) {
  if (v.is_string()) return parse_security_version(v.get_ref<const std::string&>(), where);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  return bad("T4", where, "expected a non-negative integer or a decimal string (0 to 18446744073709551615)");  // T4
}

// The array member `key` (T4 if it is not one) of at most `max_items` items,
// else the rule of its limit: T8, T9 or T10.
Result<const json*> array_member(const json& j, std::string_view key, std::string_view where, std::size_t max_items,
                                 std::string_view limit_rule) {
  FWSEAL_ASSIGN(const json* arr, with_rule("T4", get_array(j, key, where, SIZE_MAX)));
  FWSEAL_TRY(with_rule(limit_rule, check_items(*arr, member_path(where, key), max_items)));
  return arr;
}

Result<std::vector<std::string>> string_array(const json& j, std::string_view key, std::string_view where,
                                              std::size_t max_items, std::string_view limit_rule) {
  FWSEAL_ASSIGN(const json* arr, array_member(j, key, where, max_items, limit_rule));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    if (!(*arr)[i].is_string()) return bad("T4", index_path(member_path(where, key), i), "expected a string");  // T4
    out.push_back((*arr)[i].get<std::string>());
  }
  return out;
}

Result<TrustedKey> parse_key(const json& item, const std::string& where) {
  FWSEAL_TRY(check_members(item, {"name", "public_key", "key_id"}, where));
  std::string name;
  if (has_member(item, "name")) {
    FWSEAL_ASSIGN(name, get_string(item, "name", where));
    FWSEAL_TRY(with_rule("T6", check_text(name, member_path(where, "name"))));  // T6
  }
  // T5: the key, of an fwseal algorithm, and the key id beside it.
  FWSEAL_ASSIGN(std::string pem, get_string(item, "public_key", where));
  FWSEAL_ASSIGN(ossl::PKey pkey, strict_pem_key(pem, member_path(where, "public_key")));
  auto key = make_trusted_key(pkey.get(), std::move(name));
  if (!key.ok()) return bad("T5", member_path(where, "public_key"), key.error().message);
  if (has_member(item, "key_id")) {
    FWSEAL_ASSIGN(std::string hex, get_string(item, "key_id", where));
    FWSEAL_ASSIGN(KeyId stated, with_rule("T5", sha256_from_hex(hex, member_path(where, "key_id"))));
    if (stated != key->key_id)
      return bad("T5", member_path(where, "key_id"),
                 "does not match the public key, whose key id (SHA-256 of its SubjectPublicKeyInfo) is " +
                     to_hex(key->key_id));
  }
  return std::move(key).value();
}

Result<TrustedRoot> parse_root(const json& item, const std::string& where, const Context& ctx) {
  FWSEAL_TRY(check_members(item, {"name", "certificate", "require_crl"}, where));
  TrustedRoot root;
  if (has_member(item, "name")) {
    FWSEAL_ASSIGN(root.name, get_string(item, "name", where));
    FWSEAL_TRY(with_rule("T6", check_text(root.name, member_path(where, "name"))));  // T6
  }
  // T1: one certificate, inline or in a file.
  const std::string cw = member_path(where, "certificate");
  FWSEAL_ASSIGN(std::string value, get_string(item, "certificate", where));
  FWSEAL_ASSIGN(std::string pem, inline_or_file(value, cw, ctx, 64 * 1024, nullptr));
  FWSEAL_ASSIGN(std::vector<std::string> ders, with_rule("T1", certificates_from_pem(pem, cw, 1)));
  root.certificate_der = std::move(ders[0]);
  if (has_member(item, "require_crl")) {
    FWSEAL_ASSIGN(root.require_crl, get_bool(item, "require_crl", where));
  }
  FWSEAL_TRY(trust_detail::check_root(root, where));
  return root;
}

// The members of one key set: "keys", "roots", "threshold" at `where`.
Result<KeySet> parse_set(const json& j, const std::string& where, const Context& ctx) {
  KeySet set;
  const bool has_keys = has_member(j, "keys");
  if (!has_keys && (ctx.version < 2 || !has_member(j, "roots")))  // T4
    return bad("T4", member_path(where, "keys"), "missing");
  if (has_keys) {
    FWSEAL_ASSIGN(const json* keys, array_member(j, "keys", where, kMaxTrustKeys, "T10"));
    for (std::size_t i = 0; i < keys->size(); ++i) {
      FWSEAL_ASSIGN(TrustedKey key, parse_key((*keys)[i], index_path(member_path(where, "keys"), i)));
      set.keys.push_back(std::move(key));
    }
  }
  if (has_member(j, "roots")) {
    FWSEAL_ASSIGN(const json* roots, array_member(j, "roots", where, kMaxTrustRoots, "T10"));
    // T1: roots, if the member is there.
    if (roots->empty()) return bad("T1", member_path(where, "roots"), "empty list (leave the member out instead)");
    for (std::size_t i = 0; i < roots->size(); ++i) {
      FWSEAL_ASSIGN(TrustedRoot root, parse_root((*roots)[i], index_path(member_path(where, "roots"), i), ctx));
      set.roots.push_back(std::move(root));
    }
  }
  if (has_member(j, "threshold")) {
    FWSEAL_ASSIGN(set.threshold, get_uint(j, "threshold", where));
  }
  return set;
}

Status parse_certificate_settings(const json& j, TrustPolicy& policy, const Context& ctx) {
  if (has_member(j, "crls")) {
    FWSEAL_ASSIGN(const json* crls, array_member(j, "crls", "trust", kMaxTrustCrls, "T10"));
    if (crls->empty()) return bad("T3", "trust.crls", "empty list (leave the member out instead)");  // T3
    for (std::size_t i = 0; i < crls->size(); ++i) {
      const std::string w = index_path("trust.crls", i);
      if (!(*crls)[i].is_string()) return bad("T4", w, "expected a string (inline PEM or a file name)");  // T4
      TrustedCrl crl;
      crl.source = w;
      FWSEAL_ASSIGN(std::string text, inline_or_file((*crls)[i].get<std::string>(), w, ctx, kMaxCrlBytes, &crl.source));
      FWSEAL_ASSIGN(crl.der, with_rule("T1", crl_der_from_text(text, w)));  // T1
      policy.crls.push_back(std::move(crl));
    }
  }
  if (has_member(j, "validity")) {
    FWSEAL_ASSIGN(std::string v, get_string(j, "validity", "trust"));
    if (v == "build-time")
      policy.validity = CertValidity::build_time;
    else if (v == "none")
      policy.validity = CertValidity::none;
    else  // T3
      return bad("T3", "trust.validity", "expected \"build-time\" or \"none\"");
  }
  if (has_member(j, "required_eku")) {
    FWSEAL_ASSIGN(policy.required_eku, get_string(j, "required_eku", "trust"));
    FWSEAL_TRY(trust_detail::check_eku(policy.required_eku, "trust.required_eku"));
  }
  return ok_status();
}

Status parse_roles(const json& j, TrustPolicy& policy, const Context& ctx) {
  // T2: roles instead of the top-level key set.
  for (const char* member : {"keys", "roots", "threshold"})
    if (has_member(j, member))
      return bad("T2", member_path("trust", member), "not allowed beside roles (each role has its own)");
  FWSEAL_ASSIGN(const json* roles, array_member(j, "roles", "trust", kMaxTrustRoles, "T10"));
  if (roles->empty()) return bad("T2", "trust.roles", "at least one role is required");
  for (std::size_t i = 0; i < roles->size(); ++i) {
    const std::string w = index_path("trust.roles", i);
    const json& item = (*roles)[i];
    FWSEAL_TRY(check_members(item, {"name", "keys", "roots", "threshold"}, w));
    FWSEAL_ASSIGN(std::string name, get_string(item, "name", w));
    FWSEAL_ASSIGN(KeySet set, parse_set(item, w, ctx));
    set.role = std::move(name);
    policy.key_sets.push_back(std::move(set));
  }
  return ok_status();
}

// Errors of the JSON readers (a missing member, one of the wrong type or an
// unknown one) are T4, as parse_trust says.
Result<TrustPolicy> parse_policy(const json& j, Context ctx) {
  const std::string w = "trust";
  // T4: the format and its version, known members only.
  if (!j.is_object()) return bad("T4", w, "expected a JSON object");
  FWSEAL_ASSIGN(std::string format, get_string(j, "format", w));
  if (format != kTrustFormat) return bad("T4", "trust.format", "expected \"fwseal-trust\"");
  FWSEAL_ASSIGN(std::uint64_t version, get_uint(j, "format_version", w));
  if (version < 1 || version > static_cast<std::uint64_t>(kTrustFormatVersion))
    return bad("T4", "trust.format_version",
               "version " + std::to_string(version) + " is not supported (this fwseal reads versions 1 and 2)");
  ctx.version = static_cast<int>(version);
  if (version == 1) {
    for (const char* member : {"roots", "roles", "crls", "validity", "required_eku"})
      if (has_member(j, member))
        return bad("T4", member_path(w, member), "needs \"format_version\": 2 (this file says 1)");
    FWSEAL_TRY(check_members(j,
                             {"format", "format_version", "keys", "threshold", "algorithms", "revoked_key_ids",
                              "min_security_version", "hardware"},
                             w));
  } else {
    FWSEAL_TRY(
        check_members(j,
                      {"format", "format_version", "keys", "roots", "threshold", "roles", "algorithms",
                       "revoked_key_ids", "min_security_version", "hardware", "crls", "validity", "required_eku"},
                      w));
  }

  TrustPolicy policy;
  if (has_member(j, "roles")) {
    FWSEAL_TRY(parse_roles(j, policy, ctx));
  } else {
    FWSEAL_ASSIGN(KeySet set, parse_set(j, w, ctx));
    policy.key_sets.push_back(std::move(set));
  }
  if (has_member(j, "algorithms")) {  // T8: algorithm names
    FWSEAL_ASSIGN(std::vector<std::string> names, string_array(j, "algorithms", w, 16, "T8"));
    policy.algorithms.clear();
    for (std::size_t i = 0; i < names.size(); ++i) {
      FWSEAL_ASSIGN(Algorithm alg, with_rule("T8", parse_algorithm(names[i], index_path("trust.algorithms", i))));
      policy.algorithms.push_back(alg);
    }
  }
  if (has_member(j, "revoked_key_ids")) {  // T8: lowercase-hex key ids
    FWSEAL_ASSIGN(std::vector<std::string> ids, string_array(j, "revoked_key_ids", w, kMaxRevokedKeyIds, "T8"));
    for (std::size_t i = 0; i < ids.size(); ++i) {
      FWSEAL_ASSIGN(KeyId id, with_rule("T8", sha256_from_hex(ids[i], index_path("trust.revoked_key_ids", i))));
      policy.revoked_key_ids.push_back(id);
    }
  }
  if (has_member(j, "min_security_version")) {
    FWSEAL_ASSIGN(policy.min_security_version,
                  parse_min_security_version(j.at("min_security_version"), "trust.min_security_version"));
  }
  if (has_member(j, "hardware")) {  // T9: a non-empty list
    FWSEAL_ASSIGN(policy.hardware, string_array(j, "hardware", w, kMaxHardwareIds, "T9"));
    if (policy.hardware.empty()) return bad("T9", "trust.hardware", "empty list (leave the member out instead)");
  }
  FWSEAL_TRY(parse_certificate_settings(j, policy, ctx));
  FWSEAL_TRY(check_trust(policy));
  return policy;
}

}  // namespace

Result<TrustPolicy> parse_trust(std::string_view text, std::string_view what, std::string_view base_dir) {
  // T4: at most 1 MiB of JSON, comments allowed, no duplicate member.
  FWSEAL_ASSIGN(json j, with_rule("T4", parse_json_with_comments(text, what, JsonLimits{kMaxTrustBytes, 8})));
  auto policy = parse_policy(j, Context{std::string(base_dir), 1});
  if (!policy.ok()) {
    // T4: what no other rule names is the file's form: a member missing,
    // unknown or of the wrong type.
    Error e = with_rule("T4", std::move(policy).error());
    // Member paths start with "trust."; say which file they are in, after the rule.
    if (what != "trust" && !without_rule(e.message).starts_with(what)) e = with_context(what, std::move(e));
    return e;
  }
  return policy;
}

Result<TrustPolicy> load_trust(const std::string& path) {
  auto text = read_file(path, kMaxTrustBytes);
  if (!text.ok()) {
    // A trust file over its limit is readable, and wrong (T4): malformed, not an I/O error.
    std::error_code ec;
    const bool oversized = std::filesystem::is_regular_file(path, ec) &&
                           std::filesystem::file_size(path, ec) > kMaxTrustBytes && !ec;
    // A package (or another known kind) given as the trust file is named as such.
    Error e = oversized ? make_error(Code::malformed, "T4: " + path + ": larger than the limit of " +
                                                          std::to_string(kMaxTrustBytes) + " bytes for a trust file")
                        : text.error();
    return explain_wrong_kind(path, FileKind::trust, std::move(e));
  }
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  auto trust = parse_trust(*text, path, dir);
  if (!trust.ok()) return explain_wrong_kind(path, FileKind::trust, trust.error());
  return trust;
}

}  // namespace fwseal
