// Version fingerprints for embedded components that nothing declares.
//
// A rule applies only to files that *are* the component: the file name (or
// path) must match the rule, or the file must be a raw image of a matching
// type. Inside such a file the rule's characteristic string gives the version.
// So the "OpenSSL 3.0.x" string inside curl, or the "U-Boot" strings inside
// mkimage, never produce an OpenSSL or U-Boot component. README.md carries the
// same table for people; fingerprint_rules() is its single source in code.
#pragma once

#include <cstddef>
#include <span>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model.h"

namespace fwseal::sbom {

enum class VersionFrom {
  regex,         // group 1 of `regex`, matched where `needle` was found
  linux_banner,  // a Linux banner: release, or "Debian X.Y.Z-N" when present
  none,          // the file belongs to the component but has no version of its own
};

struct FingerprintRule {
  std::string_view component;    // name in the BOM
  std::string_view type;         // CycloneDX component type
  std::string_view files;        // '|'-separated globs on the base name, or on the path if a glob has '/'
  std::string_view image_types;  // '|'-separated image types whose raw image is this component
  std::string_view marker;       // a string that must also occur in the file; "" for none
  std::string_view needle;       // literal the version string starts with
  std::string_view regex;        // ECMAScript, matched at the needle; group 1 is the version
  VersionFrom from = VersionFrom::regex;
  std::string_view cpe;          // "part:vendor:product" of the CPE 2.3 name
  std::string_view packages;     // '|'-separated globs of package/recipe names that are this component; '!' excludes
  std::size_t lookahead = 64;    // bytes from the needle the regex may see
};

std::span<const FingerprintRule> fingerprint_rules();

// True if `name` (a package's name or source/recipe name) is one of the
// rule's packages: it matches a glob and no '!' exclusion.
bool rule_names_package(const FingerprintRule& rule, std::string_view name);
// True if `name` matches one of the rule's '!' exclusions.
bool rule_excludes_package(const FingerprintRule& rule, std::string_view name);

// Scans one file, streaming, for the rules that apply to it.
class FingerprintScanner {
 public:
  // `path` is the path inside the image; `raw_image_type` is the image type
  // when the file is a whole raw image, else "".
  FingerprintScanner(std::string_view path, std::string_view raw_image_type);
  bool active() const { return !rules_.empty(); }
  void feed(std::string_view chunk);
  // `head` holds the file's first bytes (for the x86 boot header of bzImage
  // kernels); `is_elf` gates rules that need no version string.
  void finish(std::string_view head, bool is_elf, const Occurrence& where, std::vector<Finding>& findings,
              std::vector<std::string>& warnings);

 private:
  struct Hit {
    std::size_t needle;
    std::string window;
  };
  void search(bool final);
  // The versions `rule` finds in this file's hits (version -> kernel release),
  // "9.2" collapsed into "9.2p1"; empty if its marker is missing.
  std::map<std::string, std::string> versions_of(const FingerprintRule& rule, std::string_view head) const;

  std::vector<const FingerprintRule*> rules_;
  std::vector<std::string_view> needles_;  // markers and needles of rules_, deduplicated
  std::size_t window_ = 0;
  std::string buf_;
  std::vector<Hit> hits_;
  std::size_t dropped_hits_ = 0;
};

// The CPE 2.3 name for `rule` at `version`.
std::string fingerprint_cpe(const FingerprintRule& rule, std::string_view version);

// The CPE of a component the build declares, from the same curated table:
// the rule whose component is `name` (any case), with `version`; "" when no
// rule names it or the version is empty.
std::string curated_cpe(std::string_view name, std::string_view version);

}  // namespace fwseal::sbom
