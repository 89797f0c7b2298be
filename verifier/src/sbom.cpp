#include "fwseal/verifier/sbom.h"

#include <string_view>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {

Result<bool> is_package_file(const std::string& path) {
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  char head[sizeof "manifest.json"] = {};
  FWSEAL_ASSIGN(std::size_t got, read_full(fd.get(), head, sizeof head - 1, path));
  return got == sizeof head - 1 && std::string_view(head, got) == kManifestEntry;
}

Result<std::string> verified_sbom(const std::string& path, const std::optional<std::string>& trust_path) {
  if (!trust_path) return make_error(Code::usage, path + " is a package: --trust TRUST.json is required to read its SBOM");
  FWSEAL_ASSIGN(TrustPolicy trust, load_trust(*trust_path));
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  VerifyReport report = verify_package(fd.get(), trust, VerifyOptions{});
  if (!report.ok()) return make_error(report.status.error().code, path + ": " + report.status.error().message);
  if (!report.verified->sbom())
    return make_error(Code::malformed, path + ": the package carries no SBOM (build it with an sbom in the spec)");
  return *report.verified->sbom();
}

Result<std::string> read_sbom_input(const std::string& path, const std::optional<std::string>& trust_path,
                                    std::size_t max_bytes) {
  FWSEAL_ASSIGN(bool package, is_package_file(path));
  if (package) return verified_sbom(path, trust_path);
  return read_file(path, max_bytes);
}

}  // namespace fwseal::verifier
