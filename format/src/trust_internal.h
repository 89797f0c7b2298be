// Shared by trust.cpp, trust_parse.cpp, trust_write.cpp and trust_x509.cpp.
#pragma once

#include <string>
#include <string_view>

#include "fwseal/format/rule.h"
#include "fwseal/format/trust.h"

namespace fwseal::trust_detail {

// Code::malformed "<rule>: <where>: <why>", rule T1...T10 of docs/FORMAT.md
// section 4.
inline Error bad(std::string_view rule, std::string_view where, const std::string& why) {
  return with_rule(rule, make_error(Code::malformed, std::string(where) + ": " + why));
}

// Where a key set's members sit in the file: "trust" or "trust.roles[i]".
std::string set_path(const TrustPolicy& policy, std::size_t index);

// A root is a self-signed CA certificate whose key is of an fwseal algorithm.
Status check_root(const TrustedRoot& root, const std::string& where);
// No root twice (by certificate or by key), in any set.
Status check_roots_unique(const TrustPolicy& policy);
// Each CRL parses, none twice, and one issued by a root verifies with its key.
Status check_crls(const TrustPolicy& policy);
// A dotted OID in its canonical form.
Status check_eku(std::string_view oid, std::string_view where);

}  // namespace fwseal::trust_detail
