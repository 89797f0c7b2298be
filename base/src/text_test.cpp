#include "fwseal/base/text.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

TEST(Quote, KeepsPrintableTextAndUtf8) {
  EXPECT_EQ(quote("rootfs.img"), "\"rootfs.img\"");
  EXPECT_EQ(quote("caméra"), "\"caméra\"");
  EXPECT_EQ(quote(""), "\"\"");
}

TEST(Quote, EscapesEveryControlByte) {
  EXPECT_EQ(quote(std::string("a\0b", 3)), "\"a\\x00b\"");
  EXPECT_EQ(quote("1.4.2\x07"), "\"1.4.2\\x07\"");
  EXPECT_EQ(quote("x\x7fy"), "\"x\\x7fy\"");
  EXPECT_EQ(quote("\x1b[31mred"), "\"\\x1b[31mred\"");
  EXPECT_EQ(quote("say \"hi\"\\"), "\"say \\x22hi\\x22\\x5c\"");
  // C1 controls (U+009B is a terminal's one-byte CSI) and direction overrides.
  EXPECT_EQ(quote("a\xc2\x9b" "b"), "\"a\\u{009b}b\"");
  EXPECT_EQ(quote("evil\xe2\x80\xae" "gpj.exe"), "\"evil\\u{202e}gpj.exe\"");
}

TEST(Quote, EscapesBytesThatAreNotUtf8) {
  EXPECT_EQ(quote("\xff\xfe"), "\"\\xff\\xfe\"");
  EXPECT_EQ(quote("\xc0\xaf"), "\"\\xc0\\xaf\"");          // overlong '/'
  EXPECT_EQ(quote("\xed\xa0\x80"), "\"\\xed\\xa0\\x80\"");  // a surrogate
  EXPECT_EQ(quote("ok\xe2\x82"), "\"ok\\xe2\\x82\"");       // cut sequence
}

TEST(Quote, CutsLongTextAtACharacter) {
  EXPECT_EQ(quote(std::string(300, 'a')), "\"" + std::string(200, 'a') + "\"...");
  EXPECT_EQ(quote("abcdef", 3), "\"abc\"...");
  EXPECT_EQ(quote("abc", 3), "\"abc\"");
  EXPECT_EQ(quote("ab\xc3\xa9z", 3), "\"ab\xc3\xa9\"...");  // é is kept whole
}

TEST(ValidUtf8, RefusesMalformedSequences) {
  EXPECT_TRUE(valid_utf8("plain"));
  EXPECT_TRUE(valid_utf8("\xf0\x9f\x94\x92"));
  EXPECT_FALSE(valid_utf8("\xc0\x80"));
  EXPECT_FALSE(valid_utf8("\xed\xb0\x80"));
  EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));
  EXPECT_FALSE(valid_utf8("\x80"));
}

TEST(AsciiLower, OnlyAsciiLettersChange) {
  EXPECT_EQ(ascii_lower("BusyBox-1.36.1_RC"), "busybox-1.36.1_rc");
  EXPECT_EQ(ascii_lower("\xc3\x84rger"), "\xc3\x84rger");  // UTF-8 bytes are kept as they are
  EXPECT_EQ(ascii_lower(""), "");
}

}  // namespace
}  // namespace fwseal
