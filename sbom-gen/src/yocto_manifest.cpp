// Yocto/OpenEmbedded's license.manifest (tmp/deploy/licenses/<image>/):
// blocks of "PACKAGE NAME: / PACKAGE VERSION: / RECIPE NAME: / LICENSE:"
// separated by blank lines.
#include <array>

#include "declared.h"
#include "licence.h"
#include "sbom_limits.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::array<std::string_view, 4> kKeys = {"PACKAGE NAME", "PACKAGE VERSION", "RECIPE NAME", "LICENSE"};
enum Key : std::size_t { kPackage, kVersion, kRecipe, kLicence };

// A field over kMaxDeclaredFieldBytes: "FILE:LINE: KEY" and its length.
struct Oversized {
  std::string field;
  std::size_t bytes = 0;
  bool empty() const { return field.empty(); }
};

struct Block {
  std::size_t line = 0;  // of its first key
  std::array<std::string, kKeys.size()> values;
  std::array<bool, kKeys.size()> seen{};
  Oversized skipped;           // a field other than LICENSE over the limit: the entry is skipped
  Oversized licence_not_read;  // LICENSE over the limit: the entry is kept without a licence
  bool any = false;
};

class YoctoReader {
 public:
  explicit YoctoReader(std::string_view what) : what_(what) {}

  Status line(std::string_view text, std::size_t line_no) {
    std::string where = what_ + ":" + std::to_string(line_no);
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return make_error(Code::malformed, where + ": expected \"KEY: value\", got " + shown(text));
    std::string_view key = text.substr(0, colon);
    std::string_view value = trim(text.substr(colon + 1));
    std::size_t k = 0;
    while (k < kKeys.size() && kKeys[k] != key) ++k;
    if (k == kKeys.size())
      return make_error(Code::malformed, where + ": unknown key " + shown(key) +
                                             " (accepted: PACKAGE NAME, PACKAGE VERSION, RECIPE NAME, LICENSE)");
    if (block_.seen[k]) return make_error(Code::malformed, where + ": " + std::string(key) + " twice in one block");
    block_.seen[k] = true;
    if (!block_.any) block_.line = line_no;
    block_.any = true;
    std::string field = where + ": " + std::string(key);
    if (value.size() > kMaxDeclaredFieldBytes) {
      // One oversized field costs its entry (or, for LICENSE, the entry's
      // licence), never the other entries of the manifest.
      (k == kLicence ? block_.licence_not_read : block_.skipped) = {field, value.size()};
      return ok_status();
    }
    FWSEAL_TRY(check_declared_text(value, where + " " + std::string(key), kMaxDeclaredFieldBytes));
    block_.values[k] = std::string(value);
    return ok_status();
  }

  Status flush() {
    Block b = std::move(block_);
    block_ = Block{};
    if (!b.any) return ok_status();
    std::string where = what_ + ":" + std::to_string(b.line);
    if (!b.seen[kPackage]) return make_error(Code::malformed, where + ": block without PACKAGE NAME");
    if (!b.seen[kVersion]) return make_error(Code::malformed, where + ": block without PACKAGE VERSION");
    if (out_.findings.size() >= kMaxDeclaredComponents)
      return make_error(Code::malformed, what_ + ": more than " + std::to_string(kMaxDeclaredComponents) + " packages");
    if (!b.skipped.empty()) {
      warn(b.skipped, "the block of line " + std::to_string(b.line) + " is skipped");
      return ok_status();
    }
    Finding f;
    f.source = Source::yocto;
    f.name = b.values[kPackage];
    f.version = b.values[kVersion];
    f.upstream_version = f.version;
    if (!b.values[kRecipe].empty() && b.values[kRecipe] != f.name) f.aliases.push_back(b.values[kRecipe]);
    const std::string& licence = b.values[kLicence];
    if (!b.licence_not_read.empty()) {
      warn(b.licence_not_read, "package " + shown(f.name) + " is kept without a licence");
      f.properties["fwseal:licence-not-read"] = "LICENSE over the limit of " + std::to_string(kMaxDeclaredFieldBytes) + " bytes";
    } else if (!licence.empty() && licence != "CLOSED") {
      std::string spdx = map_licence_term(licence, LicenceDialect::yocto);
      if (!spdx.empty()) f.licence = combine_licences({spdx});
      else f.licence.name = licence;
    }
    f.method = {"manifest-analysis", 0.9, "Yocto license.manifest " + what_ + " line " + std::to_string(b.line)};
    out_.findings.push_back(std::move(f));
    return ok_status();
  }

  Declared take() { return std::move(out_); }

 private:
  void warn(const Oversized& o, const std::string& outcome) {
    out_.warnings.push_back(oversized_field(o.field, o.bytes, outcome));
  }

  std::string what_;
  Block block_;
  Declared out_;
};

}  // namespace

Result<Declared> parse_yocto_manifest(std::string_view text, std::string_view what) {
  if (text.size() > kMaxComponentsFileBytes)
    return make_error(Code::malformed, std::string(what) + ": larger than " + std::to_string(kMaxComponentsFileBytes) + " bytes");
  YoctoReader reader(what);
  std::size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (trim(line).empty()) FWSEAL_TRY(reader.flush());
    else FWSEAL_TRY(reader.line(line, line_no));
  }
  FWSEAL_TRY(reader.flush());
  return reader.take();
}

}  // namespace fwseal::sbom
