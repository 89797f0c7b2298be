// Structure (steps 1-6): truncation, trailing data, padding, headers, and a
// sweep that flips single bytes everywhere in a signed package.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fwseal/base/digest.h"
#include "fwseal/verifier/verify.h"
#include "test_package.h"

namespace fwseal::verifier {
namespace {

using test::PackageBuilder;
using test::Region;
using test::test_key;
using test::trust_for;
using test::verify_bytes;

const test::TestKey& key() { return test_key(Algorithm::ed25519, 0); }

struct Built {
  std::string bytes;
  std::vector<Region> regions;
};

Built small_package(bool with_sbom = true, bool version_2 = false) {
  PackageBuilder b;
  if (version_2) b.use_version_2(2048);
  if (with_sbom) b.sbom = R"({"bomFormat":"CycloneDX","components":[]})";
  b.sign_with(key());
  b.sign_with(test_key(Algorithm::ecdsa_p256, 0));
  Built out;
  out.bytes = b.build(&out.regions);
  return out;
}

const Region& region(const Built& p, std::string_view what) {
  for (const auto& r : p.regions)
    if (r.what == what) return r;
  throw std::runtime_error("no region " + std::string(what));
}

TrustPolicy trust() { return trust_for({&key(), &test_key(Algorithm::ecdsa_p256, 0)}, 2); }

void expect_malformed(const std::string& pkg, std::string_view text, const std::string& context) {
  VerifyReport r = verify_bytes(pkg, trust());
  ASSERT_FALSE(r.status.ok()) << context;
  EXPECT_EQ(r.status.error().code, Code::malformed) << context << ": " << r.status.error().message;
  EXPECT_NE(r.status.error().message.find(text), std::string::npos)
      << context << ": \"" << r.status.error().message << "\" lacks \"" << text << "\"";
}

TEST(Structure, TheSmallPackageIsValid) {
  Built p = small_package();
  VerifyReport r = verify_bytes(p.bytes, trust());
  ASSERT_TRUE(r.ok()) << r.status.error().message;
  EXPECT_EQ(r.signatures_valid, 2u);
}

void truncations_are_malformed(const Built& p) {
  std::set<std::uint64_t> cuts;
  for (const auto& r : p.regions) {
    cuts.insert(r.offset);
    if (r.size > 0) {
      cuts.insert(r.offset + 1);
      cuts.insert(r.offset + r.size / 2);
      cuts.insert(r.offset + r.size - 1);
    }
  }
  for (std::uint64_t at = 0; at < p.bytes.size(); at += 97) cuts.insert(at);
  cuts.erase(p.bytes.size());
  for (std::uint64_t cut : cuts) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    expect_malformed(p.bytes.substr(0, cut), "package ends at offset " + std::to_string(cut),
                     "cut at " + std::to_string(cut));
  }
}

TEST(Structure, TruncationAtEveryBoundaryAndInsideEveryEntry) { truncations_are_malformed(small_package()); }

// Version 2: cut before the decision or after it, a truncated package is malformed.
TEST(Version2, TruncationAtEveryBoundaryAndInsideEveryEntry) {
  truncations_are_malformed(small_package(true, true));
}

TEST(Structure, TruncationMessageNamesTheEntry) {
  Built p = small_package();
  const Region& data = region(p, "image/rootfs data");
  expect_malformed(p.bytes.substr(0, data.offset + 10),
                   "package ends at offset " + std::to_string(data.offset + 10) + " inside image/rootfs", "rootfs");
  const Region& header = region(p, "image/kernel header");
  expect_malformed(p.bytes.substr(0, header.offset + 10), "inside the header of image/kernel", "kernel header");
  const Region& pad = region(p, "manifest.json padding");
  expect_malformed(p.bytes.substr(0, pad.offset + 1), "inside the padding of manifest.json", "manifest padding");
  const Region& end = region(p, "end of archive");
  expect_malformed(p.bytes.substr(0, end.offset), "where a signature entry or the end-of-archive marker must start",
                   "no end");
  expect_malformed(p.bytes.substr(0, end.offset + 512), "inside the end-of-archive marker", "one end block");
  expect_malformed("", "package ends at offset 0 inside the header of manifest.json", "empty");
}

TEST(Structure, DataAfterTheEnd) {
  Built p = small_package();
  const std::string n = std::to_string(p.bytes.size());
  expect_malformed(p.bytes + "x", "data after the end of the archive at offset " + n, "one byte");
  expect_malformed(p.bytes + std::string(512, '\0'), "data after the end of the archive at offset " + n,
                   "a third zero block");
  expect_malformed(p.bytes + std::string(10240, '\0'), "data after the end of the archive", "a record of zeros");
}

TEST(Structure, NonZeroPaddingAndEndBlocks) {
  Built p = small_package();
  for (const char* what : {"manifest.json padding", "sbom.cdx.json padding", "image/kernel padding",
                           "image/rootfs padding"}) {
    const Region& r = region(p, what);
    ASSERT_GT(r.size, 1u) << what;
    std::string pkg = p.bytes;
    pkg[r.offset + r.size - 1] = '\x01';
    expect_malformed(pkg, "padding byte at offset " + std::to_string(r.offset + r.size - 1) + " is not zero", what);
  }
  for (const auto& r : p.regions) {
    if (!r.what.starts_with("signature/") || !r.what.ends_with("padding") || r.size == 0) continue;
    std::string pkg = p.bytes;
    pkg[r.offset] = ' ';
    expect_malformed(pkg, "is not zero", r.what);
  }
  const Region& end = region(p, "end of archive");
  std::string pkg = p.bytes;
  pkg[end.offset + 512 + 100] = '\x01';
  expect_malformed(pkg, "end-of-archive marker: byte at offset " + std::to_string(end.offset + 612) + " is not zero",
                   "second end block");
  pkg = p.bytes;
  pkg[end.offset + 7] = '\x01';  // the first end block then looks like a (broken) header
  expect_malformed(pkg, "offset " + std::to_string(end.offset), "first end block");
}

// A field changed with a recomputed checksum still parses as a tar header; only
// the comparison with the canonical header catches it.
TEST(Structure, HeaderFieldChangedWithAValidChecksum) {
  Built p = small_package();
  struct Change {
    const char* entry;
    std::size_t field;  // offset in the header block
    char value;
  };
  std::vector<Change> changes = {
      {"manifest.json header", 100 + 3, '7'},   // mode 000644 -> 000744
      {"image/kernel header", 136 + 3, '1'},    // mtime
      {"image/rootfs header", 108 + 5, '1'},    // uid 0 -> 8
      {"sbom.cdx.json header", 116 + 5, '1'},   // gid
      {"image/rootfs header", 265, 'x'},        // uname ""
      {"image/kernel header", 345, 'x'},        // ustar prefix
  };
  for (const auto& r : p.regions)
    if (r.what.starts_with("signature/") && r.what.ends_with("header")) changes.push_back({nullptr, 108 + 5, '1'});
  std::size_t sig = 0;
  for (const auto& c : changes) {
    std::uint64_t at = 0;
    std::string what;
    if (c.entry) {
      at = region(p, c.entry).offset;
      what = c.entry;
    } else {
      std::size_t seen = 0;
      for (const auto& r : p.regions)
        if (r.what.starts_with("signature/") && r.what.ends_with("header") && seen++ == sig) {
          at = r.offset;
          what = r.what;
        }
      ++sig;
    }
    std::string pkg = p.bytes;
    ASSERT_NE(pkg[at + c.field], c.value) << what;
    pkg[at + c.field] = c.value;
    test::rewrite_checksum(pkg, static_cast<std::size_t>(at));
    auto parsed = parse_tar_header(std::string_view(pkg).substr(static_cast<std::size_t>(at), 512), "x");
    ASSERT_TRUE(parsed.ok()) << what << ": " << parsed.error().message;
    // Past the checksum field, the checksum itself is the first difference.
    expect_malformed(pkg,
                     "is not the canonical one: first difference at offset " +
                         (c.field < 148 ? std::to_string(at + c.field) : std::to_string(at + 148).substr(0, 2)),
                     what);
  }
}

TEST(Structure, ManifestHeaderRules) {
  std::string huge = *tar_header("manifest.json", kMaxManifestBytes + 1, 0);
  expect_malformed(huge, "more than the limit", "huge manifest");
  std::string other = *tar_header("image/kernel", 10, 0) + std::string(512, '\0');
  expect_malformed(other, "the first entry must be manifest.json", "no manifest first");
  expect_malformed(std::string(2048, 'A'), "offset 0", "garbage");
  expect_malformed(std::string(1024, '\0'), "offset 0", "empty archive");
}

TEST(Structure, ManifestThatIsNotCanonicalIsMalformed) {
  PackageBuilder b;
  std::string mb = b.manifest_bytes();
  mb.insert(1, " ");
  b.manifest_bytes_override = mb;
  b.sign_with(key());
  expect_malformed(b.build(), "not canonical JSON", "manifest with a space");
}

TEST(Structure, UnexpectedEntriesWhereSignaturesBelong) {
  auto with_entry = [](std::string name, std::string data) {
    PackageBuilder b;
    b.sign_with(key());
    b.add_entry([=](std::string_view) { return test::SignatureEntry{name, data}; });
    return b.build();
  };
  expect_malformed(with_entry("image/extra", "x"), "entry \"image/extra\" where a signature entry", "extra image");
  std::string upper(64, 'A');
  expect_malformed(with_entry("signature/" + upper + ".json", "{}"), "where a signature entry", "uppercase id");
  expect_malformed(with_entry("signature/" + std::string(64, 'a') + ".jsn", "{}"), "where a signature entry",
                   "suffix");

  // Envelope and name disagree.
  const test::TestKey* k = &key();
  const test::TestKey* other = &test_key(Algorithm::ecdsa_p256, 0);
  PackageBuilder b;
  b.add_entry([=](std::string_view mb) {
    return test::SignatureEntry{signature_entry_name(to_hex(other->id)), test::envelope_json(*k, mb)};
  });
  expect_malformed(b.build(), "is not the one in the entry name", "name mismatch");

  expect_malformed(with_entry("signature/" + std::string(64, 'a') + ".json", "{\"format\":\"x\"}"),
                   "signature/aaaa", "not an envelope");
}

TEST(Structure, SignatureEntryLimits) {
  PackageBuilder big;
  big.add_entry([](std::string_view) {
    return test::SignatureEntry{"signature/" + std::string(64, 'b') + ".json",
                                std::string(kMaxSignatureEntryBytes + 1, ' ')};
  });
  expect_malformed(big.build(), "more than the limit of 262144", "large entry");

  PackageBuilder many;
  for (std::size_t i = 0; i <= kMaxSignatures; ++i) {
    many.add_entry([i](std::string_view) {
      SignatureEnvelope env;
      env.algorithm = Algorithm::ed25519;
      env.key_id = sha256("fake key " + std::to_string(i));
      env.signature = std::string(64, 's');
      return test::SignatureEntry{signature_entry_name(to_hex(env.key_id)), *serialize_envelope(env)};
    });
  }
  expect_malformed(many.build(), "more than 32 signature entries", "33 signatures");
}

// Invariant 5: any single changed byte anywhere is rejected, with a code of the
// package checks (10-15), never accepted and never an internal error.
void every_flip_is_rejected(const Built& p) {
  ASSERT_TRUE(verify_bytes(p.bytes, trust()).ok());
  std::map<std::string, std::size_t> flips_per_region;
  std::map<int, std::size_t> per_code;
  std::size_t flips = 0;
  const TrustPolicy t = trust();
  // A quarter of all bytes, the position in each 4-byte group rotating so every
  // field offset is hit somewhere, plus the first and last byte of every region.
  std::set<std::size_t> positions;
  for (std::size_t k = 0; 4 * k < p.bytes.size(); ++k) positions.insert(std::min(4 * k + k % 4, p.bytes.size() - 1));
  for (const auto& r : p.regions)
    if (r.size > 0) {
      positions.insert(static_cast<std::size_t>(r.offset));
      positions.insert(static_cast<std::size_t>(r.offset + r.size - 1));
    }
  for (std::size_t i : positions) {
    std::string pkg = p.bytes;
    pkg[i] = static_cast<char>(pkg[i] ^ (i % 3 == 0 ? 0x01 : i % 3 == 1 ? 0x80 : 0x20));
    VerifyReport r = verify_bytes(pkg, t);
    ++flips;
    std::string where;
    for (const auto& reg : p.regions)
      if (i >= reg.offset && i < reg.offset + reg.size) where = reg.what;
    ++flips_per_region[where];
    ASSERT_FALSE(r.status.ok()) << "flip at " << i << " (" << where << ") was accepted";
    int code = exit_code(r.status.error().code);
    ASSERT_TRUE(code >= 10 && code <= 15)
        << "flip at " << i << " (" << where << "): code " << code << ": " << r.status.error().message;
    ++per_code[code];
  }
  EXPECT_GE(flips, 2000u);
  for (const auto& r : p.regions)
    if (r.size > 0) {
      EXPECT_GT(flips_per_region[r.what], 0u) << r.what;
    }
  EXPECT_GT(per_code[10], 0u);
  EXPECT_GT(per_code[11], 0u);
  EXPECT_GT(per_code[12], 0u);
}

TEST(TamperSweep, EverySingleByteFlipIsRejected) { every_flip_is_rejected(small_package()); }

// Version 2: the signature area (both envelopes by trusted keys, then spaces) included.
TEST(Version2, EverySingleByteFlipIsRejected) { every_flip_is_rejected(small_package(true, true)); }

}  // namespace
}  // namespace fwseal::verifier
