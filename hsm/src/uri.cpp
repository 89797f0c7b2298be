#include "fwseal/hsm/uri.h"

#include <p11-kit/uri.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

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

// The attribute names of one part of the URI: the path (between "pkcs11:" and
// '?', separated by ';') or the query (after '?', separated by '&').
std::vector<std::string_view> attribute_names(std::string_view text, bool query) {
  std::size_t q = text.find('?');
  std::string_view part = query ? (q == std::string_view::npos ? std::string_view() : text.substr(q + 1))
                                : text.substr(0, q).substr(std::string_view("pkcs11:").size());
  std::vector<std::string_view> names;
  const char sep = query ? '&' : ';';
  while (!part.empty()) {
    std::size_t end = part.find(sep);
    std::string_view item = part.substr(0, end);
    if (std::string_view name = item.substr(0, item.find('=')); !name.empty()) names.push_back(name);
    if (end == std::string_view::npos) break;
    part.remove_prefix(end + 1);
  }
  return names;
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Why the URI's first attribute fwseal does not use is refused, naming it.
// Checked on the text: p11-kit keeps query attributes it does not know as
// vendor queries it cannot list, and says only "unrecognized" of the rest, so
// a misspelt "pin-sorce" or "objekt" would otherwise be dropped or unnamed.
std::optional<std::string> refused_attribute(std::string_view text) {
  for (std::string_view name : attribute_names(text, true)) {
    if (one_of(name, {"pin-source", "module-path", "module-name"})) continue;
    return "unsupported attribute " + quote(name) +
           " (supported query attributes: pin-source, module-path, module-name)";
  }
  for (std::string_view name : attribute_names(text, false)) {
    if (one_of(name, {"token", "serial", "manufacturer", "model", "object", "id", "type", "slot-id"})) continue;
    if (one_of(name, {"library-description", "library-manufacturer", "library-version"}))
      return std::string(name) + " is not supported (choose the module with module-path, module-name or --module)";
    if (one_of(name, {"slot-description", "slot-manufacturer"}))
      return std::string(name) + " is not supported (name the slot with slot-id or the token with token=)";
    return "unknown attribute " + quote(name) +
           " (supported: token, serial, manufacturer, model, object, id, type, slot-id)";
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
  if (auto why = refused_attribute(text)) return bad(*why);

  UriPtr uri = new_uri();
  int rc = p11_kit_uri_parse(std::string(text).c_str(), P11_KIT_URI_FOR_ANY, uri.get());
  if (rc != P11_KIT_URI_OK) {
    if (contains_ci(text, "slot-id="))
      return bad(std::string(p11_kit_uri_message(rc)) + " (slot-id takes a decimal number)");
    return bad(p11_kit_uri_message(rc));
  }
  if (p11_kit_uri_any_unrecognized(uri.get()))
    return bad("a value too long for its attribute (token labels have at most 32 bytes, serial numbers 16, "
               "manufacturer and model 32)");

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
  if (const char* m = p11_kit_uri_get_module_name(uri.get())) out.module_name = m;
  if (!out.module_path.empty() && !out.module_name.empty())
    return bad("module-path and module-name both choose the module; give one of them");
  if (CK_SLOT_ID slot = p11_kit_uri_get_slot_id(uri.get()); slot != static_cast<CK_SLOT_ID>(-1)) out.slot_id = slot;

  if (need_key) {
    if (out.token.empty() && out.serial.empty() && !out.slot_id)
      return bad("no token (add token=LABEL, serial= or slot-id=)");
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

namespace {

// Copies `value` into a blank-padded PKCS#11 field; false if it is too long.
bool set_field(unsigned char* dst, std::size_t n, const std::string& value) {
  if (value.size() > n) return false;
  std::memset(dst, ' ', n);
  std::memcpy(dst, value.data(), value.size());
  return true;
}

// p11-kit writes the URI, percent-encoding every byte outside the unreserved
// set ("dev token" -> dev%20token).
Result<std::string> format(const KeyUri& key, P11KitUriType type) {
  UriPtr uri = new_uri();
  CK_TOKEN_INFO* info = p11_kit_uri_get_token_info(uri.get());
  if (!key.token.empty() && !set_field(info->label, sizeof info->label, key.token))
    return make_error(Code::usage, "token label " + quote(key.token) + ": at most 32 bytes");
  if (!key.serial.empty() && !set_field(info->serialNumber, sizeof info->serialNumber, key.serial))
    return make_error(Code::usage, "token serial " + quote(key.serial) + ": at most 16 bytes");
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  std::vector<CK_ATTRIBUTE> attrs;
  if (type == P11_KIT_URI_FOR_OBJECT_ON_TOKEN) attrs.push_back({CKA_CLASS, &cls, sizeof cls});
  if (key.object) attrs.push_back({CKA_LABEL, const_cast<char*>(key.object->data()), key.object->size()});
  if (key.id) attrs.push_back({CKA_ID, const_cast<char*>(key.id->data()), key.id->size()});
  if (!attrs.empty() && p11_kit_uri_set_attributes(uri.get(), attrs.data(), attrs.size()) != P11_KIT_URI_OK)
    return make_error(Code::internal, "p11-kit cannot take the attributes of key " + key.describe_key());
  char* text = nullptr;
  if (p11_kit_uri_format(uri.get(), type, &text) != P11_KIT_URI_OK || !text)
    return make_error(Code::internal, "p11-kit cannot write a URI for key " + key.describe_key());
  std::string formatted(text);
  std::free(text);
  return formatted;
}

}  // namespace

Result<std::string> format_key_uri(const KeyUri& key) { return format(key, P11_KIT_URI_FOR_OBJECT_ON_TOKEN); }

Result<KeyUri> token_uri_for_label(std::string_view label) {
  if (label.empty() || label.size() > 32)
    return make_error(Code::usage, "token label " + quote(label) + ": 1 to 32 bytes");
  KeyUri token;
  token.token = std::string(label);
  FWSEAL_ASSIGN(std::string text, format(token, P11_KIT_URI_FOR_TOKEN));
  return parse_token_uri(text);
}

}  // namespace fwseal::hsm
