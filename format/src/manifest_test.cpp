#include "fwseal/format/manifest.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

Manifest sample() {
  Manifest m;
  m.product = "acme-cam";
  m.version = "1.4.2";
  m.security_version = 3;
  m.hardware = {"acme-cam-rev-b", "acme-cam-rev-c"};
  m.created = 1700000000;
  m.images = {{"bootloader", "bootloader", 10, sha256("a")}, {"rootfs", "rootfs", 1u << 20, sha256("b")}};
  return m;
}

TEST(Manifest, SerializesCanonicallyAndRoundTrips) {
  auto bytes = serialize_manifest(sample());
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_EQ(bytes->substr(0, 38), R"({"created":1700000000,"format":"fwseal)");
  EXPECT_NE(bytes->find(R"("security_version":"3")"), std::string::npos);
  auto parsed = parse_manifest(*bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->bytes, *bytes);
  EXPECT_EQ(parsed->content.images[1].name, "rootfs");
  EXPECT_EQ(parsed->content.images[1].sha256, sha256("b"));
  EXPECT_EQ(parsed->content.hardware, sample().hardware);
}

TEST(Manifest, SecurityVersionKeepsTheFull64Bits) {
  Manifest m = sample();
  m.security_version = UINT64_MAX;
  auto bytes = serialize_manifest(m);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(bytes->find(R"("security_version":"18446744073709551615")"), std::string::npos);
  EXPECT_EQ(parse_manifest(*bytes)->content.security_version, UINT64_MAX);
  EXPECT_FALSE(parse_security_version("18446744073709551616", "x").ok());
  EXPECT_FALSE(parse_security_version("007", "x").ok());
  EXPECT_FALSE(parse_security_version("-1", "x").ok());
  EXPECT_FALSE(parse_security_version("", "x").ok());
  EXPECT_EQ(*parse_security_version("0", "x"), 0u);
}

struct BadManifest {
  const char* name;
  void (*mutate)(Manifest&);
  const char* message;
};

class ManifestRules : public ::testing::TestWithParam<BadManifest> {};

TEST_P(ManifestRules, RefusedWithTheFieldNamed) {
  Manifest m = sample();
  GetParam().mutate(m);
  auto r = serialize_manifest(m);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_NE(r.error().message.find(GetParam().message), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    All, ManifestRules,
    ::testing::Values(
        BadManifest{"slash", [](Manifest& m) { m.images[0].name = "a/b"; }, "manifest.images[0].name: image name \"a/b\""},
        BadManifest{"dotdot", [](Manifest& m) { m.images[0].name = "a..b"; }, "contains \"..\""},
        BadManifest{"leading_dot", [](Manifest& m) { m.images[0].name = ".hidden"; }, "manifest.images[0].name"},
        BadManifest{"nul", [](Manifest& m) { m.images[0].name = std::string("a\0b", 3); }, "a\\x00b"},
        BadManifest{"control", [](Manifest& m) { m.images[1].name = "a\nb"; }, "manifest.images[1].name"},
        BadManifest{"long", [](Manifest& m) { m.images[0].name = std::string(65, 'a'); }, "1 to 64"},
        BadManifest{"duplicate", [](Manifest& m) { m.images[1].name = "bootloader"; }, "duplicate image name"},
        BadManifest{"no_images", [](Manifest& m) { m.images.clear(); }, "manifest.images: at least one image"},
        BadManifest{"type", [](Manifest& m) { m.images[0].type = "Boot"; }, "manifest.images[0].type"},
        BadManifest{"no_hw", [](Manifest& m) { m.hardware.clear(); }, "manifest.hardware: at least one"},
        BadManifest{"hw_space", [](Manifest& m) { m.hardware[0] = "rev b"; }, "has a space"},
        BadManifest{"hw_unsorted", [](Manifest& m) { std::swap(m.hardware[0], m.hardware[1]); }, "sorted and unique"},
        BadManifest{"product_empty", [](Manifest& m) { m.product.clear(); }, "manifest.product"},
        BadManifest{"version_ctrl", [](Manifest& m) { m.version = "1\t2"; }, "manifest.version"},
        BadManifest{"version_c1", [](Manifest& m) { m.version = "1.4\xc2\x9b" "2"; }, "control character"},
        BadManifest{"product_c1", [](Manifest& m) { m.product = "cam\xc2\x85"; }, "manifest.product: \"cam\\u{0085}\" contains a control character"},
        BadManifest{"bad_utf8", [](Manifest& m) { m.product = "\xc3"; }, "not valid UTF-8"},
        BadManifest{"negative_time", [](Manifest& m) { m.created = -1; }, "manifest.created"},
        BadManifest{"y2038", [](Manifest& m) { m.created = 2147483647; }, "1970-01-01 to 2038-01-19"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(ManifestParse, RefusesUnknownMembersAndNonCanonicalBytes) {
  auto bytes = *serialize_manifest(sample());
  std::string extra = bytes;
  extra.insert(1, R"("aaa":1,)");
  auto r = parse_manifest(extra);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "R14: manifest.aaa: unknown member");
  std::string spaced = bytes;
  spaced.insert(1, " ");
  EXPECT_EQ(parse_manifest(spaced).error().message,
            "R14: manifest.json: not canonical JSON (RFC 8785): first difference at byte 1");
  std::string upper = bytes;
  auto at = upper.find("\"sha256\":\"") + 10;
  upper[at] = 'A';
  EXPECT_FALSE(parse_manifest(upper).ok());
}

TEST(ManifestParse, RefusesOtherFormatVersions) {
  auto bytes = *serialize_manifest(sample());
  auto at = bytes.find("\"format_version\":2");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 18, "\"format_version\":3");
  auto r = parse_manifest(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "R7: manifest.format_version: version 3 is not supported (this fwseal reads versions 1 and 2)");
}

TEST(ManifestParse, SignatureSpaceBelongsToVersion2) {
  Manifest m = sample();
  auto v2 = parse_manifest(*serialize_manifest(m));
  ASSERT_TRUE(v2.ok()) << v2.error().message;
  EXPECT_EQ(v2->content.format_version, 2);
  EXPECT_EQ(v2->content.signature_space, kDefaultSignatureSpace);
  EXPECT_NE(v2->bytes.find("\"signature_space\":16384"), std::string::npos);

  m.format_version = kManifestFormatVersion1;
  m.signature_space = 0;
  const std::string v1_bytes = *serialize_manifest(m);
  EXPECT_EQ(v1_bytes.find("signature_space"), std::string::npos);
  auto v1 = parse_manifest(v1_bytes);
  ASSERT_TRUE(v1.ok()) << v1.error().message;
  EXPECT_EQ(v1->content.format_version, 1);

  m.signature_space = 512;  // a version-1 manifest has no signature area
  EXPECT_EQ(serialize_manifest(m).error().message,
            "R23: manifest.signature_space: a version-1 manifest has no signature area");
  m = sample();
  for (std::uint64_t bad : {std::uint64_t{0}, std::uint64_t{1000}, std::uint64_t{2} << 20}) {
    m.signature_space = bad;
    EXPECT_EQ(serialize_manifest(m).error().message, "R23: manifest.signature_space: " + std::to_string(bad) +
                                                         " must be a multiple of 512 from 512 to 1048576");
  }
}

// An image encrypted for two recipients (R26).
Manifest encrypted_sample() {
  Manifest m = sample();
  enc::ImageEncryption e;
  e.chunk_size = 4096;
  e.plaintext_size = 10000;
  e.plaintext_sha256 = sha256("plain");
  enc::WrappedKey a{enc::KeyAgreement::x25519, sha256("r1"), std::string(32, 'e'), std::string(48, 'w')};
  enc::WrappedKey b{enc::KeyAgreement::p256, sha256("r2"), std::string(65, 'f'), std::string(48, 'v')};
  e.recipients = a.recipient < b.recipient ? std::vector{a, b} : std::vector{b, a};
  m.images[1].size = enc::ciphertext_size(10000, 4096);
  m.images[1].encryption = e;
  return m;
}

TEST(ManifestEncryption, RoundTripsAndAPlainImageHasNoEncryptionFields) {
  EXPECT_EQ(serialize_manifest(sample())->find("encryption"), std::string::npos);
  const std::string bytes = *serialize_manifest(encrypted_sample());
  EXPECT_NE(bytes.find(R"("encryption":{"chunk_size":4096,"cipher":"aes-256-gcm-chunked-v1","plaintext_sha256":")"),
            std::string::npos);
  auto parsed = parse_manifest(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->bytes, bytes);
  EXPECT_FALSE(parsed->content.images[0].encryption);
  const auto& e = *parsed->content.images[1].encryption;
  EXPECT_EQ(e.plaintext_size, 10000u);
  EXPECT_EQ(e.plaintext_sha256, sha256("plain"));
  ASSERT_EQ(e.recipients.size(), 2u);
  EXPECT_EQ(e.recipients[0].wrapped.size(), 48u);
  EXPECT_EQ(*serialize_manifest(parsed->content), bytes);
}

TEST(ManifestEncryption, RefusedWithRule26AndTheFieldNamed) {
  auto refused = [](void (*mutate)(Manifest&)) {
    Manifest m = encrypted_sample();
    mutate(m);
    auto r = serialize_manifest(m);
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(refused([](Manifest& m) { m.images[1].size += 1; }),
            "R26: manifest.images[1].size: 10085 is not the size of 10000 bytes encrypted in chunks of 4096 (10084)");
  EXPECT_EQ(refused([](Manifest& m) { m.images[1].encryption->chunk_size = 5000; }),
            "R26: manifest.images[1].encryption.chunk_size: 5000 is not a power of two from 4096 to 16777216");
  EXPECT_EQ(refused([](Manifest& m) { std::swap(m.images[1].encryption->recipients[0], m.images[1].encryption->recipients[1]); }),
            "R26: manifest.images[1].encryption.recipients[1].key_id: recipients must be sorted by key id and unique");
  EXPECT_EQ(refused([](Manifest& m) { m.images[1].encryption->recipients.clear(); }),
            "R26: manifest.images[1].encryption.recipients: 1 to 32 recipients, got 0");
  EXPECT_EQ(refused([](Manifest& m) {
              m.format_version = kManifestFormatVersion1;
              m.signature_space = 0;
            }),
            "R26: manifest.images[1].encryption: encrypted images need format version 2");

  const std::string bytes = *serialize_manifest(encrypted_sample());
  auto replaced = [&](std::string_view from, std::string_view to) {
    std::string b = bytes;
    b.replace(b.find(from), from.size(), to);
    auto r = parse_manifest(b);
    return r.ok() ? std::string("accepted") : r.error().message;
  };
  EXPECT_EQ(replaced("aes-256-gcm-chunked-v1", "aes-256-gcm-chunked-v2"),
            "R26: manifest.images[1].encryption.cipher: expected \"aes-256-gcm-chunked-v1\", found \"aes-256-gcm-chunked-v2\"");
  EXPECT_EQ(replaced("\"x25519\"", "\"x448\""),
            "R26: manifest.images[1].encryption.recipients[" +
                std::string(encrypted_sample().images[1].encryption->recipients[0].agreement == enc::KeyAgreement::x25519 ? "0" : "1") +
                "].agreement: unknown key agreement \"x448\" (known: ecdh-p256, x25519)");
  const std::string extra = replaced("\"cipher\":\"aes-256-gcm-chunked-v1\",", "\"cipher\":\"aes-256-gcm-chunked-v1\",\"iv\":\"00\",");
  EXPECT_EQ(extra, "R26: manifest.images[1].encryption.iv: unknown member");
}

}  // namespace
}  // namespace fwseal
