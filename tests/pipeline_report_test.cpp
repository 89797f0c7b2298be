// report.html and report.json as an auditor reads them: the component table,
// relative links to the published files, the provenance checked (and failing
// when tampered with), the build time and builder, each signature's audit-log
// line, no path of the build machine; and report.html in a real browser:
// headless Chromium (Debian's chromium package, installed by the
// pipeline_report_browser_setup fixture in tests/CMakeLists.txt) shows it
// offline and prints it to PDF without a mostly empty page.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>

#include "fwseal/base/digest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

// `count` components in the rootfs besides zlib and busybox, each with a purl.
std::string release_json(const Workspace& ws, const std::string& extra, int count = 0) {
  std::string comps = R"({"name": "zlib", "version": "1.3.1", "license": "Zlib", "image": "rootfs", "purl": "pkg:generic/zlib@1.3.1"},
                   {"name": "busybox", "version": "1.36.1", "license": "GPL-2.0-only", "image": "rootfs"})";
  for (int i = 0; i < count; ++i)
    comps += ",\n{\"name\": \"libexample" + std::to_string(i) + "\", \"version\": \"2." + std::to_string(i) +
             ".0\", \"license\": \"" + (i % 3 ? "MIT" : "Apache-2.0") + "\", \"image\": \"rootfs\", \"purl\": \"pkg:generic/libexample" +
             std::to_string(i) + "@2." + std::to_string(i) + ".0\"}";
  return R"({"product": "acme-cam", "version": "7.1", "security_version": 7,)" + extra + R"( "hardware": ["rev-b"],
    "images": [{"name": "bootloader", "type": "bootloader", "path": "a.bin"},
               {"name": "rootfs", "type": "rootfs", "path": "b.bin"}],
    "components": [)" + comps + R"(],
    "signing": {"keys": [{"uri": ")" + ws.key_uri("ed") + R"("}]},
    "output": "out"})";
}

RunOptions no_sde(const Workspace& ws) {
  RunOptions o = ws.env();
  o.unset.push_back("SOURCE_DATE_EPOCH");
  return o;
}

std::vector<std::string> hrefs(const std::string& html) {
  std::vector<std::string> out;
  static const std::regex href("href=\"([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), href), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

// Paths of the build machine: the workspace itself and the usual roots.
void expect_no_machine_paths(const std::string& text, const Workspace& ws, const std::string& what) {
  EXPECT_THAT(text, Not(HasSubstr(ws.dir().path()))) << what;
  for (const char* root : {"/tmp/", "/home/", "/work/", "/root/", "/var/tmp/", "/builds/"})
    EXPECT_THAT(text, Not(HasSubstr(root))) << what;
}

class PipelineReport : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.keygen("ed", "ed25519");
    ws_.write_spec();
  }
  Workspace ws_{"report"};
};

TEST_F(PipelineReport, ChromiumShowsVerdictAndImageTable) {
  write_bytes(ws_.path("release.json"), release_json(ws_, R"( "created": 1790000000,)"));
  auto r = ws_.fwseal({"pipeline", "run", ws_.path("release.json")}, no_sde(ws_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html_path = ws_.path("out/report.html");
  const std::string html = read_bytes(html_path);
  // Self-contained: no scripts, nothing fetched; links only to files beside it.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
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
  auto report = nlohmann::json::parse(read_bytes(ws_.path("out/report.json")));
  for (const auto& img : report["variants"][0]["images"]) {
    EXPECT_THAT(dom, HasSubstr("<td>" + img["name"].get<std::string>() + "</td>"));
    EXPECT_THAT(dom, HasSubstr(img["sha256"].get<std::string>()));
  }
  EXPECT_THAT(dom, HasSubstr("70,000"));      // b.bin's size
  EXPECT_THAT(dom, HasSubstr("GPL-2.0-only"));  // SBOM by licence
  EXPECT_THAT(dom, HasSubstr("byte-for-byte identical"));

  std::vector<std::string> shot = headless_chromium(profile.path());
  shot.push_back("--screenshot=" + ws_.path("report.png"));
  shot.push_back("--window-size=1200,2000");
  shot.push_back("file://" + html_path);
  auto s = run(shot, o);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string png = read_bytes(ws_.path("report.png"));
  ASSERT_GT(png.size(), 1000u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST_F(PipelineReport, ComponentsLinksProvenanceBuildAndAuditLines) {
  write_bytes(ws_.path("release.json"), release_json(ws_, R"( "created": 1790000000,)"));
  auto r = ws_.fwseal({"pipeline", "run", ws_.path("release.json")}, no_sde(ws_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json_text = read_bytes(ws_.path("out/report.json"));
  const std::string html = read_bytes(ws_.path("out/report.html"));
  auto report = nlohmann::json::parse(json_text);
  const auto& v = report["variants"][0];

  // The component table: every component, with its image and how it was found.
  const auto& rows = v["sbom"]["component_list"];
  ASSERT_EQ(rows.size(), 2u) << rows.dump();
  EXPECT_EQ(v["sbom"]["components"], 2);
  const auto zlib = std::find_if(rows.begin(), rows.end(), [](const auto& c) { return c["name"] == "zlib"; });
  ASSERT_NE(zlib, rows.end());
  EXPECT_EQ((*zlib)["version"], "1.3.1");
  EXPECT_EQ((*zlib)["licence"], "Zlib");
  EXPECT_EQ((*zlib)["purl"], "pkg:generic/zlib@1.3.1");
  EXPECT_EQ((*zlib)["images"], nlohmann::json::array({"rootfs"}));
  EXPECT_EQ((*zlib)["identified_by"], nlohmann::json::array({"declared by the build (components file)"}));
  EXPECT_EQ((*zlib)["techniques"], nlohmann::json::array({"other"}));
  EXPECT_THAT(html, HasSubstr("<td>zlib</td><td>1.3.1</td><td>Zlib</td><td class=\"purl\">pkg:generic/zlib@1.3.1</td><td>rootfs</td>"
                              "<td>declared by the build (components file)</td>"));
  EXPECT_THAT(html, HasSubstr("<td>busybox</td><td>1.36.1</td><td>GPL-2.0-only</td>"));

  // Links: relative, and each names a published file next to report.html.
  std::vector<std::string> files;
  for (const auto& f : report["files"]) files.push_back(f["file"]);
  for (const auto& f : v["files"]) files.push_back(f["file"]);
  EXPECT_THAT(files, ::testing::UnorderedElementsAre("trust.json", "report.json", "acme-cam-7.1.fwpkg", "sbom.cdx.json",
                                                     "acme-cam-7.1.fwpkg.intoto.jsonl"));
  const auto links = hrefs(html);
  EXPECT_THAT(links, ::testing::UnorderedElementsAreArray(files));
  for (const auto& l : links) {
    EXPECT_NE(l.front(), '/') << l;
    EXPECT_THAT(l, Not(HasSubstr(":"))) << l;  // no scheme
    EXPECT_TRUE(fs::is_regular_file(ws_.path("out/" + l))) << l;
  }

  // The provenance, verified: by the signing key, for this manifest.
  const auto& pv = v["provenance"]["verification"];
  EXPECT_EQ(pv["result"], "pass") << pv.dump();
  EXPECT_EQ(pv["key_id"], report["signing_keys"][0]["key_id"]);
  EXPECT_EQ(pv["builder_id"], report["build"]["builder_id"]);
  EXPECT_THAT(pv["builder_id"].get<std::string>(), ::testing::StartsWith("urn:fwseal:builder:fwseal@"));
  EXPECT_EQ(pv["started_on"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(pv["in_trust_policy"], true);

  // Build time: the release file's created, saying so.
  EXPECT_EQ(report["build"]["time"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(report["build"]["time_source"], "release");
  EXPECT_THAT(html, HasSubstr("2026-09-21T14:13:20Z (the release file&#39;s created)"));

  // Each signature's audit-log line: the line of the log with that key and manifest.
  const std::string log = read_bytes(ws_.path("hsm/audit.log"));
  std::vector<nlohmann::json> lines;
  for (std::size_t at = 0, nl; (nl = log.find('\n', at)) != std::string::npos; at = nl + 1)
    lines.push_back(nlohmann::json::parse(log.substr(at, nl - at)));
  const auto& sig = v["signatures"][0];
  ASSERT_TRUE(sig["audit"].is_object()) << sig.dump();
  const auto& line = lines.at(sig["audit"]["seq"].get<std::size_t>() - 1);
  EXPECT_EQ(line["target"], "manifest");
  EXPECT_EQ(line["key_id"], sig["key_id"]);
  EXPECT_EQ(line["manifest_sha256"], v["package"]["manifest_sha256"]);
  EXPECT_EQ(sig["audit"]["time"], line["time"]);
  EXPECT_EQ(sig["audit"]["host"], line["host"]);
  const auto& pline = lines.at(pv["audit"]["seq"].get<std::size_t>() - 1);
  EXPECT_EQ(pline["target"], "provenance");
  EXPECT_EQ(pline["manifest_sha256"], v["package"]["manifest_sha256"]);
  EXPECT_EQ(report["audit_log"]["signed_lines_matched"], 2);
  EXPECT_THAT(html, HasSubstr("line " + sig["audit"]["seq"].dump() + ", " + line["time"].get<std::string>()));

  expect_no_machine_paths(json_text, ws_, "report.json");
  expect_no_machine_paths(html, ws_, "report.html");
  EXPECT_EQ(report["release_file"], "release.json");
}

TEST_F(PipelineReport, TamperedProvenanceFailsItsVerification) {
  write_bytes(ws_.path("release.json"), release_json(ws_, R"( "created": 1790000000,)"));
  ASSERT_EQ(ws_.fwseal({"pipeline", "run", ws_.path("release.json")}, no_sde(ws_)).exit_code, 0);
  // One signature character changed in the work tree's provenance, its
  // mtime kept: ninja sees nothing to do, the report checks it again.
  const std::string prov = ws_.path("out/.fwseal/v/release/acme-cam-7.1.fwpkg.intoto.jsonl");
  struct stat st {};
  ASSERT_EQ(::stat(prov.c_str(), &st), 0);
  std::string bytes = read_bytes(prov);
  const auto at = bytes.find("\"sig\":\"") + 7;
  bytes[at] = bytes[at] == 'A' ? 'B' : 'A';
  {
    std::ofstream f(prov, std::ios::binary | std::ios::trunc);
    f << bytes;
  }
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, prov.c_str(), times, 0), 0);

  auto r = ws_.fwseal({"pipeline", "run", ws_.path("release.json")}, no_sde(ws_));
  EXPECT_NE(r.exit_code, 0);
  auto report = nlohmann::json::parse(read_bytes(ws_.path("out/.fwseal/report.json")));
  const auto& pv = report["variants"][0]["provenance"]["verification"];
  EXPECT_EQ(pv["result"], "fail") << pv.dump();
  EXPECT_TRUE(pv["key_id"].is_null());
  EXPECT_TRUE(pv["builder_id"].is_null());
  EXPECT_EQ(report["verdict"], "fail");
  EXPECT_TRUE(report["build"]["builder_id"].is_null());
  EXPECT_THAT(report["message"].get<std::string>(), HasSubstr("provenance: "));
  EXPECT_THAT(r.err, HasSubstr("provenance: "));
  // Nothing new was published; the failed run's report, in the work tree,
  // links to the files the run left there.
  const auto& v = report["variants"][0];
  EXPECT_EQ(v["package"]["file"], "v/release/acme-cam-7.1.fwpkg");
  EXPECT_EQ(v["provenance"]["file"], "v/release/acme-cam-7.1.fwpkg.intoto.jsonl");
  const auto links = hrefs(read_bytes(ws_.path("out/.fwseal/report.html")));
  EXPECT_THAT(links, ::testing::Contains("v/release/sbom.cdx.json"));
  for (const auto& l : links) EXPECT_TRUE(fs::is_regular_file(ws_.path("out/.fwseal/" + l))) << l;
}

TEST_F(PipelineReport, BuildTimeSaysWhereItCameFromAndNeverShows1970) {
  write_bytes(ws_.path("release.json"), release_json(ws_, ""));
  auto r = ws_.fwseal({"pipeline", "run", ws_.path("release.json")}, no_sde(ws_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(read_bytes(ws_.path("out/report.json")));
  EXPECT_TRUE(report["build"]["time"].is_null());
  EXPECT_EQ(report["build"]["time_source"], "none");
  EXPECT_THAT(report["build"]["time_text"].get<std::string>(), HasSubstr("not recorded"));
  const std::string html = read_bytes(ws_.path("out/report.html"));
  EXPECT_THAT(html, Not(HasSubstr("1970")));
  EXPECT_THAT(read_bytes(ws_.path("out/report.json")), Not(HasSubstr("1970")));
  EXPECT_THAT(html, HasSubstr("not recorded"));

  RunOptions sde;  // Workspace::fwseal adds its own environment, which unsets SOURCE_DATE_EPOCH unless set here
  sde.env["SOURCE_DATE_EPOCH"] = "1790000000";
  r = ws_.fwseal({"pipeline", "run", ws_.path("release.json"), "-o", ws_.path("out2")}, sde);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  report = nlohmann::json::parse(read_bytes(ws_.path("out2/report.json")));
  EXPECT_EQ(report["build"]["time"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(report["build"]["time_source"], "SOURCE_DATE_EPOCH");
  EXPECT_THAT(read_bytes(ws_.path("out2/report.html")), HasSubstr("2026-09-21T14:13:20Z (SOURCE_DATE_EPOCH)"));
}

// One page of a PGM (P5, 8-bit) file: its height and the last row with ink.
struct PageInk {
  std::size_t height = 0;
  std::size_t last_inked_row = 0;
};
PageInk page_ink(const std::string& pgm) {
  std::size_t pos = 0;
  auto token = [&] {
    while (pos < pgm.size() && (std::isspace(static_cast<unsigned char>(pgm[pos])) || pgm[pos] == '#')) {
      if (pgm[pos] == '#') pos = pgm.find('\n', pos);
      ++pos;
    }
    std::size_t start = pos;
    while (pos < pgm.size() && !std::isspace(static_cast<unsigned char>(pgm[pos]))) ++pos;
    return pgm.substr(start, pos - start);
  };
  EXPECT_EQ(token(), "P5");
  const std::size_t w = std::stoul(token()), h = std::stoul(token());
  EXPECT_EQ(token(), "255");
  ++pos;  // the one whitespace after maxval
  PageInk ink;
  ink.height = h;
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x)
      if (static_cast<unsigned char>(pgm[pos + y * w + x]) < 200) {
        ink.last_inked_row = y;
        break;
      }
  return ink;
}

// Printed through headless Chromium, a release of three variants, each with
// a realistic SBOM, fills several pages, and no page but the last is mostly
// empty. Each variant's section is shorter than a page: a layout that keeps
// sections whole pushes each to a new page and leaves the page before it
// mostly blank (as report.html once did). The criterion: render each page in
// grey at 30 dpi and find its last row with ink; it must lie below 60% of the
// page height. Blank space down to the bottom of a page is exactly what a
// pushed block leaves, and this measures it without depending on fonts or
// on how many lines a row wraps into, as counting text lines would.
// Chromium's own header and footer are turned off, else they would put ink
// at the bottom of every page.
TEST_F(PipelineReport, PrintedPdfHasNoMostlyEmptyPage) {
  std::string variants;
  for (int i = 0; i < 3; ++i)
    variants += std::string(i ? ", " : "") + R"({"name": "cam)" + std::to_string(i) + R"(", "hardware": ["cam)" +
                std::to_string(i) + R"(-rev-a"]})";
  write_bytes(ws_.path("release.json"),
              release_json(ws_, R"( "created": 1790000000, "variants": [)" + variants + "],", 10));
  auto r = ws_.fwseal({"pipeline", "run", ws_.path("release.json"), "--no-repro"}, no_sde(ws_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = ws_.path("out/report.html");
  TempDir profile;
  std::vector<std::string> print = headless_chromium(profile.path());
  const std::string pdf = ws_.path("report.pdf");
  print.insert(print.end(), {"--no-pdf-header-footer", "--print-to-pdf-no-header", "--print-to-pdf=" + pdf, "file://" + html});
  RunOptions o;
  o.unset = chromium_unset();
  auto p = run(print, o);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  ASSERT_TRUE(fs::is_regular_file(pdf)) << p.err;

  auto pages = run({"pdftoppm", "-gray", "-r", "30", pdf, ws_.path("page")});
  ASSERT_EQ(pages.exit_code, 0) << pages.err;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(ws_.dir().path()))
    if (e.path().filename().string().rfind("page-", 0) == 0) files.push_back(e.path());
  std::sort(files.begin(), files.end());  // page-01.pgm … (pdftoppm pads to the same width)
  ASSERT_GE(files.size(), 3u) << "a report of three variants should fill several pages";
  for (std::size_t i = 0; i + 1 < files.size(); ++i) {
    const PageInk ink = page_ink(read_bytes(files[i]));
    EXPECT_GE(ink.last_inked_row * 10, ink.height * 6)
        << "page " << i + 1 << " of " << files.size() << " is mostly empty: its last ink is at row " << ink.last_inked_row
        << " of " << ink.height;
  }
}

}  // namespace
}  // namespace fwseal::test
