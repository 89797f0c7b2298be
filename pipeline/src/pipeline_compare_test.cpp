// Mapping offsets to entries and fields, and comparing two builds.
#include <gtest/gtest.h>

#include "fwseal/pipeline/compare.h"

namespace fwseal::pipeline {
namespace {

Manifest sample() {
  Manifest m;
  m.product = "p";
  m.version = "1";
  m.hardware = {"hw"};
  m.created = 1;
  m.images = {{"boot", "bootloader", 1000, {}}, {"app", "application", 10, {}}};
  return m;
}

TEST(Compare, UstarFields) {
  EXPECT_EQ(ustar_field(0), "name");
  EXPECT_EQ(ustar_field(99), "name");
  EXPECT_EQ(ustar_field(100), "mode");
  EXPECT_EQ(ustar_field(130), "size");
  EXPECT_EQ(ustar_field(140), "mtime");
  EXPECT_EQ(ustar_field(150), "chksum");
  EXPECT_EQ(ustar_field(257), "magic");
  EXPECT_EQ(ustar_field(511), "pad");
}

TEST(Compare, LocatesHeaderDataAndPadding) {
  Manifest m = sample();
  auto layout = compute_layout(m, 300);
  ASSERT_TRUE(layout.ok());
  // manifest.json: header 0-511, data 512-811, padding to 1024; signatures.json
  // header at 1024, its 16384 bytes at 1536; image/boot header at 17920.
  EXPECT_EQ(locate(*layout, 136).describe(), "manifest.json header field mtime at offset 136");
  EXPECT_EQ(locate(*layout, 900).part, "padding");
  EXPECT_EQ(locate(*layout, 1536 + 3).describe(), "signatures.json data byte 3 at offset 1539");
  Location l = locate(*layout, 17920 + 512 + 17);
  EXPECT_EQ(l.entry, "image/boot");
  EXPECT_EQ(l.part, "data");
  EXPECT_EQ(l.field, "byte 17");
  EXPECT_EQ(locate(*layout, layout->back().end_offset).entry, "end of archive");
}

TEST(Compare, NamesTheManifestMember) {
  Manifest a = sample(), b = sample();
  EXPECT_EQ(first_manifest_difference(a, b), "");
  b.images[1].sha256[0] = 1;
  EXPECT_EQ(first_manifest_difference(a, b), "images[1].sha256 (app)");
  b.created = 2;
  EXPECT_EQ(first_manifest_difference(a, b), "created");
  auto layout = compute_layout(a, 300);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(locate(*layout, 600, &a, &b).describe(), "manifest.json data created at offset 600");
}

}  // namespace
}  // namespace fwseal::pipeline
