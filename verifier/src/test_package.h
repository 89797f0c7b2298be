// The verifier's tests use the test kit's package builder
// (fwseal/testing/package_builder.h), and verify its bytes from memory.
#pragma once

#include <string_view>

#include "fwseal/testing/package_builder.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier::test {

using namespace fwseal::test;  // NOLINT: the kit is these tests' vocabulary

VerifyReport verify_bytes(std::string_view package, const TrustPolicy& trust, const VerifyOptions& options = {});

}  // namespace fwseal::verifier::test
