// The reproducibility check of `fwseal pipeline run`: a rebuild in a scratch
// directory under another environment must give the same unsigned bytes, and a
// difference fails the run naming the first differing entry and field.
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
using ::testing::StartsWith;

class PipelineRepro : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("repro");
    ws_->keygen("ed", "ed25519");
    ws_->write_spec();  // images a.bin, b.bin (70000 bytes), c.bin
  }
  static void TearDownTestSuite() { delete ws_; }

  // A release whose check rebuilds the images with `rebuild` (a shell command;
  // empty: the check copies the inputs).
  static std::string release(const std::string& name, const std::string& rebuild) {
    std::string repro = rebuild.empty() ? "" : R"(, "reproducibility": {"rebuild_images": )" + nlohmann::json(rebuild).dump() + "}";
    std::string text = R"({"product": "acme-cam", "version": "3.0", "security_version": 1, "created": 1790000000,
      "hardware": ["rev-b"],
      "images": [{"name": "bootloader", "type": "bootloader", "path": "a.bin"},
                 {"name": "rootfs", "type": "rootfs", "path": "b.bin"},
                 {"name": "config", "type": "config", "path": "c.bin"}],
      "signing": {"keys": [{"uri": ")" + ws_->key_uri("ed") + R"("}]},
      "output": "out/)" + name + "\"" + repro + "}";
    write_bytes(ws_->path(name + ".json"), text);
    return ws_->path(name + ".json");
  }
  static constexpr const char* kCopyImages =
      R"(for f in a.bin b.bin c.bin; do cp "$FWSEAL_RELEASE_DIR/$f" "$FWSEAL_REBUILD_DIR/$f"; done)";
  static Workspace* ws_;
};
Workspace* PipelineRepro::ws_ = nullptr;

TEST_F(PipelineRepro, IdenticalRebuildPasses) {
  auto r = ws_->fwseal({"pipeline", "run", release("same", kCopyImages), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(read_bytes(ws_->path("out/same/report.json")));
  const auto& repro = report["variants"][0]["reproducibility"];
  EXPECT_EQ(repro["result"], "pass");
  EXPECT_EQ(repro["manifest_sha256"]["released"], repro["manifest_sha256"]["rebuilt"]);
  EXPECT_THAT(repro["environment"]["inputs"].get<std::string>(), HasSubstr("rebuilt by: for f in"));
  EXPECT_TRUE(repro["environment"]["env"].contains("TZ"));
}

// Issue 15, point 6: FWSEAL_PIN reaches no child of `pipeline run`. The build
// steps (here the repro step, the rebuild script's parent) get the PIN as an
// inherited memory file named by FWSEAL_PIN_FILE; the rebuild script gets no
// PIN variable and no inherited descriptor.
TEST_F(PipelineRepro, PinFromTheEnvironmentReachesNoChild) {
  std::string probe = std::string(kCopyImages) +
                      R"(; tr '\0' '\n' < /proc/$PPID/environ > "$FWSEAL_RELEASE_DIR/step-env.txt")"
                      R"(; env > "$FWSEAL_RELEASE_DIR/rebuild-env.txt")"
                      R"(; ls -l /proc/$$/fd/ > "$FWSEAL_RELEASE_DIR/rebuild-fds.txt")";
  RunOptions o;
  o.env = {{"FWSEAL_PIN", "1234-user"}};
  o.unset = {"FWSEAL_PIN_FILE"};
  auto r = ws_->fwseal({"pipeline", "run", release("pin-env", probe)}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string step_env = read_bytes(ws_->path("step-env.txt"));
  EXPECT_THAT(step_env, Not(HasSubstr("FWSEAL_PIN=")));
  EXPECT_THAT(step_env, Not(HasSubstr("1234-user")));
  EXPECT_THAT(step_env, HasSubstr("FWSEAL_PIN_FILE=/proc/self/fd/"));
  std::string rebuild_env = read_bytes(ws_->path("rebuild-env.txt"));
  EXPECT_THAT(rebuild_env, Not(HasSubstr("FWSEAL_PIN")));
  EXPECT_THAT(rebuild_env, Not(HasSubstr("1234-user")));
  EXPECT_THAT(read_bytes(ws_->path("rebuild-fds.txt")), Not(HasSubstr("fwseal-pin")));
}

TEST_F(PipelineRepro, ImageThatChangesBetweenBuildsFailsTheRun) {
  // The rebuild gets a rootfs with one byte changed (same size): a
  // non-deterministic input, as a real build with an embedded build time has.
  const std::string rebuild = std::string(kCopyImages) +
                              R"( && printf 'Z' | dd of="$FWSEAL_REBUILD_DIR/b.bin" bs=1 seek=4096 conv=notrunc 2>/dev/null)";
  auto r = ws_->fwseal({"pipeline", "run", release("changed", rebuild)});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_THAT(r.err, StartsWith("fwseal: repro: not reproducible: manifest sha256 "));
  EXPECT_THAT(r.err, HasSubstr("first difference in manifest.json data images[1].sha256 (rootfs) at offset "));
  EXPECT_THAT(r.err, HasSubstr("differing entries: manifest.json sbom.cdx.json image/rootfs"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);

  // Nothing published; the report in the work tree says why.
  EXPECT_FALSE(fs::exists(ws_->path("out/changed/acme-cam-3.0.fwpkg")));
  auto report = nlohmann::json::parse(read_bytes(ws_->path("out/changed/.fwseal/report.json")));
  EXPECT_EQ(report["verdict"], "fail");
  const auto& repro = report["variants"][0]["reproducibility"];
  EXPECT_EQ(repro["result"], "fail");
  EXPECT_EQ(repro["first_difference"]["entry"], "manifest.json");
  EXPECT_EQ(repro["first_difference"]["part"], "data");
  EXPECT_EQ(repro["first_difference"]["field"], "images[1].sha256 (rootfs)");
  EXPECT_NE(repro["manifest_sha256"]["released"], repro["manifest_sha256"]["rebuilt"]);
}

TEST_F(PipelineRepro, RebuildCommandThatFailsIsReported) {
  auto r = ws_->fwseal({"pipeline", "run", release("broken", "echo 'no compiler' >&2; exit 4")});
  EXPECT_EQ(r.exit_code, 1);  // the command's own code is not an fwseal code
  EXPECT_THAT(r.err, StartsWith("fwseal: repro: rebuild: rebuild_images command exited 4: no compiler"));
  auto missing = ws_->fwseal({"pipeline", "run", release("missing", "true")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("repro: rebuild: the rebuild_images command did not write a.bin (image bootloader)"));
}

TEST_F(PipelineRepro, ReproStepNamesDataDifferencesInAPackage) {
  // The released package is changed after the fact (one image byte): the
  // standalone check, run on its own, names the entry and the byte.
  ASSERT_EQ(ws_->fwseal({"pipeline", "run", release("tamper", ""), "--quiet"}).exit_code, 0);
  const std::string work = ws_->path("out/tamper/.fwseal/v/release");
  std::string pkg = read_bytes(ws_->path("out/tamper/acme-cam-3.0.fwpkg"));
  // image/rootfs is the third entry; find its data by its name in the header.
  std::size_t header = pkg.find("image/rootfs");
  ASSERT_NE(header, std::string::npos);
  std::size_t data = header + 512;
  pkg[data + 100] = static_cast<char>(pkg[data + 100] ^ 1);
  write_bytes(ws_->path("tampered.fwpkg"), pkg);
  auto r = ws_->fwseal({"pipeline", "repro", ws_->path("tampered.fwpkg"), "--variant", work + "/variant.json", "-o",
                        ws_->path("repro.json"), "--json"});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_EQ(r.err, "fwseal: not reproducible: first difference in image/rootfs data byte 100 at offset " +
                       std::to_string(data + 100) + "\n");
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["first_difference"]["entry"], "image/rootfs");
  EXPECT_EQ(j["first_difference"]["field"], "byte 100");
  EXPECT_EQ(j["differing_entries"], nlohmann::json::array({"image/rootfs"}));
  // stdout is the report file's content in the --json envelope, whose code says how the run ended.
  EXPECT_EQ(j["format"], "fwseal-pipeline-repro");
  EXPECT_EQ(j["code"], "malformed");
  EXPECT_EQ(j["exit_code"], 10);
  for (const char* envelope : {"format", "format_version", "code", "exit_code"}) j.erase(envelope);
  EXPECT_EQ(nlohmann::json::parse(read_bytes(ws_->path("repro.json"))), j);

  // The untouched package passes the same check.
  auto ok = ws_->fwseal({"pipeline", "repro", ws_->path("out/tamper/acme-cam-3.0.fwpkg"), "--variant",
                         work + "/variant.json", "-o", ws_->path("repro-ok.json")});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("the rebuild is byte-for-byte identical"));
}

}  // namespace
}  // namespace fwseal::test
