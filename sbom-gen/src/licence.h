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
std::string_view canonical_spdx_id(std::string_view id);

// A strict SPDX licence expression (AND, OR, WITH, parentheses, "+", known
// ids, LicenseRef-/DocumentRef-). A single id gives Licence::ids, anything else
// Licence::expression, normalised (SPDX spelling of ids, single spaces).
// Code::malformed naming `where` and the offending token.
Result<Licence> parse_spdx_expression(std::string_view text, std::string_view where);

enum class LicenceDialect { dep5, yocto, buildroot };

// One licence term in the dialect, as an SPDX expression ("GPL-2+ or
// Artistic" -> "GPL-2.0-or-later OR Artistic-1.0"... only where every name
// maps); "" when any part has no SPDX equivalent. Never guesses: ambiguous
// names (Debian's "Artistic", "BSD", "public-domain") do not map.
std::string map_licence_term(std::string_view term, LicenceDialect dialect);

// Joins SPDX expressions with AND into one licence: a single id stays an id,
// anything more is one expression of the sorted, unique AND-factors, with
// OR terms in parentheses.
Licence combine_licences(const std::vector<std::string>& terms);

// The licence as a one-line text, for diffs and messages.
std::string licence_text(const Licence& licence);

}  // namespace fwseal::sbom
