// Machine-readable debian/copyright files (copyright-format 1.0, "DEP-5").
#include <algorithm>

#include "deb822.h"
#include "licence.h"
#include "package_db.h"
#include "text.h"

namespace fwseal::sbom {

CopyrightLicences parse_copyright(std::string_view text) {
  CopyrightLicences out;
  auto paragraphs = parse_deb822(text, "copyright", 10000);
  if (!paragraphs.ok() || paragraphs->empty()) return out;
  const std::string* format = paragraphs->front().find("Format");
  if (format == nullptr || format->find("copyright-format") == std::string::npos) return out;
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
    std::string spdx = map_licence_term(first, LicenceDialect::dep5);
    if (spdx.empty()) out.unmapped.push_back(sanitize_utf8(first.substr(0, 256)));
    else out.spdx.push_back(spdx);
  }
  for (auto* v : {&out.spdx, &out.unmapped}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  return out;
}

}  // namespace fwseal::sbom
