// Shared by the fuzz targets and make_seeds: fixed keys (so every run, seed and
// crash file means the same thing), the fixed trust policy the package target
// verifies against, a package writer built from format/ alone, and the check
// macro that turns a broken invariant into a crash libFuzzer records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"
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

struct FixedKey {
  Algorithm algorithm{};
  ossl::PKey key;  // private
  KeyId id{};
  std::string name;
};

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

// Ed25519 signature of `message` (deterministic). Aborts for other keys.
std::string sign_ed25519(const FixedKey& key, std::string_view message);
// The canonical envelope of an Ed25519 signature by `key` over the manifest bytes.
std::string envelope_json(const FixedKey& key, std::string_view manifest_bytes);

struct Entry {
  std::string name;
  std::string data;
};

// A package exactly as the format lays it out: for manifest.json and each of
// `entries`, tar_header(name, size, created), the data and zero padding; then
// two zero blocks.
std::string package_bytes(std::string_view manifest_bytes, std::int64_t created, const std::vector<Entry>& entries);

// A small release used as a starting point: acme-cam 1.4.2, security version 3,
// hardware acme-cam-v1 and acme-cam-v2, images "kernel" (300 bytes) and "rootfs"
// (900 bytes), no SBOM. Sizes and digests are filled in by finish().
struct Release {
  Manifest manifest;
  std::vector<std::string> images;  // parallel to manifest.images
  std::optional<std::string> sbom;
  std::vector<Entry> signatures;     // appended after the images, in order

  Release();
  void add_image(std::string name, std::string type, std::string data);
  // Fills sizes and digests; returns the manifest bytes.
  std::string finish();
  void sign(const FixedKey& key);  // call after finish()
  std::string package() const;     // call after finish()

 private:
  std::string manifest_bytes_;
};

// A deterministic byte pattern.
std::string pattern(std::size_t n, unsigned seed);

// The fixed_trust() package: Release() signed by trusted_a; fixed_trust()
// accepts it.
const std::string& fixed_package();

// A memfd holding `bytes` at offset 0 (aborts if that fails: an fd leak shows
// up here first).
Fd memory_fd(std::string_view bytes);

}  // namespace fwseal::fuzz
