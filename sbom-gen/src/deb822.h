// The RFC 822-like "control" syntax of dpkg and opkg status files and of
// machine-readable Debian copyright files (deb822(5)).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal::sbom {

struct Paragraph {
  std::size_t line = 0;  // 1-based line of its first field, for messages
  std::vector<std::pair<std::string, std::string>> fields;  // name as written, value
  // The value of the first field named `name` (case-insensitive), or nullptr.
  const std::string* find(std::string_view name) const;
};

// Paragraphs separated by blank lines; a field's continuation lines (leading
// space or tab) are joined to its value with '\n', a lone " ." being an empty
// line. Code::malformed naming `what` and the line for a line that is neither
// a field nor a continuation, or for more than `max_paragraphs` paragraphs.
Result<std::vector<Paragraph>> parse_deb822(std::string_view text, std::string_view what,
                                            std::size_t max_paragraphs);

}  // namespace fwseal::sbom
