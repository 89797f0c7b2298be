#include "fwseal/inventory/purl_match.h"

#include <gtest/gtest.h>

namespace fwseal::inventory {
namespace {

PurlQuery query(const char* purl) {
  auto q = PurlQuery::parse(purl);
  EXPECT_TRUE(q.ok()) << purl;
  return *q;
}

TEST(PurlMatch, TypeNamespaceName) {
  auto q = query("pkg:deb/debian/curl");
  EXPECT_TRUE(q.matches("pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"));
  EXPECT_TRUE(q.matches("pkg:deb/Debian/Curl@1"));  // deb names are case-insensitive
  EXPECT_FALSE(q.matches("pkg:deb/ubuntu/curl@7.88.1"));
  EXPECT_FALSE(q.matches("pkg:generic/curl@7.88.1"));
  EXPECT_FALSE(q.matches("pkg:deb/debian/libcurl4@7.88.1"));
  EXPECT_FALSE(q.matches("not a purl"));
}

TEST(PurlMatch, UpstreamSourcePackage) {
  auto q = query("pkg:deb/debian/openssl");
  EXPECT_TRUE(q.matches("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=arm64&upstream=openssl"));
  EXPECT_TRUE(q.matches("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?upstream=openssl%403.0.11-1~deb12u2"));
  auto only = query("pkg:deb/debian/libssl3?upstream=openssl");
  EXPECT_TRUE(only.matches("pkg:deb/debian/libssl3@3?upstream=openssl"));
  EXPECT_FALSE(only.matches("pkg:deb/debian/libssl3@3"));
}

TEST(PurlMatch, DistroAndArchNarrow) {
  auto q = query("pkg:deb/debian/curl?arch=arm64&distro=debian-12");
  EXPECT_TRUE(q.matches("pkg:deb/debian/curl@7?arch=arm64&distro=debian-12"));
  EXPECT_FALSE(q.matches("pkg:deb/debian/curl@7?arch=amd64&distro=debian-12"));
  EXPECT_FALSE(q.matches("pkg:deb/debian/curl@7?arch=arm64"));
}

TEST(PurlMatch, VersionInTheSchemeOrder) {
  auto q = query("pkg:deb/debian/curl@0:7.88.1-10");
  EXPECT_TRUE(q.matches("pkg:deb/debian/curl@7.88.1-10"));
  EXPECT_FALSE(q.matches("pkg:deb/debian/curl@7.88.1-11"));
  EXPECT_FALSE(q.matches("pkg:deb/debian/curl"));
  EXPECT_TRUE(query("pkg:generic/busybox@1.36.1").matches("pkg:generic/busybox@1.36.1.0"));
}

TEST(PurlMatch, BadPurlIsAUsageError) {
  auto q = PurlQuery::parse("pkg:deb");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.error().code, Code::usage);
  EXPECT_EQ(q.error().message, "--purl: invalid purl \"pkg:deb\": no type");
}

}  // namespace
}  // namespace fwseal::inventory
