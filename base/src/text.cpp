#include "fwseal/base/text.h"

#include <cstdint>
#include <cstdio>

namespace fwseal {

namespace {

struct Decoded {
  std::size_t length;  // 0: not a well-formed sequence
  std::uint32_t code_point;
};

// The UTF-8 sequence at s[i].
Decoded decode(std::string_view s, std::size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return {0, 0};
  std::uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1fu) : n == 3 ? (c & 0x0fu) : (c & 0x07u);
  for (std::size_t k = 1; k < n; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) return {0, 0};
    cp = (cp << 6) | (cc & 0x3fu);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return {0, 0};
  return {n, cp};
}

bool invisible_or_control(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

void hex_byte(std::string& out, unsigned char u) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out.push_back(kHex[u >> 4]);
  out.push_back(kHex[u & 0xf]);
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    if (d.length == 0) return false;
    i += d.length;
  }
  return true;
}

std::string quote(std::string_view untrusted, std::size_t max_bytes) {
  std::string out = "\"";
  std::size_t i = 0;
  while (i < untrusted.size() && i < max_bytes) {
    auto u = static_cast<unsigned char>(untrusted[i]);
    Decoded d = decode(untrusted, i);
    if (d.length == 0) {
      hex_byte(out, u);
      ++i;
      continue;
    }
    if (d.length == 1) {
      if (u < 0x20 || u == 0x7f || u == '"' || u == '\\') hex_byte(out, u);
      else out.push_back(static_cast<char>(u));
    } else if (invisible_or_control(d.code_point)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u{%04x}", static_cast<unsigned>(d.code_point));
      out += buf;
    } else {
      out.append(untrusted.substr(i, d.length));
    }
    i += d.length;
  }
  out += "\"";
  if (i < untrusted.size()) out += "...";
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace fwseal
