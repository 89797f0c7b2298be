#include "test_package.h"

namespace fwseal::verifier::test {

VerifyReport verify_bytes(std::string_view package, const TrustPolicy& trust, const VerifyOptions& options) {
  Fd fd = memory_fd(package);
  return verify_package(fd.get(), trust, options);
}

}  // namespace fwseal::verifier::test
