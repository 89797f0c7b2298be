#include "deb822.h"

#include "text.h"

namespace fwseal::sbom {

const std::string* Paragraph::find(std::string_view name) const {
  for (const auto& [key, value] : fields)
    if (iequals(key, name)) return &value;
  return nullptr;
}

Result<std::vector<Paragraph>> parse_deb822(std::string_view text, std::string_view what,
                                            std::size_t max_paragraphs) {
  constexpr std::size_t kMaxFields = 512;
  std::vector<Paragraph> out;
  Paragraph current;
  std::size_t line_no = 0;
  auto where = [&] { return std::string(what) + ":" + std::to_string(line_no); };
  auto flush = [&]() -> Status {
    if (current.fields.empty()) return ok_status();
    if (out.size() >= max_paragraphs)
      return make_error(Code::malformed, where() + ": more than " + std::to_string(max_paragraphs) + " paragraphs");
    out.push_back(std::move(current));
    current = Paragraph{};
    return ok_status();
  };
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (trim(line).empty()) {
      FWSEAL_TRY(flush());
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (current.fields.empty())
        return make_error(Code::malformed, where() + ": continuation line outside a field");
      std::string_view cont = trim(line);
      auto& value = current.fields.back().second;
      value += '\n';
      if (cont != ".") value += cont;
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return make_error(Code::malformed, where() + ": expected \"Field: value\", got " + shown(line));
    std::string_view name = line.substr(0, colon);
    for (char c : name) {
      auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f)
        return make_error(Code::malformed, where() + ": invalid field name " + shown(name));
    }
    if (current.fields.size() >= kMaxFields)
      return make_error(Code::malformed, where() + ": more than " + std::to_string(kMaxFields) + " fields in a paragraph");
    if (current.fields.empty()) current.line = line_no;
    current.fields.emplace_back(std::string(name), std::string(trim(line.substr(colon + 1))));
  }
  FWSEAL_TRY(flush());
  return out;
}

}  // namespace fwseal::sbom
