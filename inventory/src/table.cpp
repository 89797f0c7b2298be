#include "table.h"

#include <algorithm>

#include "fwseal/base/text.h"

namespace fwseal::inventory {
namespace {

std::string printable(const std::string& s) {
  std::string out = s;
  if (!valid_utf8(out))
    for (char& c : out)
      if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

// Display width in characters (UTF-8 continuation bytes take no column).
std::size_t width_of(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string text_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::vector<std::string>> shown;
  shown.reserve(rows.size());
  std::vector<std::size_t> width;
  for (const auto& r : rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line.push_back(printable(r[i]));
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], width_of(line.back()));
    }
    shown.push_back(std::move(line));
  }
  std::string out;
  for (const auto& r : shown) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - width_of(r[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + csv_field(fields[i]);
  return out + "\n";
}

}  // namespace fwseal::inventory
