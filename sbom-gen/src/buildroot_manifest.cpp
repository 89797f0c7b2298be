// Buildroot's legal-info/manifest.csv ("make legal-info"): one row per target
// package. Accepted columns are listed in README.md; others are refused so a
// new Buildroot column is noticed rather than silently dropped.
#include <algorithm>
#include <array>

#include "cdx_rules.h"
#include "declared.h"
#include "licence.h"
#include "sbom_limits.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::array<std::string_view, 7> kColumns = {
    "PACKAGE", "VERSION", "LICENSE", "LICENSE FILES", "SOURCE ARCHIVE", "SOURCE SITE", "DEPENDENCIES WITH LICENSES"};

// RFC 4180 records: fields separated by ',', optionally in double quotes with
// "" for a quote; a quoted field may span lines.
Result<std::vector<std::vector<std::string>>> parse_csv(std::string_view text, std::string_view what) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted_field = false, in_quotes = false, field_started = false;
  std::size_t line = 1;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    quoted_field = in_quotes = field_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (field_started)
        return make_error(Code::malformed, std::string(what) + ":" + std::to_string(line) + ": stray '\"' inside a field");
      in_quotes = quoted_field = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_field();
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      ++line;
      if (rows.size() > kMaxDeclaredComponents + 1)
        return make_error(Code::malformed, std::string(what) + ": more than " + std::to_string(kMaxDeclaredComponents) + " rows");
    } else {
      if (quoted_field)
        return make_error(Code::malformed, std::string(what) + ":" + std::to_string(line) + ": text after a closing '\"'");
      field.push_back(c);
      field_started = true;
    }
  }
  if (in_quotes) return make_error(Code::malformed, std::string(what) + ": unterminated quoted field");
  if (field_started || !row.empty()) {
    end_field();
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

Result<std::vector<Finding>> parse_buildroot_manifest(std::string_view text, std::string_view what) {
  if (text.size() > kMaxComponentsFileBytes)
    return make_error(Code::malformed, std::string(what) + ": larger than " + std::to_string(kMaxComponentsFileBytes) + " bytes");
  FWSEAL_ASSIGN(auto rows, parse_csv(text, what));
  if (rows.empty()) return make_error(Code::malformed, std::string(what) + ": no header row");
  const auto& header = rows[0];
  std::array<int, kColumns.size()> index;
  index.fill(-1);
  for (std::size_t c = 0; c < header.size(); ++c) {
    auto known = std::find(kColumns.begin(), kColumns.end(), header[c]);
    if (known == kColumns.end())
      return make_error(Code::malformed, std::string(what) + ": header: unknown column " + shown(header[c]) +
                                             " (accepted: PACKAGE, VERSION, LICENSE, LICENSE FILES, SOURCE ARCHIVE, "
                                             "SOURCE SITE, DEPENDENCIES WITH LICENSES)");
    auto k = static_cast<std::size_t>(known - kColumns.begin());
    if (index[k] >= 0) return make_error(Code::malformed, std::string(what) + ": header: column " + shown(header[c]) + " twice");
    index[k] = static_cast<int>(c);
  }
  if (index[0] < 0 || index[1] < 0)
    return make_error(Code::malformed, std::string(what) + ": header: needs the PACKAGE and VERSION columns");
  auto cell = [&](const std::vector<std::string>& row, std::size_t k) -> std::string_view {
    return index[k] < 0 ? std::string_view() : std::string_view(row[static_cast<std::size_t>(index[k])]);
  };
  std::vector<Finding> out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::string where = std::string(what) + ": row " + std::to_string(r + 1);
    if (row.size() != header.size())
      return make_error(Code::malformed, where + ": " + std::to_string(row.size()) + " fields, the header has " +
                                             std::to_string(header.size()));
    Finding f;
    f.source = Source::buildroot;
    f.name = std::string(trim(cell(row, 0)));
    FWSEAL_TRY(check_declared_text(f.name, where + " PACKAGE", 256));
    f.version = std::string(trim(cell(row, 1)));
    if (!f.version.empty()) FWSEAL_TRY(check_declared_text(f.version, where + " VERSION", 256));
    f.upstream_version = f.version;
    std::string_view licence = trim(cell(row, 2));
    if (licence.size() > kMaxLicenceTermBytes) {
      f.properties["fwseal:licence-not-read"] = "LICENSE of " + std::to_string(licence.size()) +
                                                " bytes, over the limit of " + std::to_string(kMaxLicenceTermBytes);
    } else if (!licence.empty() && !iequals(licence, "unknown")) {
      FWSEAL_TRY(check_declared_text(licence, where + " LICENSE", kMaxLicenceTermBytes));
      std::string spdx = map_licence_term(licence, LicenceDialect::buildroot);
      if (!spdx.empty()) f.licence = combine_licences({spdx});
      else f.licence.name = std::string(licence);
    }
    std::string_view site = trim(cell(row, 5)), archive = trim(cell(row, 4));
    if (!site.empty() && !archive.empty()) {
      std::string url = std::string(site);
      if (!url.ends_with("/")) url += "/";
      url += std::string(archive);
      if (is_url(url)) f.source_url = url;
    }
    f.method = {"manifest-analysis", 0.9, "Buildroot legal-info manifest " + std::string(what) + " row " + std::to_string(r + 1)};
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace fwseal::sbom
