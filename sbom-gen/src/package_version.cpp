#include "package_version.h"

#include <algorithm>

namespace fwseal::sbom {

std::string upstream_of_package_version(std::string_view v) {
  if (auto colon = v.find(':'); colon != std::string_view::npos &&
                                std::all_of(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(colon),
                                            [](char c) { return c >= '0' && c <= '9'; }))
    v.remove_prefix(colon + 1);
  if (auto dash = v.rfind('-'); dash != std::string_view::npos && dash > 0) v = v.substr(0, dash);
  for (std::string_view marker : {"dfsg", "ds", "repack"}) {
    for (std::size_t at = v.find(marker); at != std::string_view::npos; at = v.find(marker, at + 1)) {
      if (at == 0) continue;
      char sep = v[at - 1];
      std::string_view tail = v.substr(at + marker.size());
      bool digits = std::all_of(tail.begin(), tail.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
      if ((sep == '+' || sep == '~' || sep == '.') && digits) {
        v = v.substr(0, at - 1);
        break;
      }
    }
  }
  return std::string(v);
}

}  // namespace fwseal::sbom
