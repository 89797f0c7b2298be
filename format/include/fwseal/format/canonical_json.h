// Canonical JSON (RFC 8785, JCS) and a strict JSON reader.
//
// fwseal writes only objects, arrays, strings, booleans and integers in
// [0, 2^53-1], so JCS reduces to: no whitespace, object members sorted by the
// UTF-16 code units of their names, strings escaped exactly as JCS says,
// integers in plain decimal. Values outside that subset are refused rather than
// written in a form another canonicaliser would disagree with.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/base/text.h"  // valid_utf8

namespace fwseal {

inline constexpr std::uint64_t kMaxJsonInteger = (std::uint64_t{1} << 53) - 1;

// Code::malformed if `value` holds a fractional number or an integer outside
// [-(2^53-1), 2^53-1].
Result<std::string> canonical_json(const nlohmann::json& value);

struct JsonLimits {
  std::size_t max_bytes = 1 << 20;
  int max_depth = 16;
};


// Parses `text` strictly: valid UTF-8, no duplicate member names, no trailing
// data, depth and size limits. Errors are Code::malformed and name `what`
// (e.g. "manifest.json") and, where known, the byte offset.
Result<nlohmann::json> parse_json_strict(std::string_view text, std::string_view what,
                                         JsonLimits limits = {});

// Like parse_json_strict, and also requires that `text` is byte-for-byte the
// canonical form of what it holds (check_canonical).
Result<nlohmann::json> parse_canonical_json(std::string_view text, std::string_view what,
                                            JsonLimits limits = {});

// Code::malformed naming `what` unless `text` is byte for byte the canonical
// form of `value`, which parse_json_strict read from it: a value canonical_json
// refuses ("manifest.json: $.size: integer ... is above 2^53-1 ..."), else the
// first byte that differs.
Status check_canonical(std::string_view text, const nlohmann::json& value, std::string_view what);

// The member of `object` whose value holds the first value canonical_json(object)
// refuses, in the order it writes them, if that value is an integer outside
// [-(2^53-1), 2^53-1]; "" if it is another value (a fraction) or there is
// none. Such an integer is out of its member's range, where a fraction is
// not JSON that fwseal writes at all: a reader of a format may name other
// rules for the two.
std::string inexact_integer_member(const nlohmann::json& object);

// Parses a hand-written file (spec, trust policy, release file): strict, but
// allows // and /* */ comments.
Result<nlohmann::json> parse_json_with_comments(std::string_view text, std::string_view what,
                                                JsonLimits limits = {});

// Typed member access for strict readers. Each names `where`.`key` in its
// error (Code::malformed): missing member, wrong type, out of range.
Result<std::string> get_string(const nlohmann::json& object, std::string_view key, std::string_view where);
Result<std::uint64_t> get_uint(const nlohmann::json& object, std::string_view key, std::string_view where,
                               std::uint64_t max = kMaxJsonInteger);
Result<bool> get_bool(const nlohmann::json& object, std::string_view key, std::string_view where);
// The array member `key`, with at most `max_items` items (check_items).
Result<const nlohmann::json*> get_array(const nlohmann::json& object, std::string_view key, std::string_view where,
                                        std::size_t max_items);
// Code::malformed "<where>: N items, more than the limit of M" if `array` has
// more than `max_items` items.
Status check_items(const nlohmann::json& array, std::string_view where, std::size_t max_items);
inline bool has_member(const nlohmann::json& object, std::string_view key) {
  return object.is_object() && object.contains(key);
}
std::string member_path(std::string_view where, std::string_view key);
std::string index_path(std::string_view where, std::size_t index);

// Helper for readers of JSON objects: Code::malformed naming the first member of
// `object` not in `allowed`, or if `object` is not an object. `where` is a path
// like "spec.images[2]".
Status check_members(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                     std::string_view where);

}  // namespace fwseal
