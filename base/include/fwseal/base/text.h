// Untrusted text in messages and UTF-8 checks. Every name, path or value that
// came from an input and goes into a one-line message passes through quote().
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fwseal {

// True if `s` is well-formed UTF-8 (no overlongs, surrogates or code points
// past U+10FFFF).
bool valid_utf8(std::string_view s);

// `untrusted` in double quotes, safe for a terminal and a log line: C0
// controls, DEL, '"' and '\' as \xNN; C1 controls (U+0080..U+009F) and the
// invisible direction and line-separator marks (U+200E, U+200F, U+2028..U+202E,
// U+2066..U+2069) as \u{NNNN}; bytes that are not UTF-8 as \xNN. Printable
// UTF-8 is kept. Longer than `max_bytes`: cut there, at a character, with
// "..." after the closing quote's content.
std::string quote(std::string_view untrusted, std::size_t max_bytes = 200);

// `s` with ASCII letters in lower case (names, ids and schemes compared
// without regard to case; other bytes are kept).
std::string ascii_lower(std::string_view s);

// Text for an HTML page's content or a quoted attribute: &, <, >, " and '
// escaped. (The project's HTML pages are self-contained and script-free.)
std::string html_escape(std::string_view text);

}  // namespace fwseal
