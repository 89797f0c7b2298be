#include "fwseal/base/digest.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

TEST(Digest, KnownAnswers) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto h = Hasher::sha512();
  h.update(std::string_view("abc"));
  EXPECT_EQ(to_hex(h.finish()).substr(0, 16), "ddaf35a193617aba");
}

TEST(Digest, IncrementalEqualsOneShot) {
  auto h = Hasher::sha256();
  h.update(std::string_view("a"));
  h.update(std::string_view("bc"));
  EXPECT_EQ(to_hex(h.finish()), sha256_hex("abc"));
}

TEST(Hex, RoundTripAndStrictness) {
  auto raw = from_hex("00ff10", 3, "x");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(to_hex(*raw), "00ff10");
  EXPECT_FALSE(from_hex("00FF10", 3, "x").ok());  // one canonical spelling
  auto short_hex = from_hex("00ff", 3, "field");
  ASSERT_FALSE(short_hex.ok());
  EXPECT_EQ(short_hex.error().message, "field: expected 6 lowercase hex digits, found 4 characters");
}

TEST(Base64, CanonicalOnly) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  auto d = base64_decode("aGVsbG8=", "s");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "hello");
  EXPECT_FALSE(base64_decode("aGVsbG9=", "s").ok());  // stray bits in the last character
  EXPECT_FALSE(base64_decode("aGVsbG8", "s").ok());
  EXPECT_FALSE(base64_decode("aGVs bG8=", "s").ok());
  EXPECT_EQ(*base64_decode("", "s"), "");
}

}  // namespace
}  // namespace fwseal
