// Value rules of CycloneDX 1.6 that both the generator (for declared input)
// and validate_sbom enforce, so what fwseal writes it also accepts.
#pragma once

#include <cstddef>
#include <string_view>

namespace fwseal::sbom {

// Hex digits of a digest for a CycloneDX hash-alg name ("SHA-256" -> 64);
// 0 if the name is not one CycloneDX 1.6 knows.
std::size_t hash_hex_length(std::string_view alg);
bool is_lower_hex(std::string_view s);

// One of component.type's enum values.
bool is_component_type(std::string_view type);

// CPE 2.3 formatted string (13 colon-separated parts) or CPE 2.2 URI ("cpe:/").
bool is_cpe(std::string_view cpe);

// An absolute URL as the schema's iri-reference/uri formats accept it:
// scheme ":" and no spaces, controls or <>"{}|\^` characters.
bool is_url(std::string_view url);

// An address as metadata.authors[].email wants it (format idn-email, which
// fwseal's schema check does not assert): at most 254 bytes, one '@' with
// text on both sides, no spaces, controls or <>"(),;:\[] characters.
bool is_email(std::string_view email);

}  // namespace fwseal::sbom
