// The test kit's one in-memory package builder, for the verifier's tests, the
// fuzz targets and the conformance vectors: packages made from format/ alone
// (tar_header, data, zero padding, end blocks), signed with OpenSSL keys held
// in memory. The packager is not used: these tests pin the verifier to the
// format, not to another implementation of it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/trust.h"

namespace fwseal::test {

struct TestKey {
  Algorithm alg{};
  ossl::PKey key;
  KeyId id{};
  std::string name;
};

// A fresh key pair of `alg`.
ossl::PKey generate_key(Algorithm alg);
// Signs like every SigningKey (format/signing_key.h): the parameters
// verify_signature expects. test::SoftwareKey (software_key.h) signs with it.
Result<std::string> sign_message(const EVP_PKEY* key, std::string_view message);

// A TestKey around `key` (its algorithm and key id computed).
TestKey make_test_key(ossl::PKey key, std::string name);
// Generated once per (algorithm, index) and process: RSA key generation is slow.
const TestKey& test_key(Algorithm alg, int index = 0);

// Raw signature over `message` with the parameters verify_signature expects.
std::string sign_raw(const TestKey& key, std::string_view message);
// The canonical envelope of a signature by `key` over the manifest bytes.
std::string envelope_json(const TestKey& key, std::string_view manifest_bytes);

TrustPolicy trust_for(const std::vector<const TestKey*>& keys, std::uint64_t threshold = 1);

// Where each part of a built package is, for tests that cut or flip bytes.
struct Region {
  std::string what;  // "image/rootfs header", "image/rootfs data", "... padding", "end of archive"
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};

// One entry after the manifest: its name and data (a signature envelope, or
// for content_entries() the SBOM or an image).
struct SignatureEntry {
  std::string name;
  std::string data;
};

class PackageBuilder {
 public:
  // acme-cam 1.4.2, security version 3, hardware acme-cam-v1 and acme-cam-v2,
  // created 1700000000, images "kernel" and "rootfs" of the given sizes
  // (pattern() data), no SBOM, unsigned.
  explicit PackageBuilder(std::size_t kernel_size = 700, std::size_t rootfs_size = 1500);

  Manifest manifest;                     // sizes and digests are filled in by build()
  std::vector<std::string> images;       // data, parallel to manifest.images
  std::optional<std::string> sbom;       // data
  bool keep_digests = false;             // build() leaves manifest digests as they are
  std::optional<std::string> manifest_bytes_override;
  // Version 2: the bytes of signatures.json instead of the area made from the
  // signatures added (it should be manifest.signature_space bytes long).
  std::optional<std::string> signature_area_override;

  // The package format: version 1 (signatures last) until this is called;
  // then version 2, the signatures added with sign_with/add_entry going into
  // signatures.json (sorted by key id), `signature_space` bytes.
  void use_version_2(std::uint64_t signature_space = kDefaultSignatureSpace);
  // The signature area for these manifest bytes.
  std::string signature_area(std::string_view manifest_bytes) const;

  void add_image(std::string name, std::string type, std::string data);
  // Adds a signature entry computed from the final manifest bytes.
  void sign_with(const TestKey& key);
  void add_entry(std::function<SignatureEntry(std::string_view manifest_bytes)> make);

  std::string manifest_bytes();  // after filling sizes and digests
  // The SBOM and image entries, in package order (without the manifest).
  std::vector<SignatureEntry> content_entries() const;
  std::string build(std::vector<Region>* regions = nullptr);

  // A package exactly as the format lays it out, from parts: manifest.json and
  // each of `entries` (version 2: signatures.json first) as tar_header(name,
  // size, created), data and zero padding, then the end of the archive.
  static std::string assemble(std::string_view manifest_bytes, std::int64_t created,
                              const std::vector<SignatureEntry>& entries, std::vector<Region>* regions = nullptr);

 private:
  void fill();
  std::vector<std::function<SignatureEntry(std::string_view)>> entries_;
};

std::string pattern(std::size_t n, unsigned seed);

// A regular-file descriptor (memfd) holding `bytes`, at offset 0.
Fd memory_fd(std::string_view bytes);

// The read end of a pipe fed by a writer thread; joins the thread when destroyed.
class PipeFeed {
 public:
  explicit PipeFeed(std::string bytes);
  ~PipeFeed();
  PipeFeed(const PipeFeed&) = delete;
  PipeFeed& operator=(const PipeFeed&) = delete;
  int fd() const { return read_.get(); }

 private:
  Fd read_;
  std::thread writer_;
};

// Recomputes the ustar checksum of the header block at `offset`, so that a
// changed field still parses as a valid header.
void rewrite_checksum(std::string& package, std::size_t offset);

}  // namespace fwseal::test
