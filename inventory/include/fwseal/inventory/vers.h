// Version ranges in purl's vers: notation
// (https://github.com/package-url/vers-spec): "vers:deb/<3.0.13-1~deb12u1",
// "vers:generic/>=1.36.0|<1.36.2", "vers:semver/*".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/inventory/version.h"

namespace fwseal::inventory {

enum class Comparator { eq, ne, lt, le, gt, ge, any };

struct Constraint {
  Comparator comparator = Comparator::eq;
  std::string version;  // decoded; "" for `*`
};

class VersionRange {
 public:
  // Code::usage with one line when `text` does not parse: no "vers:" prefix,
  // an unknown scheme, an empty constraint, a version the scheme refuses, the
  // same version twice, or ranges that do not alternate (">1|>2").
  static Result<VersionRange> parse(std::string_view text);

  Scheme scheme() const { return scheme_; }
  // The vers-spec containment algorithm over constraints sorted by version.
  bool contains(std::string_view version) const;
  // Canonical text: constraints sorted by version.
  std::string to_string() const;

 private:
  Scheme scheme_ = Scheme::generic;
  std::vector<Constraint> constraints_;  // sorted by version in scheme_'s order
};

}  // namespace fwseal::inventory
