// SPDX licence ids and expressions, and the mapping of the licence names that
// Debian copyright files (DEP-5), Yocto and Buildroot use onto SPDX ids.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "model.h"

namespace fwseal::sbom {

// The ids of CycloneDX's spdx.schema.json (licences and exceptions), sorted.
std::span<const std::string_view> spdx_ids();

// The id as SPDX spells it, matched without regard to case; "" if unknown.
// The view is of the id table (static), never of the argument.
std::string_view canonical_spdx_id(std::string_view id);

// A strict SPDX licence expression (AND, OR, WITH, parentheses, "+", known
// ids, LicenseRef-/DocumentRef-). A single id gives Licence::ids, anything else
// Licence::expression, normalised (SPDX spelling of ids, single spaces).
// Code::malformed naming `where` and the offending token.
Result<Licence> parse_spdx_expression(std::string_view text, std::string_view where);

// An SPDX licence expression as a tree, for judging it (licence_policy.h).
struct LicenceTerm {
  enum class Kind { licence, all_of /* AND */, any_of /* OR */ };
  Kind kind = Kind::licence;
  // licence: the id in SPDX spelling, a deprecated id in its exact modern
  // form ("GPL-2.0+" -> "GPL-2.0-or-later", "GPL-2.0" -> "GPL-2.0-only"),
  // "+" kept where there is none ("MPL-1.1+"), or a LicenseRef-/DocumentRef-.
  std::string id;
  std::string exception;              // licence: the WITH exception, "" if none
  std::vector<LicenceTerm> operands;  // all_of / any_of: two or more, in written order
};

// The same grammar, limits and errors as parse_spdx_expression, as a tree: a
// run of one operator is one node ("A AND B AND C": all_of of three; so is
// "(A AND B) AND C"), and parentheses around the other operator make their
// own node ("A AND (B OR C)").
Result<LicenceTerm> parse_spdx_tree(std::string_view text, std::string_view where);

enum class LicenceDialect { dep5, yocto, buildroot };

// One licence term in the dialect, as an SPDX expression ("GPL-2+ or
// Artistic" -> "GPL-2.0-or-later OR Artistic-1.0"... only where every name
// maps); "" when any part has no SPDX equivalent. Never guesses: ambiguous
// names (Debian's "Artistic", "BSD", "public-domain") do not map.
std::string map_licence_term(std::string_view term, LicenceDialect dialect);

// DEP-5 only: the whole term as an SPDX expression in which every name
// that maps to no SPDX id is LicenseRef-NAME (licence_ref), so nothing the
// term says is dropped ("public-domain" -> "LicenseRef-public-domain",
// "Artistic or GPL-1+" -> "LicenseRef-Artistic OR GPL-1.0-or-later"). A term
// that is not a readable expression becomes one LicenseRef. The names that
// became LicenseRefs are appended to `unmapped`. "" only for an empty term.
std::string map_dep5_term_complete(std::string_view term, std::vector<std::string>& unmapped);

// "LicenseRef-" + NAME with every character outside [A-Za-z0-9.] as '-'
// (runs of them as one), NAME cut at kMaxLicenceRefChars; "" if nothing is left.
std::string licence_ref(std::string_view name);

// The SPDX id of a file in Debian's /usr/share/common-licenses ("GPL-2" ->
// "GPL-2.0-only", or "GPL-2.0-or-later" with `or_later`); "" for files whose
// text is not exactly one SPDX licence (GPL, LGPL, GFDL links, Artistic, BSD).
std::string common_licence_id(std::string_view file_name, bool or_later);

// Joins SPDX expressions with AND into one licence: a single SPDX-list id
// stays an id (a single LicenseRef- is an expression),
// anything more is one expression of the sorted, unique AND-factors, with
// OR terms in parentheses.
Licence combine_licences(const std::vector<std::string>& terms);

// The licence as a one-line text, for diffs and messages.
std::string licence_text(const Licence& licence);

}  // namespace fwseal::sbom
