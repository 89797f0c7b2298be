// Every bound sbom-gen puts on its (possibly hostile) input, in one place so
// the README and the tests can name them.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fwseal::sbom {

inline constexpr std::size_t kMaxImages = 256;
inline constexpr std::size_t kMaxComponentsFiles = 64;
inline constexpr std::size_t kMaxComponentsFileBytes = 16u << 20;
inline constexpr std::size_t kMaxDeclaredComponents = 100000;
inline constexpr std::size_t kMaxFieldBytes = 4096;      // one name, version, licence, URL, ...
// A licence line or expression. Real ones run past 1 KiB (Yocto's
// linux-firmware: 1,397 bytes); 16 KiB is ten times the longest seen.
inline constexpr std::size_t kMaxLicenceTermBytes = 16u << 10;
// One field of a declared entry (components JSON, manifest.csv,
// license.manifest): a longer one is a warning naming the file, line and
// field; the entry is skipped (kept without a licence for a LICENSE field),
// the other entries are read.
inline constexpr std::size_t kMaxDeclaredFieldBytes = kMaxLicenceTermBytes;
inline constexpr std::size_t kMaxLicenceRefChars = 64;  // LicenseRef-NAME: NAME's length
inline constexpr std::size_t kMaxPathBytes = 4096;       // a path inside an image
inline constexpr std::size_t kMaxDepth = 128;            // directory nesting
inline constexpr std::uint64_t kMaxEntriesPerImage = 2000000;  // files, links and directories
inline constexpr std::size_t kMaxStatusBytes = 64u << 20;      // dpkg / opkg status file
inline constexpr std::size_t kMaxPackages = 200000;            // paragraphs in one status file
inline constexpr std::size_t kMaxListBytes = 16u << 20;        // one dpkg/opkg info/*.list
inline constexpr std::uint64_t kMaxListedPaths = 4000000;      // all *.list lines of one image
inline constexpr std::size_t kMaxCopyrightBytes = 1u << 20;    // usr/share/doc/*/copyright
inline constexpr std::size_t kMaxOsReleaseBytes = 64u << 10;
inline constexpr std::size_t kMaxElfNoteBytes = 64u << 10;     // one PT_NOTE segment read
inline constexpr std::size_t kMaxElfNotesPerFile = 256;
inline constexpr std::size_t kMaxElfPhdrs = 4096;
inline constexpr std::size_t kMaxWarnings = 1000;
inline constexpr std::size_t kMaxOccurrencesPerComponent = 10000;

}  // namespace fwseal::sbom
