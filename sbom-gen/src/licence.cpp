#include "licence.h"

#include <algorithm>
#include <array>
#include <set>

#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::string_view kSpdxIds[] = {
#include "spdx_ids.inc"
};

// Deprecated SPDX ids that have an exact modern spelling.
constexpr std::pair<std::string_view, std::string_view> kModern[] = {
    {"AGPL-1.0", "AGPL-1.0-only"},   {"AGPL-3.0", "AGPL-3.0-only"},       {"GFDL-1.1", "GFDL-1.1-only"},
    {"GFDL-1.2", "GFDL-1.2-only"},   {"GFDL-1.3", "GFDL-1.3-only"},       {"GPL-1.0", "GPL-1.0-only"},
    {"GPL-1.0+", "GPL-1.0-or-later"}, {"GPL-2.0", "GPL-2.0-only"},        {"GPL-2.0+", "GPL-2.0-or-later"},
    {"GPL-3.0", "GPL-3.0-only"},     {"GPL-3.0+", "GPL-3.0-or-later"},    {"LGPL-2.0", "LGPL-2.0-only"},
    {"LGPL-2.0+", "LGPL-2.0-or-later"}, {"LGPL-2.1", "LGPL-2.1-only"},    {"LGPL-2.1+", "LGPL-2.1-or-later"},
    {"LGPL-3.0", "LGPL-3.0-only"},   {"LGPL-3.0+", "LGPL-3.0-or-later"},
};

// Debian names (copyright-format 1.0, "Short name") that are not SPDX
// spellings but mean exactly one SPDX licence.
constexpr std::pair<std::string_view, std::string_view> kDep5Names[] = {
    {"Expat", "MIT"}, {"Apache-2", "Apache-2.0"}, {"MPL-2", "MPL-2.0"}, {"Python-2", "Python-2.0"},
};

bool id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

bool is_ref_id(std::string_view s) {
  auto ok_tail = [](std::string_view t) {
    return !t.empty() && std::all_of(t.begin(), t.end(), id_char);
  };
  if (s.starts_with("LicenseRef-")) return ok_tail(s.substr(11));
  if (s.starts_with("DocumentRef-")) {
    auto colon = s.find(':');
    return colon != std::string_view::npos && ok_tail(s.substr(12, colon - 12)) &&
           s.substr(colon + 1).starts_with("LicenseRef-") && ok_tail(s.substr(colon + 12));
  }
  return false;
}

std::string modern(std::string_view id) {
  for (const auto& [old_id, new_id] : kModern)
    if (id == old_id) return std::string(new_id);
  return std::string(id);
}

// "GPL-2", "LGPL-2.1+", "AGPL-3" (Debian) or "GPLv2", "LGPLv2.1+" (Yocto) ->
// the SPDX -only / -or-later id.
std::string gnu_family(std::string_view name, std::string_view separator) {
  for (std::string_view family : {"AGPL", "LGPL", "GFDL", "GPL"}) {
    std::string prefix = std::string(family) + std::string(separator);
    if (!name.starts_with(prefix)) continue;
    std::string_view rest = name.substr(prefix.size());
    bool later = rest.ends_with("+");
    if (later) rest.remove_suffix(1);
    if (rest.empty() || rest.size() > 3 || !std::all_of(rest.begin(), rest.end(), [](char c) {
          return (c >= '0' && c <= '9') || c == '.';
        }))
      return {};
    std::string version(rest);
    if (version.find('.') == std::string::npos) version += ".0";
    std::string id = std::string(family) + "-" + version + (later ? "-or-later" : "-only");
    return std::string(canonical_spdx_id(id));
  }
  return {};
}

std::string map_name(std::string_view name, LicenceDialect dialect) {
  if (name.empty()) return {};
  if (dialect == LicenceDialect::dep5) {
    for (const auto& [deb, spdx] : kDep5Names)
      if (iequals(name, deb)) return std::string(spdx);
    if (auto id = gnu_family(name, "-"); !id.empty()) return id;
  }
  if (dialect == LicenceDialect::yocto) {
    if (auto id = gnu_family(name, "v"); !id.empty()) return id;
  }
  // Debian's "Artistic" is not tied to one version, and neither is "BSD".
  if (auto id = canonical_spdx_id(name); !id.empty()) return modern(id);
  if (name.ends_with("+")) {
    auto base = canonical_spdx_id(name.substr(0, name.size() - 1));
    if (!base.empty()) {
      std::string later = modern(std::string(base) + "+");
      if (later != std::string(base) + "+") return later;
      return std::string(base) + "+";
    }
  }
  return {};
}

// Tokens of an expression: words, "(" and ")".
std::vector<std::string_view> tokens_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back(text.substr(i, 1));
      ++i;
    } else {
      std::size_t j = i;
      while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '(' && text[j] != ')') ++j;
      out.push_back(text.substr(i, j - i));
      i = j;
    }
  }
  return out;
}

class StrictParser {
 public:
  StrictParser(std::vector<std::string_view> tokens, std::string_view where)
      : tokens_(std::move(tokens)), where_(where) {}

  Result<std::string> parse() {
    FWSEAL_ASSIGN(std::string out, expr(0));
    if (pos_ != tokens_.size()) return fail("unexpected " + shown(tokens_[pos_]));
    return out;
  }
  std::size_t ids() const { return ids_; }

 private:
  Error fail(const std::string& why) const {
    return make_error(Code::malformed, std::string(where_) + ": invalid SPDX licence expression: " + why);
  }
  bool at(std::string_view word) const { return pos_ < tokens_.size() && tokens_[pos_] == word; }

  Result<std::string> expr(int depth) {
    if (depth > 16) return fail("nested deeper than 16 levels");
    FWSEAL_ASSIGN(std::string out, and_expr(depth));
    while (at("OR")) {
      ++pos_;
      FWSEAL_ASSIGN(std::string rhs, and_expr(depth));
      out += " OR " + rhs;
    }
    return out;
  }
  Result<std::string> and_expr(int depth) {
    FWSEAL_ASSIGN(std::string out, with_expr(depth));
    while (at("AND")) {
      ++pos_;
      FWSEAL_ASSIGN(std::string rhs, with_expr(depth));
      out += " AND " + rhs;
    }
    return out;
  }
  Result<std::string> with_expr(int depth) {
    FWSEAL_ASSIGN(std::string out, simple(depth));
    if (at("WITH")) {
      ++pos_;
      if (pos_ >= tokens_.size()) return fail("WITH without an exception");
      std::string_view exc = tokens_[pos_++];
      auto id = canonical_spdx_id(exc);
      if (id.empty() && !is_ref_id(exc)) return fail("unknown exception " + shown(exc));
      out += " WITH " + std::string(id.empty() ? exc : id);
    }
    return out;
  }
  Result<std::string> simple(int depth) {
    if (pos_ >= tokens_.size()) return fail("ends where a licence was expected");
    std::string_view t = tokens_[pos_++];
    if (t == "(") {
      FWSEAL_ASSIGN(std::string inner, expr(depth + 1));
      if (!at(")")) return fail("missing )");
      ++pos_;
      ++ids_;  // a parenthesised term is never a single id
      return "(" + inner + ")";
    }
    if (t == ")" || t == "AND" || t == "OR" || t == "WITH") return fail("unexpected " + shown(t));
    ++ids_;
    if (is_ref_id(t)) return std::string(t);
    if (auto id = canonical_spdx_id(t); !id.empty()) return std::string(id);
    if (t.ends_with("+")) {
      if (auto id = canonical_spdx_id(t.substr(0, t.size() - 1)); !id.empty()) return std::string(id) + "+";
    }
    return fail("unknown licence id " + shown(t));
  }

  std::vector<std::string_view> tokens_;
  std::string_view where_;
  std::size_t pos_ = 0;
  std::size_t ids_ = 0;
};

bool needs_parentheses(const std::string& term) {
  if (term.find(" OR ") == std::string::npos) return false;
  // "(A OR B)" already is one term; "(A) OR (B)" is not.
  if (term.front() != '(' || term.back() != ')') return true;
  int depth = 0;
  for (std::size_t i = 0; i < term.size(); ++i) {
    if (term[i] == '(') ++depth;
    if (term[i] == ')' && --depth == 0 && i + 1 != term.size()) return true;
  }
  return false;
}

}  // namespace

std::span<const std::string_view> spdx_ids() { return kSpdxIds; }

std::string_view canonical_spdx_id(std::string_view id) {
  if (std::binary_search(std::begin(kSpdxIds), std::end(kSpdxIds), id)) return id;
  for (std::string_view known : kSpdxIds)
    if (iequals(known, id)) return known;
  return {};
}

Result<Licence> parse_spdx_expression(std::string_view text, std::string_view where) {
  if (text.size() > 1024) return make_error(Code::malformed, std::string(where) + ": licence expression longer than 1024 bytes");
  if (!is_clean_text(text)) return make_error(Code::malformed, std::string(where) + ": licence expression holds control characters or invalid UTF-8");
  auto tokens = tokens_of(text);
  if (tokens.empty()) return make_error(Code::malformed, std::string(where) + ": empty licence expression");
  StrictParser parser(std::move(tokens), where);
  FWSEAL_ASSIGN(std::string normal, parser.parse());
  Licence out;
  // Only ids on the SPDX list may stand alone (CycloneDX license.id); a
  // LicenseRef- is written as an expression.
  bool single = parser.ids() == 1 && std::binary_search(std::begin(kSpdxIds), std::end(kSpdxIds), normal);
  if (single) out.ids.push_back(normal);
  else out.expression = normal;
  return out;
}

std::string map_licence_term(std::string_view term, LicenceDialect dialect) {
  term = trim(term);
  if (term.empty() || term.size() > 1024) return {};
  std::string out;
  if (dialect == LicenceDialect::buildroot) {
    // "GPL-2.0+ (programs), LGPL-2.1+ (libraries)": the notes in parentheses
    // say which files each applies to; all apply to the package.
    std::vector<std::string> parts;
    std::string cleaned;
    int depth = 0;
    for (char c : term) {
      if (c == '(') ++depth;
      else if (c == ')') depth = depth > 0 ? depth - 1 : 0;
      else if (depth == 0) cleaned.push_back(c);
    }
    std::string_view rest = cleaned;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view name = trim(rest.substr(0, comma));
      if (!name.empty()) {
        std::string id = map_name(name, dialect);
        if (id.empty()) return {};
        parts.push_back(id);
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (parts.empty()) return {};
    std::sort(parts.begin(), parts.end());
    parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " AND " : "") + parts[i];
    return out;
  }
  // DEP-5 ("A or B", "A and B", "A, and B") and Yocto ("A & B", "A | (B & C)").
  std::string spaced;
  for (char c : term) {
    if (c == '(' || c == ')' || c == '&' || c == '|') {
      spaced += ' ';
      spaced += c;
      spaced += ' ';
    } else if (c == ',') {
      spaced += ' ';
    } else {
      spaced += c;
    }
  }
  bool expect_operand = true;
  int depth = 0;
  for (std::string_view t : tokens_of(spaced)) {
    std::string op;
    if (dialect == LicenceDialect::dep5 && (iequals(t, "or") || iequals(t, "and"))) op = iequals(t, "or") ? "OR" : "AND";
    if (dialect == LicenceDialect::yocto && (t == "&" || t == "|")) op = t == "|" ? "OR" : "AND";
    if (!op.empty()) {
      if (expect_operand) return {};
      out += " " + op + " ";
      expect_operand = true;
    } else if (t == "(") {
      if (!expect_operand) return {};
      out += "(";
      ++depth;
    } else if (t == ")") {
      if (expect_operand || depth == 0) return {};
      out += ")";
      --depth;
    } else {
      // "with <X> exception" has no reliable SPDX exception id.
      if (!expect_operand || iequals(t, "with")) return {};
      std::string id = map_name(t, dialect);
      if (id.empty()) return {};
      out += id;
      expect_operand = false;
    }
  }
  if (expect_operand || depth != 0) return {};
  return out;
}

Licence combine_licences(const std::vector<std::string>& terms) {
  // Flatten top-level ANDs so "MIT" and "MIT AND BSD-3-Clause" give MIT once.
  std::set<std::string> factors;
  for (const auto& term : terms) {
    std::string_view rest = term;
    int depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '(') ++depth;
      else if (rest[i] == ')') --depth;
      else if (depth == 0 && rest.substr(i).starts_with(" AND ")) {
        factors.insert(std::string(trim(rest.substr(start, i - start))));
        start = i + 5;
        i += 4;
      }
    }
    factors.insert(std::string(trim(rest.substr(start))));
  }
  factors.erase("");
  Licence out;
  if (factors.size() == 1 && factors.begin()->find(' ') == std::string::npos && !factors.begin()->ends_with("+")) {
    out.ids.push_back(*factors.begin());
    return out;
  }
  // Several licences are one SPDX expression: a licence list of several
  // entries says less (which applies how), and some validators trip on it.
  for (const auto& f : factors) {
    if (!out.expression.empty()) out.expression += " AND ";
    out.expression += needs_parentheses(f) ? "(" + f + ")" : f;
  }
  return out;
}

std::string licence_text(const Licence& licence) {
  if (!licence.expression.empty()) return licence.expression;
  if (!licence.name.empty()) return licence.name;
  std::string out;
  for (const auto& id : licence.ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

}  // namespace fwseal::sbom
