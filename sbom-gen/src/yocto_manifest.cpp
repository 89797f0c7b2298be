// Yocto/OpenEmbedded's license.manifest (tmp/deploy/licenses/<image>/):
// blocks of "PACKAGE NAME: / PACKAGE VERSION: / RECIPE NAME: / LICENSE:"
// separated by blank lines.
#include "declared.h"
#include "licence.h"
#include "sbom_limits.h"
#include "text.h"

namespace fwseal::sbom {

Result<std::vector<Finding>> parse_yocto_manifest(std::string_view text, std::string_view what) {
  if (text.size() > kMaxComponentsFileBytes)
    return make_error(Code::malformed, std::string(what) + ": larger than " + std::to_string(kMaxComponentsFileBytes) + " bytes");
  std::vector<Finding> out;
  struct Block {
    std::size_t line = 0;
    std::string package, version, recipe, licence;
    std::size_t licence_too_long = 0;  // bytes of a LICENSE value over the limit
    bool any = false;
  } block;
  std::size_t line_no = 0;
  auto flush = [&]() -> Status {
    if (!block.any) return ok_status();
    std::string where = std::string(what) + ":" + std::to_string(block.line);
    if (block.package.empty()) return make_error(Code::malformed, where + ": block without PACKAGE NAME");
    if (block.version.empty()) return make_error(Code::malformed, where + ": block without PACKAGE VERSION");
    if (out.size() >= kMaxDeclaredComponents)
      return make_error(Code::malformed, std::string(what) + ": more than " + std::to_string(kMaxDeclaredComponents) + " packages");
    Finding f;
    f.source = Source::yocto;
    f.name = block.package;
    f.version = block.version;
    f.upstream_version = block.version;
    if (!block.recipe.empty() && block.recipe != block.package) f.aliases.push_back(block.recipe);
    if (block.licence_too_long > 0) {
      // Reported on the entry, which is kept: one oversized line must not
      // cost the other packages of the manifest.
      f.properties["fwseal:licence-not-read"] = "LICENSE of " + std::to_string(block.licence_too_long) +
                                                " bytes, over the limit of " + std::to_string(kMaxLicenceTermBytes);
    } else if (!block.licence.empty() && block.licence != "CLOSED") {
      std::string spdx = map_licence_term(block.licence, LicenceDialect::yocto);
      if (!spdx.empty()) f.licence = combine_licences({spdx});
      else f.licence.name = block.licence;
    }
    f.method = {"manifest-analysis", 0.9, "Yocto license.manifest " + std::string(what) + " line " + std::to_string(block.line)};
    out.push_back(std::move(f));
    block = Block{};
    return ok_status();
  };
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (trim(line).empty()) {
      FWSEAL_TRY(flush());
      continue;
    }
    std::string where = std::string(what) + ":" + std::to_string(line_no);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return make_error(Code::malformed, where + ": expected \"KEY: value\", got " + shown(line));
    std::string_view key = line.substr(0, colon);
    std::string value(trim(line.substr(colon + 1)));
    if (key == "LICENSE" && value.size() > kMaxLicenceTermBytes) {
      if (!block.licence.empty() || block.licence_too_long > 0)
        return make_error(Code::malformed, where + ": LICENSE twice in one block");
      block.licence_too_long = value.size();
      if (!block.any) block.line = line_no;
      block.any = true;
      continue;
    }
    // Licence lines of real manifests run past 1 KiB (linux-firmware's:
    // 1,397 bytes); names and versions stay short.
    FWSEAL_TRY(check_declared_text(value, where + " " + std::string(key), key == "LICENSE" ? kMaxLicenceTermBytes : 1024));
    std::string* slot = nullptr;
    if (key == "PACKAGE NAME") slot = &block.package;
    else if (key == "PACKAGE VERSION") slot = &block.version;
    else if (key == "RECIPE NAME") slot = &block.recipe;
    else if (key == "LICENSE") slot = &block.licence;
    else
      return make_error(Code::malformed, where + ": unknown key " + shown(key) +
                                             " (accepted: PACKAGE NAME, PACKAGE VERSION, RECIPE NAME, LICENSE)");
    if (!slot->empty()) return make_error(Code::malformed, where + ": " + std::string(key) + " twice in one block");
    *slot = value;
    if (!block.any) block.line = line_no;
    block.any = true;
  }
  FWSEAL_TRY(flush());
  return out;
}

}  // namespace fwseal::sbom
