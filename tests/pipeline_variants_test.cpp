// Variant matrices: one release file, many packages, built by ninja in
// parallel; a re-run rebuilds only what changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int kVariants = 6;

class PipelineVariants : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.keygen("ed", "ed25519");
    write_bytes(ws_.path("boot.bin"), std::string(3000, 'b'));
    write_bytes(ws_.path("kernel.bin"), std::string(5000, 'k'));
    // Models 0-2 share app-a.bin, models 3-5 share app-b.bin.
    write_bytes(ws_.path("app-a.bin"), "application A");
    write_bytes(ws_.path("app-b.bin"), "application B");
    std::string variants;
    for (int i = 0; i < kVariants; ++i)
      variants += std::string(i ? ",\n" : "") + R"({"name": "cam)" + std::to_string(i) + R"(", "hardware": ["cam)" +
                  std::to_string(i) + R"(-rev-a"], "images": [{"name": "app", "type": "application", "path": "app-)" +
                  (i < 3 ? "a" : "b") + R"(.bin"}]})";
    write_bytes(ws_.path("release.json"), R"({
      "product": "acme-cam", "version": "5.0", "security_version": 5, "created": 1790000000,
      "images": [{"name": "boot", "type": "bootloader", "path": "boot.bin"},
                 {"name": "kernel", "type": "kernel", "path": "kernel.bin"}],
      "signing": {"keys": [{"uri": ")" + ws_.key_uri("ed") + R"("}]},
      "output": "out",
      "variants": [)" + variants + "]}");
  }

  nlohmann::json run(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args{"pipeline", "run", ws_.path("release.json"), "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = ws_.fwseal(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  std::string package(int i) const {
    return ws_.path("out/cam" + std::to_string(i) + "/acme-cam-5.0-cam" + std::to_string(i) + ".fwpkg");
  }

  std::map<int, fs::file_time_type> mtimes() const {
    std::map<int, fs::file_time_type> out;
    for (int i = 0; i < kVariants; ++i) out[i] = fs::last_write_time(package(i));
    return out;
  }

  Workspace ws_{"variants"};
};

TEST_F(PipelineVariants, BuildsEveryVariantThenNothingThenOnlyWhatChanged) {
  auto first = run({"-j", "2"});
  EXPECT_EQ(first["verdict"], "pass");
  ASSERT_EQ(first["variants"].size(), static_cast<std::size_t>(kVariants));
  EXPECT_EQ(first["steps_run"], kVariants * 5);  // package (with the SBOM), sign, verify, provenance, repro
  for (int i = 0; i < kVariants; ++i) {
    auto v = ws_.verify({package(i), "--trust", ws_.path("out/trust.json"), "--hw",
                         "cam" + std::to_string(i) + "-rev-a", "--provenance", package(i) + ".intoto.jsonl"});
    EXPECT_EQ(v.exit_code, 0) << v.err;
    EXPECT_TRUE(fs::exists(ws_.path("out/cam" + std::to_string(i) + "/sbom.cdx.json")));
  }
  // The other models' hardware is not in a model's package.
  EXPECT_EQ(ws_.verify({package(0), "--trust", ws_.path("out/trust.json"), "--hw", "cam1-rev-a"}).exit_code, 15);
  auto report = nlohmann::json::parse(read_bytes(ws_.path("out/report.json")));
  EXPECT_EQ(report["variants"].size(), static_cast<std::size_t>(kVariants));
  EXPECT_EQ(report["variants"][4]["package"]["file"], "cam4/acme-cam-5.0-cam4.fwpkg");

  // Second run: ninja has no work, no package is touched.
  auto before = mtimes();
  auto report_mtime = fs::last_write_time(ws_.path("out/report.json"));
  auto second = run();
  EXPECT_EQ(second["steps_run"], 0);
  EXPECT_EQ(second["up_to_date"], true);
  EXPECT_EQ(mtimes(), before);
  EXPECT_EQ(fs::last_write_time(ws_.path("out/report.json")), report_mtime);

  // app-b.bin changes: only cam3-cam5 are rebuilt (5 steps each).
  write_bytes(ws_.path("app-b.bin"), "application B, fixed");
  auto third = run();
  EXPECT_EQ(third["steps_run"], 3 * 5);
  auto after = mtimes();
  for (int i = 0; i < kVariants; ++i) {
    if (i < 3)
      EXPECT_EQ(after[i], before[i]) << "cam" << i << " was rebuilt";
    else
      EXPECT_NE(after[i], before[i]) << "cam" << i << " was not rebuilt";
  }
  EXPECT_NE(third["variants"][3]["manifest_sha256"], second["variants"][3]["manifest_sha256"]);
  EXPECT_EQ(third["variants"][0]["manifest_sha256"], second["variants"][0]["manifest_sha256"]);

  // A shared image changes: every variant is rebuilt.
  write_bytes(ws_.path("kernel.bin"), std::string(5001, 'k'));
  auto fourth = run({"--no-repro"});
  EXPECT_EQ(fourth["steps_run"], kVariants * 4);
}

TEST_F(PipelineVariants, OneFailingVariantFailsTheRunAndNamesIt) {
  run({"--no-repro"});
  // cam4's package is damaged in the work tree after it was built: the
  // standalone verifier refuses it on the next run (its input changed).
  std::string work_pkg = ws_.path("out/.fwseal/v/cam4/acme-cam-5.0-cam4.fwpkg");
  std::string bytes = read_bytes(work_pkg);
  bytes[bytes.find("application B") ] = 'X';
  write_bytes(work_pkg, bytes);
  auto r = ws_.fwseal({"pipeline", "run", ws_.path("release.json"), "--no-repro"});
  EXPECT_EQ(r.exit_code, 11);
  EXPECT_THAT(r.err, ::testing::StartsWith("fwseal: variant cam4: verify: fwseal-verify: "));
  auto report = nlohmann::json::parse(read_bytes(ws_.path("out/.fwseal/report.json")));
  EXPECT_EQ(report["verdict"], "fail");
  EXPECT_EQ(report["variants"][4]["verdict"], "fail");
  EXPECT_EQ(report["variants"][3]["verdict"], "pass");
}

TEST_F(PipelineVariants, BuildNinjaHasFwsealEdgesPerVariant) {
  run({"--no-repro"});
  std::string ninja = read_bytes(ws_.path("out/.fwseal/build.ninja"));
  EXPECT_THAT(ninja, HasSubstr("/fwseal' 'package' '--quiet' '--force' '--spec'"));  // ninja rebuilds in place
  EXPECT_THAT(ninja, HasSubstr("/cam5/sbom.cdx.json' && : > "));
  EXPECT_THAT(ninja, HasSubstr("/fwseal' 'sign'"));
  EXPECT_THAT(ninja, HasSubstr("/fwseal-verify' "));
  EXPECT_THAT(ninja, HasSubstr("desc = sign cam5\n  pool = hsm\n"));
}

}  // namespace
}  // namespace fwseal::test
