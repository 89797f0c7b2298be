// Reading members of untrusted JSON without exceptions: a member of another
// type reads as absent.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace fwseal::inventory {

// The member `key` of `j`, nullptr when `j` is not an object or has none.
inline const nlohmann::json* member(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// The string member `key`, "" when absent or not a string.
inline std::string string_or(const nlohmann::json& j, const char* key) {
  const nlohmann::json* m = member(j, key);
  return m && m->is_string() ? m->get<std::string>() : "";
}

}  // namespace fwseal::inventory
