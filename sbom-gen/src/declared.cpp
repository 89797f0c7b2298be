#include "declared.h"

#include "fingerprint.h"
#include "sbom_limits.h"
#include "text.h"

namespace fwseal::sbom {

Status check_declared_text(std::string_view value, std::string_view where, std::size_t max_bytes) {
  if (value.empty()) return make_error(Code::malformed, std::string(where) + ": empty");
  if (value.size() > max_bytes)
    return make_error(Code::malformed, std::string(where) + ": longer than " + std::to_string(max_bytes) + " bytes");
  if (!is_clean_text(value))
    return make_error(Code::malformed, std::string(where) + ": invalid UTF-8 or control characters in " + shown(value));
  return ok_status();
}

std::string oversized_field(std::string_view where, std::size_t bytes, std::string_view outcome) {
  return std::string(where) + ": " + std::to_string(bytes) + " bytes, over the limit of " +
         std::to_string(kMaxDeclaredFieldBytes) + " bytes per field; " + std::string(outcome);
}

Result<Declared> parse_declared_components(std::string_view text, std::string_view what,
                                           const std::set<std::string>& images) {
  std::string_view head = text;
  if (head.starts_with("\xef\xbb\xbf")) head.remove_prefix(3);  // a UTF-8 byte order mark
  head = trim(head);
  Result<Declared> found = make_error(Code::internal, "");
  if (head.starts_with("{") || head.starts_with("//") || head.starts_with("/*"))
    found = parse_components_json(text, what, images);
  else if (head.starts_with("PACKAGE,") || head.starts_with("\"PACKAGE\","))
    found = parse_buildroot_manifest(head, what);
  else if (head.starts_with("PACKAGE NAME:"))
    found = parse_yocto_manifest(head, what);
  else
    return make_error(Code::malformed,
                    std::string(what) +
                        ": not a components file: expected fwseal components JSON ('{'), a Buildroot manifest.csv "
                        "(header starting with PACKAGE) or a Yocto license.manifest (PACKAGE NAME: ...)");
  if (!found.ok()) return found;
  // Declared components the curated table knows get its CPE, as the same
  // component found by its fingerprint would: scanners match by it.
  for (auto& f : found->findings)
    if (f.cpe.empty()) f.cpe = curated_cpe(f.name, f.version);
  return found;
}

}  // namespace fwseal::sbom
