#include "fwseal/format/layout.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

TEST(Layout, HeaderIsOneCanonicalUstarBlock) {
  auto h = tar_header("image/kernel", 100, 1700000000);
  ASSERT_TRUE(h.ok()) << h.error().message;
  ASSERT_EQ(h->size(), 512u);
  EXPECT_EQ(h->substr(0, 12), "image/kernel");
  EXPECT_EQ(h->substr(100, 8), std::string("000644 \0", 8));
  EXPECT_EQ(h->substr(257, 6), std::string("ustar\0", 6));
  auto parsed = parse_tar_header(*h, "offset 0");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->name, "image/kernel");
  EXPECT_EQ(parsed->size, 100u);
  // Deterministic: the same inputs always give the same bytes.
  EXPECT_EQ(*h, *tar_header("image/kernel", 100, 1700000000));
}

TEST(Layout, SizesAbove8GiBUseAPaxHeader) {
  const std::uint64_t size = 9ull << 30;
  auto h = tar_header("image/rootfs", size, 0);
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 1536u);
  EXPECT_NE(h->find("size=9663676416\n"), std::string::npos);
  // The reader of single blocks refuses extension headers: only images may have them.
  EXPECT_FALSE(parse_tar_header(h->substr(0, 512), "x").ok());
}

TEST(Layout, ParseRefusesGarbageAndZeroBlocks) {
  EXPECT_FALSE(parse_tar_header(std::string(512, '\0'), "x").ok());
  auto r = parse_tar_header(std::string(512, 'A'), "offset 1024");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_NE(r.error().message.find("offset 1024"), std::string::npos);
}

TEST(Layout, OffsetsFollowTheManifest) {
  Manifest m;
  m.created = 5;
  m.images = {{"a", "kernel", 1, {}}, {"b", "rootfs", 513, {}}};
  m.sbom = SbomInfo{10, {}};
  m.signature_space = 2048;
  auto l = compute_layout(m, 700);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 5u);
  EXPECT_EQ((*l)[0].name, "manifest.json");
  EXPECT_EQ((*l)[0].data_offset, 512u);
  EXPECT_EQ((*l)[0].end_offset, 512u + 1024u);
  // Version 2: the signature area right after the manifest, its size from the manifest.
  EXPECT_EQ((*l)[1].name, "signatures.json");
  EXPECT_EQ((*l)[1].kind, EntryLayout::Kind::signatures);
  EXPECT_EQ((*l)[1].data_offset, 512u + 1024u + 512u);
  EXPECT_EQ((*l)[1].end_offset, (*l)[1].data_offset + 2048u);
  EXPECT_EQ((*l)[2].name, "sbom.cdx.json");
  EXPECT_EQ((*l)[3].name, "image/a");
  EXPECT_EQ((*l)[3].image, 0u);
  EXPECT_EQ((*l)[4].image, 1u);
  EXPECT_EQ((*l)[4].header_offset, (*l)[3].end_offset);
  EXPECT_EQ((*l)[4].end_offset, (*l)[4].data_offset + 1024u);
  EXPECT_EQ(padded_size(0), 0u);
  EXPECT_EQ(padded_size(512), 512u);
}

TEST(Layout, Version1HasNoSignatureArea) {
  Manifest m;
  m.format_version = kManifestFormatVersion1;
  m.signature_space = 0;
  m.images = {{"a", "kernel", 1, {}}};
  auto l = compute_layout(m, 700);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[1].name, "image/a");
  EXPECT_EQ((*l)[1].header_offset, 512u + 1024u);
}

}  // namespace
}  // namespace fwseal
