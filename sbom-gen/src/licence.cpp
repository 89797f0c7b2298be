#include "licence.h"

#include <algorithm>
#include <array>
#include <set>

#include "sbom_limits.h"
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

// Yocto's short names (its SPDXLICENSEMAP and common LICENSE spellings) that
// mean exactly one SPDX licence. The GNU family ("GPLv2", "GPL-2",
// "LGPLv2.1+") is handled by gnu_family.
constexpr std::pair<std::string_view, std::string_view> kYoctoNames[] = {
    {"AFL-1", "AFL-1.2"},          {"AFLv1", "AFL-1.2"},           {"AFL-2", "AFL-2.0"},
    {"AFLv2", "AFL-2.0"},          {"Apache-2", "Apache-2.0"},     {"Apachev2", "Apache-2.0"},
    {"Artistic-1", "Artistic-1.0"}, {"Artisticv1", "Artistic-1.0"}, {"EPLv1.0", "EPL-1.0"},
    {"FreeType", "FTL"},           {"MPL-1", "MPL-1.0"},           {"MPLv1", "MPL-1.0"},
    {"MPLv1.1", "MPL-1.1"},        {"MPL-2", "MPL-2.0"},           {"MPLv2", "MPL-2.0"},
    {"PSFv2", "PSF-2.0"},          {"Python-2", "Python-2.0"},
};

// Files of Debian's /usr/share/common-licenses that hold exactly one licence
// text. The GNU ones are versioned but say nothing about "or later"; the
// caller decides. Unversioned links (GPL, LGPL, GFDL) and Artistic/BSD are
// not listed: their meaning depends on the Debian release.
constexpr std::pair<std::string_view, std::string_view> kCommonLicences[] = {
    {"AGPL-3", "AGPL-3.0"},  {"Apache-2.0", "Apache-2.0"}, {"CC0-1.0", "CC0-1.0"}, {"GFDL-1.2", "GFDL-1.2"},
    {"GFDL-1.3", "GFDL-1.3"}, {"GPL-1", "GPL-1.0"},        {"GPL-2", "GPL-2.0"},   {"GPL-3", "GPL-3.0"},
    {"LGPL-2", "LGPL-2.0"},  {"LGPL-2.1", "LGPL-2.1"},    {"LGPL-3", "LGPL-3.0"}, {"MPL-1.1", "MPL-1.1"},
    {"MPL-2.0", "MPL-2.0"},
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

// Debian's and Yocto's short form of a versioned name, "NAME-N" for NAME-N.0
// ("MPL-1", "AFL-2", "EPL-2", "CC-BY-3"; "+" kept): the SPDX id NAME-N.0 when
// there is one, else "".
std::string short_version(std::string_view name) {
  bool later = name.ends_with("+");
  std::string_view base = later ? name.substr(0, name.size() - 1) : name;
  auto dash = base.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == base.size() || base.size() - dash > 3) return {};
  std::string_view number = base.substr(dash + 1);
  if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) return {};
  std::string_view id = canonical_spdx_id(std::string(base) + ".0");
  if (id.empty()) return {};
  return later ? modern(std::string(id) + "+") : modern(id);
}

std::string map_name(std::string_view name, LicenceDialect dialect) {
  if (name.empty()) return {};
  if (dialect == LicenceDialect::dep5) {
    for (const auto& [deb, spdx] : kDep5Names)
      if (iequals(name, deb)) return std::string(spdx);
    if (auto id = gnu_family(name, "-"); !id.empty()) return id;
    if (auto id = short_version(name); !id.empty()) return id;
  }
  if (dialect == LicenceDialect::yocto) {
    for (const auto& [short_name, spdx] : kYoctoNames)
      if (iequals(name, short_name)) return std::string(spdx);
    if (auto id = gnu_family(name, "v"); !id.empty()) return id;
    if (auto id = gnu_family(name, "-"); !id.empty()) return id;
    if (auto id = short_version(name); !id.empty()) return id;
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

// What a part of an expression parses to: its normalised text and its tree.
struct Parsed {
  std::string text;
  LicenceTerm term;
};

// Joins `rhs` into `lhs` under `kind`, one flat node for a run of the same
// operator ("A AND B AND C" is one node of three).
void join(LicenceTerm& lhs, LicenceTerm rhs, LicenceTerm::Kind kind) {
  if (lhs.kind != kind || lhs.operands.empty()) {
    LicenceTerm node;
    node.kind = kind;
    node.operands.push_back(std::move(lhs));
    lhs = std::move(node);
  }
  lhs.operands.push_back(std::move(rhs));
}

class StrictParser {
 public:
  StrictParser(std::vector<std::string_view> tokens, std::string_view where)
      : tokens_(std::move(tokens)), where_(where) {}

  Result<Parsed> parse() {
    FWSEAL_ASSIGN(Parsed out, expr(0));
    if (pos_ != tokens_.size()) return fail("unexpected " + shown(tokens_[pos_]));
    return out;
  }
  std::size_t ids() const { return ids_; }

 private:
  Error fail(const std::string& why) const {
    return make_error(Code::malformed, std::string(where_) + ": invalid SPDX licence expression: " + why);
  }
  bool at(std::string_view word) const { return pos_ < tokens_.size() && tokens_[pos_] == word; }

  Result<Parsed> expr(int depth) {
    if (depth > 16) return fail("nested deeper than 16 levels");
    FWSEAL_ASSIGN(Parsed out, and_expr(depth));
    while (at("OR")) {
      ++pos_;
      FWSEAL_ASSIGN(Parsed rhs, and_expr(depth));
      out.text += " OR " + rhs.text;
      join(out.term, std::move(rhs.term), LicenceTerm::Kind::any_of);
    }
    return out;
  }
  Result<Parsed> and_expr(int depth) {
    FWSEAL_ASSIGN(Parsed out, with_expr(depth));
    while (at("AND")) {
      ++pos_;
      FWSEAL_ASSIGN(Parsed rhs, with_expr(depth));
      out.text += " AND " + rhs.text;
      join(out.term, std::move(rhs.term), LicenceTerm::Kind::all_of);
    }
    return out;
  }
  Result<Parsed> with_expr(int depth) {
    FWSEAL_ASSIGN(Parsed out, simple(depth));
    if (at("WITH")) {
      ++pos_;
      if (pos_ >= tokens_.size()) return fail("WITH without an exception");
      std::string_view exc = tokens_[pos_++];
      auto id = canonical_spdx_id(exc);
      if (id.empty() && !is_ref_id(exc)) return fail("unknown exception " + shown(exc));
      out.text += " WITH " + std::string(id.empty() ? exc : id);
      out.term.exception = std::string(id.empty() ? exc : id);
    }
    return out;
  }
  Result<Parsed> simple(int depth) {
    if (pos_ >= tokens_.size()) return fail("ends where a licence was expected");
    std::string_view t = tokens_[pos_++];
    if (t == "(") {
      FWSEAL_ASSIGN(Parsed inner, expr(depth + 1));
      if (!at(")")) return fail("missing )");
      ++pos_;
      ++ids_;  // a parenthesised term is never a single id
      return Parsed{"(" + inner.text + ")", std::move(inner.term)};
    }
    if (t == ")" || t == "AND" || t == "OR" || t == "WITH") return fail("unexpected " + shown(t));
    ++ids_;
    std::string id;
    if (is_ref_id(t)) {
      id = std::string(t);
    } else if (auto known = canonical_spdx_id(t); !known.empty()) {
      id = std::string(known);
    } else if (t.ends_with("+")) {
      if (auto base = canonical_spdx_id(t.substr(0, t.size() - 1)); !base.empty()) id = std::string(base) + "+";
    }
    if (id.empty()) return fail("unknown licence id " + shown(t));
    Parsed out;
    out.text = id;
    out.term.id = modern(id);
    return out;
  }

  std::vector<std::string_view> tokens_;
  std::string_view where_;
  std::size_t pos_ = 0;
  std::size_t ids_ = 0;
};

// The limits every expression is held to, and its tokens.
Result<std::vector<std::string_view>> expression_tokens(std::string_view text, std::string_view where) {
  if (text.size() > kMaxLicenceTermBytes)
    return make_error(Code::malformed, std::string(where) + ": licence expression longer than " +
                                           std::to_string(kMaxLicenceTermBytes) + " bytes");
  if (!is_clean_text(text)) return make_error(Code::malformed, std::string(where) + ": licence expression holds control characters or invalid UTF-8");
  auto tokens = tokens_of(text);
  if (tokens.empty()) return make_error(Code::malformed, std::string(where) + ": empty licence expression");
  return tokens;
}

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
  // Always a view of the table, never of `id`: callers pass temporaries.
  if (auto it = std::lower_bound(std::begin(kSpdxIds), std::end(kSpdxIds), id);
      it != std::end(kSpdxIds) && *it == id)
    return *it;
  for (std::string_view known : kSpdxIds)
    if (iequals(known, id)) return known;
  return {};
}

Result<Licence> parse_spdx_expression(std::string_view text, std::string_view where) {
  FWSEAL_ASSIGN(auto tokens, expression_tokens(text, where));
  StrictParser parser(std::move(tokens), where);
  FWSEAL_ASSIGN(Parsed parsed, parser.parse());
  const std::string& normal = parsed.text;
  Licence out;
  // Only ids on the SPDX list may stand alone (CycloneDX license.id); a
  // LicenseRef- is written as an expression.
  bool single = parser.ids() == 1 && std::binary_search(std::begin(kSpdxIds), std::end(kSpdxIds), normal);
  if (single) out.ids.push_back(normal);
  else out.expression = normal;
  return out;
}

Result<LicenceTerm> parse_spdx_tree(std::string_view text, std::string_view where) {
  FWSEAL_ASSIGN(auto tokens, expression_tokens(text, where));
  StrictParser parser(std::move(tokens), where);
  FWSEAL_ASSIGN(Parsed parsed, parser.parse());
  return std::move(parsed.term);
}

namespace {

// Maps one name, or (with `refs`) names it LicenseRef-NAME; "" if neither.
std::string map_or_ref(std::string_view name, LicenceDialect dialect, std::vector<std::string>* refs) {
  std::string id = map_name(name, dialect);
  if (!id.empty() || refs == nullptr) return id;
  std::string ref = licence_ref(name);
  if (!ref.empty()) refs->push_back(std::string(name));
  return ref;
}

// "A with X exception": the SPDX WITH form when X is an SPDX exception id,
// else (with `refs`) one LicenseRef for the whole, as the exception changes
// what the licence allows.
std::string map_with(std::string_view base, std::string_view exception, LicenceDialect dialect,
                     std::vector<std::string>* refs) {
  std::string id = map_name(base, dialect);
  std::string_view exc = canonical_spdx_id(exception);
  if (!id.empty() && !exc.empty() && id.find('+') == std::string::npos)
    return id + " WITH " + std::string(exc);
  if (refs == nullptr) return {};
  std::string whole = std::string(base) + " with " + std::string(exception) + " exception";
  std::string ref = licence_ref(whole);
  if (!ref.empty()) refs->push_back(whole);
  return ref;
}

// Buildroot: a comma list of terms with notes in parentheses ("GPL-2.0+
// (programs), LGPL-2.1+ (libraries)"), each term maybe "A or B" / "A and B";
// every term applies to the package.
std::string map_buildroot(std::string_view term) {
  std::string cleaned;
  int depth = 0;
  for (char c : term) {
    if (c == '(') ++depth;
    else if (c == ')') depth = depth > 0 ? depth - 1 : 0;
    else if (depth == 0) cleaned.push_back(c);
  }
  std::vector<std::string> parts;
  std::string_view rest = cleaned;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view part = trim(rest.substr(0, comma));
    if (!part.empty()) {
      std::string expr;
      bool any_or = false, expect_operand = true;
      for (std::string_view t : tokens_of(part)) {
        if (iequals(t, "or") || iequals(t, "and")) {
          if (expect_operand) return {};
          any_or = any_or || iequals(t, "or");
          expr += iequals(t, "or") ? " OR " : " AND ";
          expect_operand = true;
          continue;
        }
        if (!expect_operand) return {};
        std::string id = map_name(t, LicenceDialect::buildroot);
        if (id.empty()) return {};
        expr += id;
        expect_operand = false;
      }
      if (expect_operand) return {};
      parts.push_back(any_or ? "(" + expr + ")" : expr);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (parts.empty()) return {};
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  if (parts.size() == 1 && parts[0].front() == '(') return parts[0].substr(1, parts[0].size() - 2);
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? " AND " : "") + parts[i];
  return out;
}

// DEP-5 ("A or B", "A and B", "A, and B", "A with X exception") and Yocto
// ("A & B", "A | (B & C)"). With `refs`, names that map to nothing become
// LicenseRef-NAME (and are appended to *refs); without, any such name makes
// the whole term "".
std::string map_expression(std::string_view term, LicenceDialect dialect, std::vector<std::string>* refs) {
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
  auto tokens = tokens_of(spaced);
  std::string out;
  bool expect_operand = true;
  int depth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::string_view t = tokens[i];
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
      if (!expect_operand || iequals(t, "with")) return {};
      std::string id;
      // DEP-5's "NAME with EXCEPTION exception".
      if (dialect == LicenceDialect::dep5 && i + 2 < tokens.size() &&
          iequals(tokens[i + 1], "with")) {
        std::string_view exception = tokens[i + 2];
        std::size_t used = 2;
        if (i + 3 < tokens.size() && iequals(tokens[i + 3], "exception")) used = 3;
        id = map_with(t, exception, dialect, refs);
        i += used;
      } else {
        id = map_or_ref(t, dialect, refs);
      }
      if (id.empty()) return {};
      out += id;
      expect_operand = false;
    }
  }
  if (expect_operand || depth != 0) return {};
  return out;
}

}  // namespace

std::string licence_ref(std::string_view name) {
  std::string out = "LicenseRef-";
  bool dash = false;
  for (char c : trim(name)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
    if (ok) {
      out += c;
      dash = false;
    } else if (!dash && out.size() > 11) {
      out += '-';
      dash = true;
    }
    if (out.size() >= 11 + kMaxLicenceRefChars) break;
  }
  while (out.ends_with("-")) out.pop_back();
  return out.size() > 11 ? out : std::string();
}

std::string map_licence_term(std::string_view term, LicenceDialect dialect) {
  term = trim(term);
  if (term.empty() || term.size() > kMaxLicenceTermBytes) return {};
  if (dialect == LicenceDialect::buildroot) return map_buildroot(term);
  return map_expression(term, dialect, nullptr);
}

std::string map_dep5_term_complete(std::string_view term, std::vector<std::string>& unmapped) {
  term = trim(term);
  if (term.empty()) return {};
  std::vector<std::string> refs;
  std::string out;
  if (term.size() <= kMaxLicenceTermBytes) out = map_expression(term, LicenceDialect::dep5, &refs);
  if (out.empty()) {
    // Not an expression we can read: the whole text is one named licence.
    refs.assign(1, std::string(term.substr(0, 256)));
    out = licence_ref(term);
  }
  for (auto& r : refs) unmapped.push_back(std::move(r));
  return out;
}

std::string common_licence_id(std::string_view file_name, bool or_later) {
  for (const auto& [name, base] : kCommonLicences) {
    if (file_name != name) continue;
    std::string b(base);
    bool gnu = b.starts_with("GPL") || b.starts_with("LGPL") || b.starts_with("AGPL") || b.starts_with("GFDL");
    if (!gnu) return b;
    return std::string(canonical_spdx_id(b + (or_later ? "-or-later" : "-only")));
  }
  return {};
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
  // A lone licence is an id only when it is on the SPDX list: CycloneDX's
  // license.id takes nothing else, so a LicenseRef- alone (base-files'
  // copyright names only /usr/share/common-licenses/GPL) is an expression.
  if (factors.size() == 1 && !canonical_spdx_id(*factors.begin()).empty()) {
    out.ids.push_back(*factors.begin());
    return out;
  }
  // Several licences are one SPDX expression: a licence list of several
  // entries says less (which applies how), and some validators trip on it.
  if (factors.size() == 1) {
    out.expression = *factors.begin();
    return out;
  }
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
