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
