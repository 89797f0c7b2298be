// The SBOM summary and the HTML page.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fwseal/pipeline/report.h"

namespace fwseal::pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Report, SbomSummaryCountsByLicenceAndSource) {
  auto bom = nlohmann::json::parse(R"({"components": [
    {"name": "rootfs", "properties": [{"name": "fwseal:image-type", "value": "rootfs"}],
     "components": [{"name": "zlib", "licenses": [{"license": {"id": "Zlib"}}],
                     "evidence": {"identity": [{"methods": [{"technique": "binary-analysis"}]}]}}]},
    {"name": "libfoo", "licenses": [{"expression": "MIT OR Apache-2.0"}],
     "evidence": {"identity": [{"methods": [{"technique": "other"}]}]}},
    {"name": "blob"}],
    "metadata": {"properties": [{"name": "fwseal:warning", "value": "two versions of zlib"}]}})");
  auto s = sbom_summary(bom);
  EXPECT_EQ(s["components"], 3);
  EXPECT_EQ(s["by_licence"].dump(),
            R"([{"licence":"MIT OR Apache-2.0","components":1},{"licence":"Zlib","components":1},{"licence":"no licence declared","components":1}])");
  EXPECT_THAT(s["by_source"].dump(), HasSubstr(R"({"source":"found in the image binaries","components":1})"));
  EXPECT_EQ(s["warnings"][0], "two versions of zlib");
}

TEST(Report, SbomComponentsOneRowEachWithImageAndMethod) {
  auto bom = nlohmann::json::parse(R"({"components": [
    {"bom-ref": "image:rootfs", "name": "rootfs", "properties": [{"name": "fwseal:image-type", "value": "rootfs"}]},
    {"bom-ref": "image:boot", "name": "boot", "properties": [{"name": "fwseal:image-type", "value": "bootloader"}]},
    {"bom-ref": "c1", "name": "zlib", "version": "1.3.1", "purl": "pkg:deb/debian/zlib1g@1.3.1",
     "licenses": [{"license": {"id": "Zlib"}}],
     "evidence": {"identity": [{"methods": [{"technique": "manifest-analysis"}, {"technique": "binary-analysis"}]}]}},
    {"bom-ref": "c2", "name": "blob"}],
    "dependencies": [{"ref": "image:rootfs", "dependsOn": ["c1"]}, {"ref": "image:boot", "dependsOn": ["c1"]},
                     {"ref": "product", "dependsOn": ["c2"]}]})");
  auto rows = sbom_components(bom);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].dump(),
            R"({"name":"zlib","version":"1.3.1","licence":"Zlib","purl":"pkg:deb/debian/zlib1g@1.3.1","images":["boot","rootfs"],)"
            R"("identified_by":["build manifest or package database","found in the image binaries"],)"
            R"("techniques":["binary-analysis","manifest-analysis"]})");
  EXPECT_EQ(rows[1].dump(),
            R"({"name":"blob","version":null,"licence":"no licence declared","purl":null,"images":[],)"
            R"("identified_by":["not recorded"],"techniques":[]})");
}

TEST(Report, ReportPathIsNeverAbsolute) {
  EXPECT_EQ(report_path("/b/rel/certs/chain.pem", "/b/rel"), "certs/chain.pem");
  EXPECT_EQ(report_path("/elsewhere/keys/chain.pem", "/b/rel"), "chain.pem");
  EXPECT_EQ(report_path("/b/related/x.pem", "/b/rel"), "x.pem");
  EXPECT_EQ(report_path("policy.json", "/b/rel"), "policy.json");
}

TEST(Report, HtmlEscapesEverythingAndFetchesNothing) {
  nlohmann::ordered_json r = {{"product", "<script>alert(1)</script>"}, {"version", "1"}, {"release", "r"},
                              {"security_version", "1"}, {"created", "x"}, {"verdict", "pass"}, {"message", "ok"},
                              {"signing_keys", nlohmann::ordered_json::array()}, {"trust", nullptr},
                              {"variants", nlohmann::ordered_json::array()}, {"generated_by", "fwseal"},
                              {"release_file", "f"}};
  std::string html = render_html(r);
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("http://")));
  EXPECT_THAT(html, Not(HasSubstr("https://")));
  EXPECT_THAT(html, HasSubstr("Verdict: PASS"));
}

}  // namespace
}  // namespace fwseal::pipeline
