// report.html in a real browser: headless Chromium (Debian's chromium
// package, installed by the pipeline_report_browser_setup fixture in
// tests/CMakeLists.txt) opens the page offline and must show the verdict and
// the image table; a screenshot must work.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(PipelineReport, ChromiumShowsVerdictAndImageTable) {
  Workspace ws("report");
  ws.keygen("ed", "ed25519");
  ws.write_spec();
  write_bytes(ws.path("release.json"), R"({"product": "acme-cam", "version": "7.1", "security_version": 7,
    "created": 1790000000, "hardware": ["rev-b"],
    "images": [{"name": "bootloader", "type": "bootloader", "path": "a.bin"},
               {"name": "rootfs", "type": "rootfs", "path": "b.bin"}],
    "components": [{"name": "zlib", "version": "1.3.1", "license": "Zlib", "image": "rootfs"},
                   {"name": "busybox", "version": "1.36.1", "license": "GPL-2.0-only", "image": "rootfs"}],
    "signing": {"keys": [{"uri": ")" + ws.key_uri("ed") + R"("}]},
    "output": "out"})");
  auto r = ws.fwseal({"pipeline", "run", ws.path("release.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html_path = ws.path("out/report.html");
  const std::string html = read_bytes(html_path);
  // Self-contained: no scripts, nothing fetched.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));

  TempDir profile;
  std::vector<std::string> dump = headless_chromium(profile.path());
  dump.push_back("--dump-dom");
  dump.push_back("file://" + html_path);
  RunOptions o;
  o.unset = chromium_unset();
  auto d = run(dump, o);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  const std::string& dom = d.out;
  EXPECT_THAT(dom, HasSubstr("Verdict: PASS"));
  EXPECT_THAT(dom, HasSubstr("<table class=\"images\""));
  auto report = nlohmann::json::parse(read_bytes(ws.path("out/report.json")));
  for (const auto& img : report["variants"][0]["images"]) {
    EXPECT_THAT(dom, HasSubstr("<td>" + img["name"].get<std::string>() + "</td>"));
    EXPECT_THAT(dom, HasSubstr(img["sha256"].get<std::string>()));
  }
  EXPECT_THAT(dom, HasSubstr("70,000"));      // b.bin's size
  EXPECT_THAT(dom, HasSubstr("GPL-2.0-only"));  // SBOM by licence
  EXPECT_THAT(dom, HasSubstr("byte-for-byte identical"));

  std::vector<std::string> shot = headless_chromium(profile.path());
  shot.push_back("--screenshot=" + ws.path("report.png"));
  shot.push_back("--window-size=1200,2000");
  shot.push_back("file://" + html_path);
  auto s = run(shot, o);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string png = read_bytes(ws.path("report.png"));
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace
}  // namespace fwseal::test
