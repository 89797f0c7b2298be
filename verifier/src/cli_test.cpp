#include "fwseal/verifier/cli.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/trust.h"
#include "test_package.h"

namespace fwseal::verifier {
namespace {

namespace fs = std::filesystem;
using test::PackageBuilder;
using test::test_key;

const test::TestKey& key() { return test_key(Algorithm::ecdsa_p256, 0); }

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "fwseal-cli-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    PackageBuilder b;
    b.sign_with(key());
    manifest_bytes_ = b.manifest_bytes();
    ASSERT_TRUE(write_file_atomic(pkg(), b.build()).ok());
    ASSERT_TRUE(write_file_atomic(trust(), *serialize_trust(test::trust_for({&key()}))).ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string pkg() const { return dir_ + "/acme.fwpkg"; }
  std::string trust() const { return dir_ + "/trust.json"; }

  static CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), "fwseal-verify");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::ostringstream out, err;
    CliRun r;
    r.code = verify_main(static_cast<int>(args.size()), argv.data(), out, err, "fwseal-verify");
    r.out = out.str();
    r.err = err.str();
    return r;
  }

  std::string dir_;
  std::string manifest_bytes_;
};

TEST_F(Cli, ValidPackagePrintsASummary) {
  CliRun r = run({pkg(), "--trust", trust()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("VALID: acme-cam 1.4.2 (security version 3), 1 of 1 signatures, manifest sha256 " +
                            sha256_hex(manifest_bytes_) + "\n",
                        0),
            0u)
      << r.out;
  EXPECT_NE(r.out.find("note: step 7d (check_hardware) skipped: no --hw given"), std::string::npos) << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(run({"--trust=" + trust(), "--hw", "acme-cam-v1", pkg()}).code, 0);
}

TEST_F(Cli, FailurePrintsOneLineAndTheCode) {
  CliRun r = run({pkg(), "--trust", trust(), "--installed-security-version", "4"});
  EXPECT_EQ(r.code, 14);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.rfind("fwseal-verify: R20: security version 3 is below the minimum 4", 0), 0u) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);

  CliRun hw = run({pkg(), "--trust", trust(), "--hw", "acme-cam-v3"});
  EXPECT_EQ(hw.code, 15);
  EXPECT_EQ(hw.err.rfind("fwseal-verify: R21: package is for hardware ", 0), 0u) << hw.err;
  EXPECT_NE(hw.err.find("acme-cam-v3"), std::string::npos);
}

TEST_F(Cli, JsonInBothCases) {
  CliRun ok = run({pkg(), "--trust", trust(), "--json"});
  EXPECT_EQ(ok.code, 0);
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["verdict"], "valid");
  EXPECT_EQ(j["manifest_sha256"], sha256_hex(manifest_bytes_));

  CliRun bad = run({pkg(), "--trust", trust(), "--json", "--hw=acme-cam-v3"});
  EXPECT_EQ(bad.code, 15);
  auto jb = nlohmann::json::parse(bad.out);
  EXPECT_EQ(jb["verdict"], "invalid");
  EXPECT_EQ(jb["exit_code"], 15);
  // The report carries the line's text, rule first.
  EXPECT_EQ(bad.err, "fwseal-verify: " + jb["message"].get<std::string>() + "\n");
  EXPECT_EQ(jb["message"].get<std::string>().rfind("R21: ", 0), 0u);

  CliRun missing = run({dir_ + "/nope.fwpkg", "--trust", trust(), "--json"});
  EXPECT_EQ(missing.code, 3);
  EXPECT_EQ(nlohmann::json::parse(missing.out)["code"], "io");
}

TEST_F(Cli, UsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {},
           {pkg()},
           {"--trust", trust()},
           {pkg(), "--trust"},
           {pkg(), "--trust", trust(), "--bogus"},
           {pkg(), pkg(), "--trust", trust()},
           {pkg(), "--trust", trust(), "--installed-security-version", "abc"},
           {pkg(), "--trust", trust(), "--installed-security-version", "-1"},
           {pkg(), "--trust", trust(), "--installed-security-version", "18446744073709551616"},
           {pkg(), "--trust", trust(), "--hw", ""},
       }) {
    CliRun r = run(args);
    EXPECT_EQ(r.code, 2) << ::testing::PrintToString(args);
    EXPECT_NE(r.err.find("usage: fwseal-verify PKG|- --trust TRUST.json"), std::string::npos) << r.err;
  }
  CliRun help = run({"--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage:"), std::string::npos);
}

TEST_F(Cli, UnreadableFilesAreIo) {
  CliRun r = run({dir_ + "/nope.fwpkg", "--trust", trust()});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.err.rfind("fwseal-verify: " + dir_ + "/nope.fwpkg: cannot open", 0), 0u) << r.err;
  EXPECT_EQ(run({pkg(), "--trust", dir_ + "/nope.json"}).code, 3);
  EXPECT_EQ(run({dir_, "--trust", trust()}).code, 3);  // a directory
}

TEST_F(Cli, MalformedTrustFileIs10) {
  ASSERT_TRUE(write_file_atomic(trust(), R"({"format":"fwseal-trust","format_version":1,"keys":[]})").ok());
  CliRun r = run({pkg(), "--trust", trust()});
  EXPECT_EQ(r.code, 10);
  EXPECT_NE(r.err.find("trust.keys"), std::string::npos) << r.err;
}

TEST_F(Cli, DashReadsStandardInput) {
  Fd in = open_read(pkg()).value();
  int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(in.get(), 0), 0);
  CliRun r = run({"-", "--trust", trust()});
  ::dup2(saved, 0);
  ::close(saved);
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("VALID: ", 0), 0u);
}

// The built binary, when it is there (ctest builds everything first).
TEST_F(Cli, TheFwsealVerifyBinary) {
  const std::string bin = std::string(FWSEAL_BIN_DIR) + "/fwseal-verify";
  if (!fs::exists(bin)) GTEST_SKIP() << bin << " is not built";
  auto status = [](const std::string& cmd) {
    int s = std::system(cmd.c_str());
    return WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  };
  const std::string quiet = " >/dev/null 2>&1";
  EXPECT_EQ(status(bin + " " + pkg() + " --trust " + trust() + quiet), 0);
  EXPECT_EQ(status(bin + " - --trust " + trust() + " < " + pkg() + quiet), 0);
  EXPECT_EQ(status("cat " + pkg() + " | " + bin + " - --trust " + trust() + quiet), 0);
  EXPECT_EQ(status(bin + " " + pkg() + " --trust " + trust() + " --installed-security-version 9" + quiet), 14);
  EXPECT_EQ(status("head -c 3000 " + pkg() + " | " + bin + " - --trust " + trust() + quiet), 10);
  EXPECT_EQ(status(bin + quiet), 2);
}

}  // namespace
}  // namespace fwseal::verifier
