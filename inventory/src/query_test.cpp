#include "fwseal/inventory/query.h"

#include <gtest/gtest.h>

#include "fwseal/inventory/add.h"
#include "fwseal/testing/temp_dir.h"
#include "test_inventory.h"
#include "test_sbom.h"

namespace fwseal::inventory {
namespace {

class QueryTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = inventory_.open();
    ASSERT_NE(db_, nullptr);
    int serial = 1;
    for (const char* v : {"1.36.0", "1.36.1-r2", "1.36.1-r18", "1.36.2"}) {
      char s[13];
      std::snprintf(s, sizeof s, "%012d", serial++);
      auto r = add_sbom(*db_, sbom_with(v, s), "x", "gw", std::string("2.") + std::to_string(serial), false);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
  }
  std::vector<std::string> versions(const Query& q) {
    auto hits = run_query(*db_, q);
    EXPECT_TRUE(hits.ok()) << (hits.ok() ? "" : hits.error().message);
    std::vector<std::string> out;
    if (hits.ok())
      for (const auto& h : *hits) out.push_back(h.component_version);
    return out;
  }
  TestInventory inventory_{GetParam()};
  std::unique_ptr<Connection> db_;
};

TEST_P(QueryTest, PurlWithRangeOrdersDistroRevisions) {
  Query q;
  q.purl = PurlQuery::parse("pkg:generic/busybox").value();
  q.range = VersionRange::parse("vers:generic/>=1.36.1-r3|<1.36.2").value();
  EXPECT_EQ(versions(q), std::vector<std::string>{"1.36.1-r18"});
  q.range.reset();
  EXPECT_EQ(versions(q).size(), 4u);
}

TEST_P(QueryTest, UpstreamSourceNameFindsBinaryPackages) {
  Query q;
  q.purl = PurlQuery::parse("pkg:deb/debian/openssl").value();
  q.range = VersionRange::parse("vers:deb/<3.0.13-1~deb12u1").value();
  auto hits = run_query(*db_, q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 4u);
  EXPECT_EQ((*hits)[0].component, "libssl3");
  EXPECT_EQ((*hits)[0].images, "[\"rootfs\"]");
  EXPECT_FALSE((*hits)[0].verified);
  q.range = VersionRange::parse("vers:deb/<3.0.11-1~deb12u2").value();
  EXPECT_TRUE(versions(q).empty());
}

TEST_P(QueryTest, ByNameAndByCpe) {
  Query by_name;
  by_name.name = "busybox";
  EXPECT_EQ(versions(by_name).size(), 4u);
  Query by_cpe;
  by_cpe.cpe = "cpe:2.3:a:openssl:openssl:3.0.11";
  EXPECT_EQ(versions(by_cpe).size(), 4u);
  by_cpe.cpe = "cpe:2.3:a:openssl:openssl:3.0.12";
  EXPECT_TRUE(versions(by_cpe).empty());
}

TEST_P(QueryTest, OutputsNameTheReleases) {
  Query q;
  q.name = "busybox";
  q.range = VersionRange::parse("vers:generic/1.36.2").value();
  q.on = parse_date("2026-12-03", "t").value();
  ASSERT_TRUE(set_lifecycle(*db_, "gw", parse_date("2020-01-01", "t").value(), std::nullopt).ok());
  auto hits = run_query(*db_, q);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits_to_csv(*hits),
            "product,version,verified,stage,hardware,images,component,component_version,purl,cpe\n"
            "gw,2.5,no,fixes,,rootfs,busybox,1.36.2,pkg:generic/busybox@1.36.2,\n");
  EXPECT_NE(hits_to_json(*hits).find("\"verified\": false"), std::string::npos);
  EXPECT_NE(hits_to_table(*hits).find("2.5 (unverified)"), std::string::npos);
}

TEST_P(QueryTest, BadQueries) {
  Query none;
  auto r = run_query(*db_, none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::usage);
  auto cpe = check_cpe("cpe:/a:openssl:openssl");
  ASSERT_FALSE(cpe.ok());
  EXPECT_EQ(cpe.error().message,
            "invalid CPE \"cpe:/a:openssl:openssl\": expected cpe:2.3:PART:VENDOR:PRODUCT[:VERSION...] with PART a, o "
            "or h");
}

INSTANTIATE_TEST_SUITE_P(Engines, QueryTest, kEngines, engine_name);

}  // namespace
}  // namespace fwseal::inventory
