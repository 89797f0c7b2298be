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

struct CsvRow {
  std::size_t line = 0;  // where the row starts
  std::vector<std::string> fields;
};

// RFC 4180 records: fields separated by ',', optionally in double quotes with
// "" for a quote; a quoted field may span lines.
Result<std::vector<CsvRow>> parse_csv(std::string_view text, std::string_view what) {
  std::vector<CsvRow> rows;
  std::vector<std::string> row;
  std::size_t row_line = 1;
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
      if (!(row.size() == 1 && row[0].empty())) rows.push_back({row_line, std::move(row)});
      row.clear();
      row_line = ++line;
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
    rows.push_back({row_line, std::move(row)});
  }
  return rows;
}

// One row: its entry, or nothing (and a warning) when a field is over the limit.
Status read_row(const CsvRow& row, std::size_t number, std::string_view what, const std::array<int, kColumns.size()>& index,
                Declared& out) {
  auto cell = [&](std::size_t k) -> std::string_view {
    return index[k] < 0 ? std::string_view() : trim(row.fields[static_cast<std::size_t>(index[k])]);
  };
  std::string where = std::string(what) + ":" + std::to_string(row.line) + " (row " + std::to_string(number) + ")";
  constexpr std::array<std::size_t, 4> kSkipIfLong = {0, 1, 4, 5};  // PACKAGE, VERSION, SOURCE ARCHIVE, SOURCE SITE
  for (std::size_t k : kSkipIfLong) {
    if (cell(k).size() <= kMaxDeclaredFieldBytes) continue;
    out.warnings.push_back(oversized_field(where + ": " + std::string(kColumns[k]), cell(k).size(), "the row is skipped"));
    return ok_status();
  }
  Finding f;
  f.source = Source::buildroot;
  f.name = std::string(cell(0));
  FWSEAL_TRY(check_declared_text(f.name, where + " PACKAGE", kMaxDeclaredFieldBytes));
  f.version = std::string(cell(1));
  if (!f.version.empty()) FWSEAL_TRY(check_declared_text(f.version, where + " VERSION", kMaxDeclaredFieldBytes));
  f.upstream_version = f.version;
  std::string_view licence = cell(2);
  if (licence.size() > kMaxDeclaredFieldBytes) {
    out.warnings.push_back(oversized_field(where + ": LICENSE", licence.size(),
                                           "package " + shown(f.name) + " is kept without a licence"));
    f.properties["fwseal:licence-not-read"] = "LICENSE over the limit of " + std::to_string(kMaxDeclaredFieldBytes) + " bytes";
  } else if (!licence.empty() && !iequals(licence, "unknown")) {
    FWSEAL_TRY(check_declared_text(licence, where + " LICENSE", kMaxDeclaredFieldBytes));
    std::string spdx = map_licence_term(licence, LicenceDialect::buildroot);
    if (!spdx.empty()) f.licence = combine_licences({spdx});
    else f.licence.name = std::string(licence);
  }
  std::string_view site = cell(5), archive = cell(4);
  if (!site.empty() && !archive.empty()) {
    std::string url = std::string(site);
    if (!url.ends_with("/")) url += "/";
    url += std::string(archive);
    if (is_url(url)) f.source_url = url;
  }
  f.method = {"manifest-analysis", 0.9, "Buildroot legal-info manifest " + std::string(what) + " row " + std::to_string(number)};
  out.findings.push_back(std::move(f));
  return ok_status();
}

}  // namespace

Result<Declared> parse_buildroot_manifest(std::string_view text, std::string_view what) {
  if (text.size() > kMaxComponentsFileBytes)
    return make_error(Code::malformed, std::string(what) + ": larger than " + std::to_string(kMaxComponentsFileBytes) + " bytes");
  FWSEAL_ASSIGN(auto rows, parse_csv(text, what));
  if (rows.empty()) return make_error(Code::malformed, std::string(what) + ": no header row");
  const auto& header = rows[0].fields;
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
  Declared out;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].fields.size() != header.size())
      return make_error(Code::malformed, std::string(what) + ": row " + std::to_string(r + 1) + ": " +
                                             std::to_string(rows[r].fields.size()) + " fields, the header has " +
                                             std::to_string(header.size()));
    FWSEAL_TRY(read_row(rows[r], r + 1, what, index, out));
  }
  return out;
}

}  // namespace fwseal::sbom
