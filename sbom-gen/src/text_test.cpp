#include "text.h"

#include <gtest/gtest.h>

namespace fwseal::sbom {
namespace {

TEST(Text, GlobMatchesWholeNames) {
  EXPECT_TRUE(glob_match("libz.so.*", "libz.so.1.2.13"));
  EXPECT_FALSE(glob_match("libz.so.*", "libz.so"));
  EXPECT_TRUE(glob_match("busybox", "busybox"));
  EXPECT_FALSE(glob_match("busybox", "busybox2"));
  EXPECT_TRUE(glob_match("*/lighttpd/mod_*.so", "/usr/lib/lighttpd/mod_cgi.so"));
  EXPECT_TRUE(glob_match("u-boot?bin", "u-boot.bin"));
  EXPECT_TRUE(glob_match("*", ""));
}

TEST(Text, GlobIsLinearOnHostileNames) {
  std::string name(100000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*b", name));
}

TEST(Text, SanitizeReplacesInvalidUtf8) {
  EXPECT_EQ(sanitize_utf8("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(sanitize_utf8("bad \xff!"), "bad \xef\xbf\xbd!");
  EXPECT_EQ(sanitize_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // a surrogate
  EXPECT_FALSE(is_clean_text("tab\there"));
  EXPECT_TRUE(is_clean_text("caf\xc3\xa9"));
}

TEST(Text, NormalizesImagePaths) {
  EXPECT_EQ(normalize_image_path("./usr/bin/curl"), "/usr/bin/curl");
  EXPECT_EQ(normalize_image_path("usr/bin/curl"), "/usr/bin/curl");
  EXPECT_EQ(normalize_image_path("/usr/lib/"), "/usr/lib");
  EXPECT_EQ(normalize_image_path("./"), "/");
}

TEST(Text, ShownEscapesAndCuts) {
  EXPECT_EQ(shown("a\"b\n"), "\"a\\x22b\\x0a\"");
  EXPECT_EQ(shown(std::string(100, 'x')), "\"" + std::string(80, 'x') + "\"...");  // base's quote()
  EXPECT_EQ(shown("\xc2\x85"), "\"\\u{0085}\"");  // a C1 control, as every message shows it
}

TEST(Text, SplitLinesDropsCarriageReturns) {
  auto lines = split_lines("a\r\nb\n\nc");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "a");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3], "c");
}

}  // namespace
}  // namespace fwseal::sbom
