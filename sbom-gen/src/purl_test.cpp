#include "fwseal/sbom/purl.h"

#include <gtest/gtest.h>

namespace fwseal::sbom {
namespace {

TEST(Purl, EncodesLikePurlSpec) {
  EXPECT_EQ(make_purl("deb", "debian", "busybox-static", "1:1.35.0-4+deb12u1+b1", {{"arch", "amd64"}}),
            "pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1%2Bb1?arch=amd64");
  EXPECT_EQ(make_purl("generic", "", "my lib", "1.0"), "pkg:generic/my%20lib@1.0");
  EXPECT_EQ(make_purl("opkg", "", "busybox", "1.36.1-r0", {{"arch", ""}}), "pkg:opkg/busybox@1.36.1-r0");
}

TEST(Purl, ParsesWhatItWrites) {
  auto p = parse_purl("pkg:deb/debian/busybox-static@1:1.35.0-4%2Bdeb12u1?arch=amd64", "x");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->type, "deb");
  EXPECT_EQ(p->ns, "debian");
  EXPECT_EQ(p->name, "busybox-static");
  EXPECT_EQ(p->version, "1:1.35.0-4+deb12u1");
}

TEST(Purl, RejectsMalformed) {
  EXPECT_EQ(parse_purl("npm/foo@1", "c.purl").error().message,
            "c.purl: invalid purl \"npm/foo@1\": does not start with \"pkg:\"");
  EXPECT_NE(parse_purl("pkg:1abc/foo", "x").error().message.find("type must start with a letter"), std::string::npos);
  EXPECT_NE(parse_purl("pkg:npm/", "x").error().message.find("empty name"), std::string::npos);
  EXPECT_NE(parse_purl("pkg:npm/foo%2", "x").error().message.find("truncated %-escape"), std::string::npos);
  EXPECT_NE(parse_purl("pkg:npm/foo%zz", "x").error().message.find("invalid %-escape"), std::string::npos);
  EXPECT_NE(parse_purl("pkg:npm/fo o", "x").error().message.find("space"), std::string::npos);
  EXPECT_NE(parse_purl("pkg:npm/foo?arch", "x").error().message.find("key=value"), std::string::npos);
  EXPECT_NE(parse_purl("pkg:npm/foo@", "x").error().message.find("empty version"), std::string::npos);
}

TEST(Purl, WithoutVersionKeepsQualifiers) {
  EXPECT_EQ(purl_without_version("pkg:deb/debian/curl@7.88.1-10?arch=amd64"), "pkg:deb/debian/curl?arch=amd64");
  EXPECT_EQ(purl_without_version("pkg:generic/zlib"), "pkg:generic/zlib");
  EXPECT_EQ(purl_without_version("nonsense"), "");
}

}  // namespace
}  // namespace fwseal::sbom
