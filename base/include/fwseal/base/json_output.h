// The one convention of every --json document fwseal and fwseal-verify print
// (docs/JSON.md): one object on stdout, keys sorted, two-space indent, a final
// newline; "format" names the document ("fwseal-verify", "fwseal-sbom-diff")
// and "format_version" its version; "code" and "exit_code" say how the
// command ended, with "message" when it failed. Times are RFC 3339 text,
// digests lowercase hex, sizes integers, security versions decimal text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal {

inline constexpr int kJsonFormatVersion = 1;

// {"format": "fwseal-NAME", "format_version": 1, "code": "ok", "exit_code": 0}
nlohmann::json json_document(std::string_view name);

// The document of a run that failed: json_document(name) with the error's
// "code", "exit_code" and "message".
nlohmann::json json_failure(std::string_view name, const Error& e);

// The text of a document: keys sorted, two-space indent, final newline; bytes
// that are not UTF-8 (quoted from hostile input) become U+FFFD.
std::string dump_json_document(const nlohmann::json& doc);

}  // namespace fwseal
