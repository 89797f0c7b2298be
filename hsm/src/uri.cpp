#include "fwseal/hsm/uri.h"

#include <p11-kit/uri.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <new>

#include "fwseal/base/digest.h"
#include "fwseal/base/text.h"

namespace fwseal::hsm {
namespace {

struct UriFree {
  void operator()(P11KitUri* u) const { p11_kit_uri_free(u); }
};
using UriPtr = std::unique_ptr<P11KitUri, UriFree>;

UriPtr new_uri() {
  UriPtr u(p11_kit_uri_new());
  if (!u) throw std::bad_alloc();
  return u;
}

bool contains_ci(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

// `text` percent-decoded until nothing changes (invalid escapes kept as they
// are), so that "pin%2Dvalue" or "%2570in-value" are seen for what a lenient
// parser would make of them.
std::string fully_decoded(std::string_view text) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string cur(text);
  for (int round = 0; round < 8; ++round) {
    std::string next;
    for (std::size_t i = 0; i < cur.size(); ++i) {
      if (cur[i] == '%' && i + 2 < cur.size() && hex(cur[i + 1]) >= 0 && hex(cur[i + 2]) >= 0) {
        next.push_back(static_cast<char>(hex(cur[i + 1]) * 16 + hex(cur[i + 2])));
        i += 2;
      } else {
        next.push_back(cur[i]);
      }
    }
    if (next == cur) break;
    cur = std::move(next);
  }
  return cur;
}

// A blank-padded PKCS#11 string field. p11-kit leaves fields the URI does not
// mention all zero, which is how "not given" is told apart from "empty".
std::optional<std::string> field(const unsigned char* p, std::size_t n) {
  if (std::all_of(p, p + n, [](unsigned char c) { return c == 0; })) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(p), n);
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

std::optional<std::string> attribute(P11KitUri* uri, CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE* a = p11_kit_uri_get_attribute(uri, type);
  if (!a || !a->pValue) return std::nullopt;
  return std::string(static_cast<const char*>(a->pValue), a->ulValueLen);
}

// p11-kit keeps query attributes it does not know as vendor queries and cannot
// list them, so a misspelt "pin-sorce" would be dropped silently; check the
// names here instead.
std::optional<std::string> unsupported_query(std::string_view text) {
  std::size_t q = text.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(q + 1);
  while (!rest.empty()) {
    std::size_t amp = rest.find('&');
    std::string_view item = rest.substr(0, amp);
    std::string_view name = item.substr(0, item.find('='));
    if (!name.empty() && name != "pin-source" && name != "module-path") return std::string(name);
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return std::nullopt;
}

// The first attribute of the URI's path (before '?') that fwseal does not
// know, so that a typo is named ("objekt") instead of p11-kit's "unrecognized".
std::optional<std::string> unknown_path_attribute(std::string_view text) {
  std::string_view path = text.substr(0, text.find('?'));
  path.remove_prefix(std::string_view("pkcs11:").size());
  static constexpr std::string_view kKnown[] = {"token", "serial", "manufacturer", "model", "object", "id", "type",
                                                "library-description", "library-manufacturer", "library-version",
                                                "slot-description", "slot-manufacturer", "slot-id"};
  while (!path.empty()) {
    std::size_t semi = path.find(';');
    std::string_view item = path.substr(0, semi);
    std::string_view name = item.substr(0, item.find('='));
    if (!name.empty() && std::find(std::begin(kKnown), std::end(kKnown), name) == std::end(kKnown))
      return std::string(name);
    if (semi == std::string_view::npos) break;
    path.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

Result<KeyUri> parse(std::string_view text, bool need_key) {
  // Checked on the raw text, before anything else, so that no message below
  // can ever echo a PIN.
  if (contains_ci(text, "pin-value") || contains_ci(fully_decoded(text), "pin-value"))
    return make_error(Code::usage,
                      "key URIs must not contain pin-value: PINs never go on the command line; "
                      "use FWSEAL_PIN_FILE or the URI's pin-source");
  const std::string quoted = "key URI \"" + std::string(text) + "\": ";
  auto bad = [&](const std::string& why) { return make_error(Code::usage, quoted + why); };
  if (text.find('\0') != std::string_view::npos) return bad("contains a NUL byte");
  if (!text.starts_with("pkcs11:")) return bad("not a PKCS#11 URI (expected pkcs11:token=NAME;object=LABEL)");
  if (auto q = unsupported_query(text)) {
    if (*q == "module-name") return bad("module-name is not supported (use module-path or --module)");
    return bad("unsupported attribute \"" + *q + "\" (supported query attributes: pin-source, module-path)");
  }

  UriPtr uri = new_uri();
  int rc = p11_kit_uri_parse(std::string(text).c_str(), P11_KIT_URI_FOR_ANY, uri.get());
  if (rc != P11_KIT_URI_OK) return bad(p11_kit_uri_message(rc));
  if (auto name = unknown_path_attribute(text))
    return bad("unknown attribute " + quote(*name) + " (supported: token, serial, manufacturer, model, object, id, type)");
  if (p11_kit_uri_any_unrecognized(uri.get()))
    return bad("a value too long for its attribute (token labels have at most 32 bytes, serial numbers 16, "
               "manufacturer and model 32)");

  UriPtr blank = new_uri();
  if (std::memcmp(p11_kit_uri_get_module_info(uri.get()), p11_kit_uri_get_module_info(blank.get()), sizeof(CK_INFO)) !=
      0)
    return bad("library-* attributes are not supported (choose the module with module-path or --module)");
  if (std::memcmp(p11_kit_uri_get_slot_info(uri.get()), p11_kit_uri_get_slot_info(blank.get()), sizeof(CK_SLOT_INFO)) !=
          0 ||
      p11_kit_uri_get_slot_id(uri.get()) != p11_kit_uri_get_slot_id(blank.get()))
    return bad("slot-* attributes are not supported (name the token by its label)");

  KeyUri out;
  const CK_TOKEN_INFO* ti = p11_kit_uri_get_token_info(uri.get());
  auto token_field = [&](const unsigned char* p, std::size_t n, const char* name, std::string& dst) -> Status {
    std::optional<std::string> v = field(p, n);
    if (v && v->empty()) return bad(std::string("empty ") + name);
    if (v) dst = std::move(*v);
    return ok_status();
  };
  FWSEAL_TRY(token_field(ti->label, sizeof ti->label, "token label", out.token));
  FWSEAL_TRY(token_field(ti->serialNumber, sizeof ti->serialNumber, "serial", out.serial));
  FWSEAL_TRY(token_field(ti->manufacturerID, sizeof ti->manufacturerID, "manufacturer", out.manufacturer));
  FWSEAL_TRY(token_field(ti->model, sizeof ti->model, "model", out.model));

  out.object = attribute(uri.get(), CKA_LABEL);
  if (out.object && out.object->empty()) return bad("empty object label");
  if (out.object && out.object->find('\0') != std::string::npos) return bad("object label contains a NUL byte");
  out.id = attribute(uri.get(), CKA_ID);
  if (out.id && out.id->empty()) return bad("empty id");
  if (std::optional<std::string> cls = attribute(uri.get(), CKA_CLASS)) {
    CK_OBJECT_CLASS c = CKO_DATA;
    if (cls->size() == sizeof c) std::memcpy(&c, cls->data(), sizeof c);
    if (c != CKO_PRIVATE_KEY && c != CKO_PUBLIC_KEY) return bad("type must be private or public");
  }

  if (const char* s = p11_kit_uri_get_pin_source(uri.get())) out.pin_source = s;
  if (const char* m = p11_kit_uri_get_module_path(uri.get())) out.module_path = m;

  if (need_key) {
    if (out.token.empty()) return bad("no token (add token=LABEL)");
    if (!out.object && !out.id) return bad("no key (add object=LABEL or id=%xx...)");
  }
  return out;
}

}  // namespace

std::string KeyUri::describe_key() const {
  std::string s;
  if (object) s = "\"" + *object + "\"";
  if (id) s += object ? " (id " + to_hex(*id) + ")" : "id " + to_hex(*id);
  return s.empty() ? "(no label or id)" : s;
}

Result<KeyUri> parse_key_uri(std::string_view uri) { return parse(uri, true); }
Result<KeyUri> parse_token_uri(std::string_view uri) { return parse(uri, false); }

Result<KeyUri> token_uri_for_label(std::string_view label) {
  if (label.empty() || label.size() > 32)
    return make_error(Code::usage, "token label " + quote(label) + ": 1 to 32 bytes");
  // p11-kit writes the URI, percent-encoding what needs it ("dev token" -> dev%20token).
  UriPtr uri = new_uri();
  CK_TOKEN_INFO* info = p11_kit_uri_get_token_info(uri.get());
  std::memset(info->label, ' ', sizeof info->label);
  std::memcpy(info->label, label.data(), label.size());
  char* text = nullptr;
  if (p11_kit_uri_format(uri.get(), P11_KIT_URI_FOR_TOKEN, &text) != P11_KIT_URI_OK || !text)
    return make_error(Code::internal, "p11-kit cannot write a URI for token " + quote(label));
  std::string formatted(text);
  std::free(text);
  return parse_token_uri(formatted);
}

}  // namespace fwseal::hsm
