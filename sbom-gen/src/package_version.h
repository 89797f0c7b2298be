// Versions as package managers write them, reduced to the upstream release
// they package, so "1:1.2.13.dfsg-1" (dpkg) and "1.2.13" (the string inside
// libz.so) can be recognised as the same release.
#pragma once

#include <string>
#include <string_view>

namespace fwseal::sbom {

// Drops a leading epoch ("1:"), the packaging revision after the last '-'
// ("-4+deb12u1", "-r0") and a repack suffix ("+dfsg", ".dfsg", "~ds1",
// "+repack2"). "1:9.2p1-2+deb12u10" -> "9.2p1".
std::string upstream_of_package_version(std::string_view version);

}  // namespace fwseal::sbom
