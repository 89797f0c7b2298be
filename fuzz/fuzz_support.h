// Shared by the fuzz targets and make_seeds: fixed keys (so every run, seed and
// crash file means the same thing), the fixed trust policy the package target
// verifies against, releases built with the test kit's package builder, and the check
// macro that turns a broken invariant into a crash libFuzzer records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "fwseal/format/encryption.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"
#include "fwseal/testing/package_builder.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::fuzz {

// Prints "fuzz invariant broken at FILE:LINE: WHAT" and aborts, so libFuzzer
// saves the input as a crash.
[[noreturn]] void fail(const char* file, int line, const std::string& what);

#define FUZZ_CHECK(cond, what)                                                              \
  do {                                                                                      \
    if (!(cond)) ::fwseal::fuzz::fail(__FILE__, __LINE__, std::string(#cond " -- ") + (what)); \
  } while (false)

// The message of an error, or "ok", for FUZZ_CHECK texts.
std::string describe(const Status& s);
template <class T>
std::string describe(const Result<T>& r) {
  return r.ok() ? std::string("ok") : std::to_string(exit_code(r.error().code)) + " " + r.error().message;
}

// The keys the fuzz targets know. Ed25519 keys come from fixed seeds (and sign
// deterministically); the P-256 key is a fixed PEM and is never used to sign
// seeds, because ECDSA signatures are randomised.
enum class KeyName {
  trusted_a,  // ed25519, in fixed_trust()
  trusted_b,  // ed25519, in fixed_trust()
  p256,       // ecdsa-p256, not in fixed_trust(); the signature target's ECDSA key
  revoked,    // ed25519, revoked by fixed_trust()
  unknown,    // ed25519, not in fixed_trust()
};

using FixedKey = test::TestKey;  // algorithm, private key, key id, name

const FixedKey& fixed_key(KeyName name);

// The policy the package target verifies with: keys a and b trusted,
// threshold 1, all algorithms, the revoked key revoked, min_security_version 2,
// hardware ["acme-cam-v2"]. When the checkout has tests/vectors/keys/, the
// conformance vectors' "ed25519" key is trusted too and their
// "revoked-ed25519" key revoked, as in tests/vectors/trust.json, so the valid
// vectors signed with it are accepted here as well. Ed25519 keys only: verify_package checks the
// policy on every call, and under ASan OpenSSL 3.0 takes about 0.5 ms to
// decode an Ed25519 key and 1 ms for a P-256 one, which would halve the
// package target's speed for no new verifier code (the signature target
// checks ECDSA signatures).
const TrustPolicy& fixed_trust();

// The message the signature target checks envelopes over with the fixed keys;
// one signature seed holds trusted_a's valid signature of it.
inline constexpr std::string_view kFuzzMessage = "fwseal/manifest-signature/v1\n{\"fuzz\":true}";

// Ed25519 signature of `message` (deterministic) by one of the fixed keys.
using test::sign_raw;
// The canonical envelope of a signature by `key` over the manifest bytes.
using test::envelope_json;

using Entry = test::SignatureEntry;
using test::memory_fd;
using test::pattern;

// A small release used as a starting point: the test kit's builder with
// images "kernel" (300 bytes) and "rootfs" (900 bytes), acme-cam 1.4.2,
// security version 3, hardware acme-cam-v1 and acme-cam-v2, no SBOM.
struct Release : test::PackageBuilder {
  Release() : test::PackageBuilder(300, 900) {}
  std::vector<Entry> signatures;  // version 1: appended after the images, in order; version 2: in signatures.json

  // Fills sizes and digests and freezes the manifest bytes: images changed
  // afterwards no longer match their digests.
  std::string finish();
  void sign(const FixedKey& key);  // call after finish()
  std::string package() const;     // call after finish()
};

// The fixed_trust() package: Release() signed by trusted_a; fixed_trust()
// accepts it.
const std::string& fixed_package();

// The decrypt target's data key, and the context its inputs declare: a
// plaintext of `size` bytes in chunks of 4096.
enc::DataKey fixed_data_key();
enc::ImageContext decrypt_context(std::uint64_t size);

}  // namespace fwseal::fuzz
