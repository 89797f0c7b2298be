// Small string helpers shared by the parsers: every value they return is safe
// to put in a JSON string or an error line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/text.h"  // quote() for messages, valid_utf8()

namespace fwseal::sbom {

std::string_view trim(std::string_view s);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool starts_with_icase(std::string_view s, std::string_view prefix);

// Invalid UTF-8 sequences become U+FFFD, so hostile bytes never make the JSON
// writer throw and the same bytes always give the same text.
std::string sanitize_utf8(std::string_view s);
// True if `s` is valid UTF-8 with no control characters (C0, DEL).
bool is_clean_text(std::string_view s);

// Text from an SBOM anyone could have written, for a terminal: invalid UTF-8
// as U+FFFD and control characters as '?'.
std::string printable(const std::string& s);

// For error messages: base's quote(), cut after 80 bytes.
inline std::string shown(std::string_view s) { return quote(s, 80); }

// Shell-style match of a whole string: '*' any run, '?' one byte, others literal.
bool glob_match(std::string_view pattern, std::string_view text);

// Splits at '\n', dropping one trailing '\r' per line (files written on Windows).
std::vector<std::string_view> split_lines(std::string_view text);

// "/" + path with "./" and leading "/" dropped, so paths from directories and
// archives compare equal ("./usr/bin/x", "usr/bin/x" -> "/usr/bin/x").
std::string normalize_image_path(std::string_view path);

}  // namespace fwseal::sbom
