#include "fwseal/format/canonical_json.h"

#include <algorithm>
#include <vector>

namespace fwseal {

namespace {

using nlohmann::json;

// Member names are ordered by their UTF-16 code units (RFC 8785 section 3.2.3).
std::u16string utf16_of(const std::string& s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = 0;
    std::size_t n = 1;
    if (c < 0x80) cp = c;
    else if ((c >> 5) == 0x6) { cp = c & 0x1fu; n = 2; }
    else if ((c >> 4) == 0xe) { cp = c & 0x0fu; n = 3; }
    else { cp = c & 0x07u; n = 4; }
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

void write_string(const std::string& s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

// An object's members in canonical order (RFC 8785 section 3.2.3).
std::vector<std::pair<std::u16string, const std::string*>> sorted_members(const json& object) {
  std::vector<std::pair<std::u16string, const std::string*>> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.emplace_back(utf16_of(it.key()), &it.key());
  std::sort(keys.begin(), keys.end());
  return keys;
}

// `*inexact_integer`, if given, is set when the value refused is an integer
// outside the exact range.
Status write_value(const json& v, std::string& out, std::string_view path, bool* inexact_integer) {
  auto inexact = [&](std::string why) {
    if (inexact_integer) *inexact_integer = true;
    return make_error(Code::malformed, std::string(path) + ": " + why);
  };
  switch (v.type()) {
    case json::value_t::null: out += "null"; return ok_status();
    case json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return ok_status();
    case json::value_t::number_unsigned: {
      auto n = v.get<std::uint64_t>();
      if (n > kMaxJsonInteger)
        return inexact("integer " + std::to_string(n) + " is above 2^53-1 and has no canonical JSON form");
      out += std::to_string(n);
      return ok_status();
    }
    case json::value_t::number_integer: {
      auto n = v.get<std::int64_t>();
      if (n < -static_cast<std::int64_t>(kMaxJsonInteger) || n > static_cast<std::int64_t>(kMaxJsonInteger))
        return inexact("integer out of the canonical range");
      out += std::to_string(n);
      return ok_status();
    }
    case json::value_t::number_float:
      return make_error(Code::malformed, std::string(path) + ": fractional numbers are not allowed");
    case json::value_t::string: write_string(v.get_ref<const std::string&>(), out); return ok_status();
    case json::value_t::array: {
      out.push_back('[');
      std::size_t i = 0;
      for (const auto& item : v) {
        if (i) out.push_back(',');
        FWSEAL_TRY(write_value(item, out, std::string(path) + "[" + std::to_string(i) + "]", inexact_integer));
        ++i;
      }
      out.push_back(']');
      return ok_status();
    }
    case json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k16, key] : sorted_members(v)) {
        if (!first) out.push_back(',');
        first = false;
        write_string(*key, out);
        out.push_back(':');
        FWSEAL_TRY(write_value(v.at(*key), out, std::string(path) + "." + *key, inexact_integer));
      }
      out.push_back('}');
      return ok_status();
    }
    case json::value_t::binary:
    case json::value_t::discarded: break;
  }
  return make_error(Code::malformed, std::string(path) + ": value has no JSON form");
}

struct StrictAbort {
  std::string message;
};

Result<json> parse_impl(std::string_view text, std::string_view what, JsonLimits limits, bool comments) {
  if (text.size() > limits.max_bytes)
    return make_error(Code::malformed, std::string(what) + ": " + std::to_string(text.size()) +
                                           " bytes, more than the limit of " + std::to_string(limits.max_bytes));
  // One set of seen member names per open object: nlohmann keeps the last of
  // duplicate names silently, and two readers disagreeing on a value is how
  // signed-manifest confusion attacks start.
  std::vector<std::vector<std::string>> seen;
  int depth = 0;
  auto callback = [&](int /*depth*/, json::parse_event_t event, json& parsed) -> bool {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (++depth > limits.max_depth)
          throw StrictAbort{"nested deeper than " + std::to_string(limits.max_depth) + " levels"};
        if (event == json::parse_event_t::object_start) seen.emplace_back();
        break;
      case json::parse_event_t::object_end:
        --depth;
        seen.pop_back();
        break;
      case json::parse_event_t::array_end: --depth; break;
      case json::parse_event_t::key: {
        auto& names = seen.back();
        const auto& name = parsed.get_ref<const std::string&>();
        if (std::find(names.begin(), names.end(), name) != names.end())
          throw StrictAbort{"duplicate member name \"" + name + "\""};
        names.push_back(name);
        break;
      }
      case json::parse_event_t::value: break;
    }
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, comments);
  } catch (const StrictAbort& e) {
    return make_error(Code::malformed, std::string(what) + ": " + e.message);
  } catch (const json::parse_error& e) {
    std::string why = e.what();
    // nlohmann's text starts with "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    if (auto pos = why.find("parse error"); pos != std::string::npos) why = why.substr(pos);
    return make_error(Code::malformed, std::string(what) + ": invalid JSON: " + why);
  } catch (const json::exception& e) {
    return make_error(Code::malformed, std::string(what) + ": invalid JSON: " + e.what());
  }
}

}  // namespace

Result<std::string> canonical_json(const json& value) {
  std::string out;
  FWSEAL_TRY(write_value(value, out, "$", nullptr));
  return out;
}

std::string inexact_integer_member(const json& object) {
  if (!object.is_object()) return {};
  for (const auto& [k16, key] : sorted_members(object)) {
    std::string scratch;
    bool integer = false;
    if (!write_value(object.at(*key), scratch, "$", &integer).ok()) return integer ? *key : std::string();
  }
  return {};
}

Result<json> parse_json_strict(std::string_view text, std::string_view what, JsonLimits limits) {
  return parse_impl(text, what, limits, false);
}

Result<json> parse_json_with_comments(std::string_view text, std::string_view what, JsonLimits limits) {
  return parse_impl(text, what, limits, true);
}

Status check_canonical(std::string_view text, const json& value, std::string_view what) {
  auto canonical = canonical_json(value);
  if (!canonical.ok()) return make_error(Code::malformed, std::string(what) + ": " + canonical.error().message);
  if (*canonical != text) {
    std::size_t at = 0;
    while (at < text.size() && at < canonical->size() && text[at] == (*canonical)[at]) ++at;
    return make_error(Code::malformed, std::string(what) + ": not canonical JSON (RFC 8785): first difference at byte " +
                                           std::to_string(at));
  }
  return ok_status();
}

Result<json> parse_canonical_json(std::string_view text, std::string_view what, JsonLimits limits) {
  FWSEAL_ASSIGN(json value, parse_impl(text, what, limits, false));
  FWSEAL_TRY(check_canonical(text, value, what));
  return value;
}

Status check_members(const json& object, std::initializer_list<std::string_view> allowed, std::string_view where) {
  if (!object.is_object()) return make_error(Code::malformed, std::string(where) + ": expected a JSON object");
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end())
      return make_error(Code::malformed, std::string(where) + "." + it.key() + ": unknown member");
  }
  return ok_status();
}

}  // namespace fwseal

namespace fwseal {

std::string member_path(std::string_view where, std::string_view key) {
  return std::string(where) + "." + std::string(key);
}

std::string index_path(std::string_view where, std::size_t index) {
  return std::string(where) + "[" + std::to_string(index) + "]";
}

namespace {
Result<const nlohmann::json*> member(const nlohmann::json& object, std::string_view key, std::string_view where) {
  if (!object.is_object()) return make_error(Code::malformed, std::string(where) + ": expected a JSON object");
  auto it = object.find(key);
  if (it == object.end()) return make_error(Code::malformed, member_path(where, key) + ": missing");
  return &*it;
}
}  // namespace

Result<std::string> get_string(const nlohmann::json& object, std::string_view key, std::string_view where) {
  FWSEAL_ASSIGN(const nlohmann::json* v, member(object, key, where));
  if (!v->is_string()) return make_error(Code::malformed, member_path(where, key) + ": expected a string");
  return v->get<std::string>();
}

Result<std::uint64_t> get_uint(const nlohmann::json& object, std::string_view key, std::string_view where,
                               std::uint64_t max) {
  FWSEAL_ASSIGN(const nlohmann::json* v, member(object, key, where));
  if (!v->is_number_integer() || (v->is_number_integer() && !v->is_number_unsigned() && v->get<std::int64_t>() < 0))
    return make_error(Code::malformed, member_path(where, key) + ": expected a non-negative integer");
  auto n = v->get<std::uint64_t>();
  if (n > max)
    return make_error(Code::malformed, member_path(where, key) + ": " + std::to_string(n) + " is above the maximum " +
                                           std::to_string(max));
  return n;
}

Result<bool> get_bool(const nlohmann::json& object, std::string_view key, std::string_view where) {
  FWSEAL_ASSIGN(const nlohmann::json* v, member(object, key, where));
  if (!v->is_boolean()) return make_error(Code::malformed, member_path(where, key) + ": expected true or false");
  return v->get<bool>();
}

Result<const nlohmann::json*> get_array(const nlohmann::json& object, std::string_view key, std::string_view where,
                                        std::size_t max_items) {
  FWSEAL_ASSIGN(const nlohmann::json* v, member(object, key, where));
  if (!v->is_array()) return make_error(Code::malformed, member_path(where, key) + ": expected an array");
  FWSEAL_TRY(check_items(*v, member_path(where, key), max_items));
  return v;
}

Status check_items(const nlohmann::json& array, std::string_view where, std::size_t max_items) {
  if (array.size() > max_items)
    return make_error(Code::malformed, std::string(where) + ": " + std::to_string(array.size()) +
                                           " items, more than the limit of " + std::to_string(max_items));
  return ok_status();
}

}  // namespace fwseal
