// One audit line: its bytes (serialize_audit_record), what a reader accepts
// (parse_audit_record), and the identity fields it records.
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "fwseal/format/canonical_json.h"
#include "fwseal/format/provenance.h"
#include "fwseal/signer/audit.h"

namespace fwseal::signer {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxFieldBytes = 4096;   // operator, host, package, URI, product, version
constexpr std::size_t kMaxResultBytes = 2048;  // "refused: ..." messages
constexpr std::size_t kMaxRepairBytes = kMaxAuditLineBytes / 2;

// Valid UTF-8 with every invalid byte replaced by '?' and control characters by
// ' ', cut to at most `max` bytes at a character boundary: whatever a path or
// an error message holds, the line stays one line of valid JSON.
std::string clean_text(std::string_view s, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n != 0 && i + n <= s.size();
    std::uint32_t cp = n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
    for (std::size_t k = 1; ok && k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc >> 6) == 0x2;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (ok && n > 1) ok = cp >= kMin[n] && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (!ok) n = 1;
    if (out.size() + n > max) break;
    if (!ok) {
      out.push_back('?');
    } else if (n == 1 && (c < 0x20 || c == 0x7f)) {
      out.push_back(' ');
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

bool is_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Percent-decoding of an attribute name, for comparison only.
std::string pct_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

bool is_pin_attribute(std::string_view item) {
  std::string name = pct_decode(item.substr(0, item.find('=')));
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.back()))) name.pop_back();
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.erase(0, 1);
  return ieq(name, "pin-value") || ieq(name, "pin-source");
}

// `part` split at `sep`, without the PIN attributes, joined again.
std::string drop_pins(std::string_view part, char sep) {
  std::string out;
  bool first = true;
  for (;;) {
    std::size_t at = part.find(sep);
    std::string_view item = part.substr(0, at);
    if (!is_pin_attribute(item)) {
      if (!first) out.push_back(sep);
      out.append(item);
      first = false;
    }
    if (at == std::string_view::npos) break;
    part.remove_prefix(at + 1);
  }
  return out;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string account_name(uid_t uid) {
  std::string buf(16384, '\0');
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found && found->pw_name && *found->pw_name)
    return found->pw_name;
  return "uid " + std::to_string(uid);
}

bool known_target(std::string_view t) { return t == "manifest" || t == "provenance"; }
bool known_source(std::string_view s) { return s == "hsm" || s == "import"; }
bool valid_result(std::string_view r) { return r == "signed" || (r.starts_with("refused: ") && r.size() > 9); }

Result<std::string> get_text(const json& j, std::string_view key, const std::string& w, bool allow_empty = false) {
  FWSEAL_ASSIGN(std::string s, get_string(j, key, w));
  if ((s.empty() && !allow_empty) || s.size() > kMaxAuditLineBytes || clean_text(s, s.size()) != s)
    return make_error(Code::malformed, member_path(w, key) + ": not a valid text field");
  return s;
}

}  // namespace

std::string audit_log_path(std::string_view flag, const std::string& fwseal_home) {
  if (!flag.empty()) return std::string(flag);
  if (std::string e = env("FWSEAL_AUDIT_LOG"); !e.empty()) return e;
  return fwseal_home + "/audit.log";
}

std::string redact_key_uri(std::string_view uri) {
  std::size_t q = uri.find('?');
  std::string path = drop_pins(uri.substr(0, q), ';');
  if (q == std::string_view::npos) return path;
  std::string query = drop_pins(uri.substr(q + 1), '&');
  return query.empty() ? path : path + "?" + query;
}

std::string audit_operator() {
  if (std::string o = env("FWSEAL_OPERATOR"); !o.empty()) return o;
  char buf[256] = {};
  if (getlogin_r(buf, sizeof buf) == 0 && buf[0]) return buf;
  if (std::string u = env("USER"); !u.empty()) return u;
  return account_name(geteuid());
}

std::string audit_login() { return account_name(geteuid()); }

std::string audit_host() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "unknown";
  return buf;
}

Result<std::string> serialize_audit_record(const AuditRecord& r) {
  const AuditEvent& e = r.event;
  if (!known_target(e.target)) return make_error(Code::internal, "audit record: unknown target \"" + e.target + "\"");
  if (!known_source(e.source)) return make_error(Code::internal, "audit record: unknown source \"" + e.source + "\"");
  if (!valid_result(e.result)) return make_error(Code::internal, "audit record: result must be signed or refused: …");
  if (e.source == "hsm" && e.key_uri.empty()) return make_error(Code::internal, "audit record: an HSM key needs its URI");
  if (r.seq == 0 || r.seq > kMaxJsonInteger || !is_hex64(r.prev))
    return make_error(Code::internal, "audit record: bad seq or prev");
  auto text = [](std::string_view s) { return clean_text(s, kMaxFieldBytes); };
  std::string result = clean_text(e.result, kMaxResultBytes);
  json j{{"format", kAuditFormat},
         {"format_version", kAuditFormatVersion},
         {"seq", r.seq},
         {"prev", r.prev},
         {"time", r.time},
         {"operator", text(e.operator_name)},
         {"login", text(e.login)},
         {"host", text(e.host)},
         {"target", e.target},
         {"source", e.source},
         {"package", text(e.package)},
         {"key_id", to_hex(e.key_id)},
         {"algorithm", algorithm_name(e.algorithm)},
         {"manifest_sha256", to_hex(e.manifest_digest)},
         {"product", text(e.product)},
         {"version", text(e.version)},
         {"result", result}};
  // Redacted here, whatever the caller passed: no PIN can reach the log.
  if (!e.key_uri.empty()) j["key_uri"] = text(redact_key_uri(e.key_uri));
  if (r.repaired)
    j["repaired"] = {{"offset", r.repaired->offset},
                     {"bytes", r.repaired->text.size()},
                     {"text", clean_text(r.repaired->text, kMaxRepairBytes)}};
  FWSEAL_ASSIGN(std::string line, canonical_json(j));
  if (line.size() + 1 > kMaxAuditLineBytes)
    return make_error(Code::internal, "audit record: line of " + std::to_string(line.size()) + " bytes is too long");
  return line + "\n";
}

Result<AuditRecord> parse_audit_record(std::string_view line, std::string_view where) {
  const std::string w(where);
  if (line.size() >= kMaxAuditLineBytes) return make_error(Code::malformed, w + ": longer than an audit line can be");
  FWSEAL_ASSIGN(json j, parse_canonical_json(line, w, JsonLimits{kMaxAuditLineBytes, 3}));
  FWSEAL_TRY(check_members(j, {"format", "format_version", "seq", "prev", "time", "operator", "login", "host", "target",
                               "source", "package", "key_id", "key_uri", "algorithm", "manifest_sha256", "product",
                               "version", "result", "repaired"},
                           w));
  FWSEAL_ASSIGN(std::string format, get_string(j, "format", w));
  if (format != kAuditFormat) return make_error(Code::malformed, w + ".format: expected \"fwseal-audit\"");
  FWSEAL_ASSIGN(std::uint64_t version, get_uint(j, "format_version", w));
  if (version != static_cast<std::uint64_t>(kAuditFormatVersion))
    return make_error(Code::malformed, w + ".format_version: " + std::to_string(version) + " is not supported (1)");
  AuditRecord r;
  FWSEAL_ASSIGN(r.seq, get_uint(j, "seq", w));
  if (r.seq == 0) return make_error(Code::malformed, w + ".seq: must be at least 1");
  FWSEAL_ASSIGN(r.prev, get_string(j, "prev", w));
  if (!is_hex64(r.prev)) return make_error(Code::malformed, w + ".prev: expected 64 lowercase hex digits");
  FWSEAL_ASSIGN(r.time, get_string(j, "time", w));
  FWSEAL_TRY(parse_rfc3339_utc(r.time, w + ".time"));
  AuditEvent& e = r.event;
  FWSEAL_ASSIGN(e.operator_name, get_text(j, "operator", w));
  FWSEAL_ASSIGN(e.login, get_text(j, "login", w));
  FWSEAL_ASSIGN(e.host, get_text(j, "host", w));
  FWSEAL_ASSIGN(e.target, get_string(j, "target", w));
  if (!known_target(e.target)) return make_error(Code::malformed, w + ".target: expected manifest or provenance");
  FWSEAL_ASSIGN(e.source, get_string(j, "source", w));
  if (!known_source(e.source)) return make_error(Code::malformed, w + ".source: expected hsm or import");
  FWSEAL_ASSIGN(e.package, get_text(j, "package", w, true));
  FWSEAL_ASSIGN(std::string key_id, get_string(j, "key_id", w));
  FWSEAL_ASSIGN(e.key_id, sha256_from_hex(key_id, w + ".key_id"));
  if (has_member(j, "key_uri")) {
    FWSEAL_ASSIGN(e.key_uri, get_text(j, "key_uri", w));
    if (redact_key_uri(e.key_uri) != e.key_uri)
      return make_error(Code::malformed, w + ".key_uri: holds a PIN attribute, which fwseal never writes");
  }
  if (e.source == "hsm" && e.key_uri.empty()) return make_error(Code::malformed, w + ".key_uri: missing for an HSM key");
  FWSEAL_ASSIGN(std::string alg, get_string(j, "algorithm", w));
  FWSEAL_ASSIGN(e.algorithm, parse_algorithm(alg, w + ".algorithm"));
  FWSEAL_ASSIGN(std::string digest, get_string(j, "manifest_sha256", w));
  FWSEAL_ASSIGN(e.manifest_digest, sha256_from_hex(digest, w + ".manifest_sha256"));
  FWSEAL_ASSIGN(e.product, get_text(j, "product", w, true));
  FWSEAL_ASSIGN(e.version, get_text(j, "version", w, true));
  FWSEAL_ASSIGN(e.result, get_text(j, "result", w));
  if (!valid_result(e.result)) return make_error(Code::malformed, w + ".result: expected \"signed\" or \"refused: …\"");
  if (has_member(j, "repaired")) {
    const json& rep = j.at("repaired");
    std::string rw = w + ".repaired";
    FWSEAL_TRY(check_members(rep, {"offset", "bytes", "text"}, rw));
    AuditRepair repair;
    FWSEAL_ASSIGN(repair.offset, get_uint(rep, "offset", rw));
    FWSEAL_TRY(get_uint(rep, "bytes", rw, kMaxAuditLineBytes));
    FWSEAL_ASSIGN(repair.text, get_text(rep, "text", rw, true));
    r.repaired = std::move(repair);
  }
  return r;
}

}  // namespace fwseal::signer
