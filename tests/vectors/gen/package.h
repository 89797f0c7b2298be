// Building blocks of the conformance vector generator: a package as a list of
// tar entries whose bytes can be changed one field at a time, the keys of
// tests/vectors/keys/, and signatures that stay the same from run to run.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/signature.h"
#include "fwseal/testing/package_builder.h"
#include "fwseal/testing/software_key.h"

struct archive_entry;  // libarchive

namespace fwseal::vectors {

// Offsets and lengths of the ustar header fields (POSIX.1-1988).
struct Field {
  std::size_t at, len;
};
inline constexpr Field kName{0, 100}, kMode{100, 8}, kUid{108, 8}, kGid{116, 8}, kSize{124, 12}, kMtime{136, 12},
    kChecksum{148, 8}, kTypeflag{156, 1}, kLinkname{157, 100}, kMagic{257, 6}, kVersion{263, 2}, kUname{265, 32},
    kGname{297, 32}, kDevmajor{329, 8}, kDevminor{337, 8}, kPrefix{345, 155};

// Writes `value` into `field` of the header block starting at `block` (NUL
// filled), then recomputes the checksum so that the header still parses.
void set_field(std::string& header, Field field, std::string_view value, std::size_t block = 0);
// The same with a number: `digits` octal digits and a NUL, as ustar writes it.
void set_octal(std::string& header, Field field, std::uint64_t value, std::size_t block = 0);
// GNU base-256: first byte 0x80, then the value big-endian.
void set_base256(std::string& header, Field field, std::uint64_t value, std::size_t block = 0);
void fix_checksum(std::string& header, std::size_t block = 0);

// "NN key=value\n", the length counting itself.
std::string pax_record(std::string_view key, std::string_view value);
// A pax extended ('x') or global ('g') header entry: header, records, padding.
std::string pax_entry(std::string_view name, std::string_view records, std::int64_t mtime, char type = 'x');

// One entry exactly as libarchive writes it in `format` (ARCHIVE_FORMAT_TAR_*):
// header(s), data and padding, without the end-of-archive blocks. `type` is an
// AE_IF* file type; `setup` may set more (link target, device numbers).
std::string libarchive_entry(int format, std::string_view name, unsigned type, std::string_view data,
                             std::int64_t mtime, const std::function<void(archive_entry*)>& setup = {});

struct Entry {
  std::string name;
  std::string header;  // one or more blocks
  std::string data;
  std::string pad;
};

// A package as its entries and the bytes after them, so that a vector can
// change one thing and still know every offset.
struct Pkg {
  std::vector<Entry> entries;
  std::string end = end_of_archive();

  std::string bytes() const;
  Entry& at(std::string_view name);
  std::size_t index(std::string_view name) const;
  std::uint64_t offset(std::string_view name) const;       // of the header
  std::uint64_t data_offset(std::string_view name) const;  // of the data
  std::uint64_t pad_offset(std::string_view name) const;   // of the padding
  std::uint64_t end_offset() const;                        // of the end-of-archive blocks
  void insert_before(std::string_view name, Entry e);      // "" appends after the last entry
  void erase(std::string_view name);
};

// A padded entry with the canonical header.
Entry entry(std::string name, std::string data, std::int64_t mtime);
// An entry holding arbitrary raw bytes (a hand-made header, a pax entry...).
Entry raw(std::string name, std::string bytes);

// The keys of tests/vectors/keys/ by file name without ".pem". Signatures by
// ECDSA and RSA-PSS are randomised: a signature is reused from the vectors
// found on disk when one by the same key, with the same parameters, verifies
// over the same message, so a run over unchanged inputs rewrites identical bytes.
enum class Variant {
  standard,        // as docs/FORMAT.md says
  other_digest,    // ECDSA with the other SHA-2 (P-256 with SHA-384, P-384 with SHA-256)
  rsa_pkcs1_v15,   // RSA with PKCS #1 v1.5 padding instead of PSS
  rsa_pss_salt64,  // RSA-PSS with a 64-byte salt
  leading_zero,    // standard, and an RSA signature whose first byte is zero (about 1 in 256)
};

class Keys {
 public:
  explicit Keys(const std::string& dir);
  // Collects every signature envelope of the .fwpkg files under `dir`.
  void harvest(const std::string& dir);

  Algorithm algorithm(std::string_view key) const;
  KeyId id(std::string_view key) const;
  const EVP_PKEY* public_key(std::string_view key) const;
  const SigningKey& signing_key(std::string_view key) const;  // signs as verify_signature expects
  std::string sign(std::string_view key, std::string_view message, Variant v = Variant::standard);
  // The canonical envelope of a standard signature over signed_bytes(manifest).
  std::string envelope(std::string_view key, std::string_view manifest_bytes);
  std::string entry_name(std::string_view key) const;  // signature/<key id>.json

  std::size_t reused() const { return reused_; }
  std::size_t fresh() const { return fresh_; }

 private:
  struct Key {
    std::unique_ptr<SigningKey> signer;  // load_software_key
    ossl::PKey private_key;                      // the same key, for the variants
    Algorithm alg{};
    KeyId id{};
  };
  const Key& get(std::string_view key) const;

  std::map<std::string, Key, std::less<>> keys_;
  std::map<KeyId, std::vector<std::string>> old_;  // signatures found on disk, by key id
  std::size_t reused_ = 0, fresh_ = 0;
};

// What a vector package holds, before it becomes bytes: the test kit's
// builder (manifest, images, sbom, manifest_bytes_override, keep_digests) and
// the names of the keys that sign it.
struct Spec : test::PackageBuilder {
  Spec() : test::PackageBuilder(100, 300) {}
  std::vector<std::string> signers;  // key names
};

// acme-cam 1.4.2, security version 3, hardware acme-cam-v1 and acme-cam-v2,
// images kernel (100 bytes) and rootfs (300 bytes), no SBOM, signed by ed25519.
Spec base_spec();
// The same as a version-2 package (signatures first, signature_space 2048).
Spec base_spec_v2();
Pkg assemble(Spec spec, Keys& keys);

using test::pattern;  // deterministic filler bytes
// The value of `r`, or an exception naming `what`: the generator stops at
// the first thing it cannot make.
template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r.ok()) throw std::runtime_error(what + ": " + r.error().message);
  return std::move(r).value();
}
inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// `text` with its one occurrence of `from` replaced; throws unless there is exactly one.
std::string replaced(std::string text, std::string_view from, std::string_view to);
// The index of the first byte where `a` and `b` differ.
std::size_t first_difference(std::string_view a, std::string_view b);

}  // namespace fwseal::vectors
