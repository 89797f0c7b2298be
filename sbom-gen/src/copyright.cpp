// Debian copyright files: machine-readable ones (copyright-format 1.0,
// "DEP-5") and free-text ones that name /usr/share/common-licenses files.
#include <algorithm>

#include "deb822.h"
#include "licence.h"
#include "package_db.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::string_view kCommonLicences = "/usr/share/common-licenses/";

// Lowercase with every run of whitespace as one space, for phrase search.
std::string folded(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  return out;
}

// Free text: each /usr/share/common-licenses/NAME the file names is a licence
// the package is under. Whether a GNU licence is "or later" is read from the
// text ("any later version", "GPL-2 or later"); a file that says so for one
// licence says it for all (Debian's free-text files state the grant once).
void parse_free_text(std::string_view text, CopyrightLicences& out) {
  std::string words = folded(text);
  bool or_later = words.find("any later version") != std::string::npos || words.find(" or later") != std::string::npos;
  for (std::size_t at = text.find(kCommonLicences); at != std::string_view::npos;
       at = text.find(kCommonLicences, at + 1)) {
    std::size_t start = at + kCommonLicences.size(), end = start;
    while (end < text.size() && end - start < 64) {
      char c = text[end];
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
            c == '_'))
        break;
      ++end;
    }
    std::string_view name = text.substr(start, end - start);
    while (name.ends_with(".")) name.remove_suffix(1);  // end of a sentence
    if (name.empty()) continue;
    out.common_licences.emplace_back(name);
    std::string id = common_licence_id(name, or_later);
    if (id.empty()) {
      // The file names a licence text that is not one SPDX licence (GPL, BSD,
      // Artistic): named, never dropped.
      id = licence_ref(name);
      out.unmapped.emplace_back(name);
    }
    out.spdx.push_back(id);
  }
}

}  // namespace

CopyrightLicences parse_copyright(std::string_view text) {
  CopyrightLicences out;
  auto paragraphs = parse_deb822(text, "copyright", 10000);
  const std::string* format = paragraphs.ok() && !paragraphs->empty() ? paragraphs->front().find("Format") : nullptr;
  if (format == nullptr || format->find("copyright-format") == std::string::npos) {
    parse_free_text(text, out);
  } else {
    out.machine_readable = true;
    for (std::size_t i = 0; i < paragraphs->size(); ++i) {
      const Paragraph& p = (*paragraphs)[i];
      // The header's License is the package's overall one; Files paragraphs
      // give the rest. Stand-alone License paragraphs only hold licence texts.
      if (i != 0 && p.find("Files") == nullptr) continue;
      const std::string* licence = p.find("License");
      if (licence == nullptr) continue;
      std::string_view first = trim(std::string_view(*licence).substr(0, licence->find('\n')));
      if (first.empty()) continue;
      ++out.paragraphs;
      // Every paragraph's licence is kept whole: a name with no SPDX id
      // becomes a LicenseRef, so the package's expression is never a part of
      // what the file says presented as the whole.
      std::vector<std::string> unmapped;
      std::string spdx = map_dep5_term_complete(sanitize_utf8(first), unmapped);
      if (!spdx.empty()) out.spdx.push_back(spdx);
      for (auto& u : unmapped) out.unmapped.push_back(sanitize_utf8(std::string_view(u).substr(0, 256)));
    }
  }
  for (auto* v : {&out.spdx, &out.unmapped, &out.common_licences}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return out;
}

}  // namespace fwseal::sbom
