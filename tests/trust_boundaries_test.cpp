// End-to-end: the anti-rollback and hardware boundaries of steps 7c and 7d,
// through both verifier binaries and a real SoftHSM2 signature.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kMax = "18446744073709551615";  // 2^64 - 1
constexpr const char* kMaxMinusOne = "18446744073709551614";

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

class Boundaries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("bounds");
    ws_->keygen("k", "ed25519");
    ws_->write_spec();  // writes the images a.bin, b.bin, c.bin
  }
  static void TearDownTestSuite() { delete ws_; }

  // A signed package with this security version (a JSON number or string).
  static std::string package(const std::string& security_version) {
    const std::string name = "sv-" + security_version;
    write_bytes(ws_->path(name + ".json"), R"({"product":"acme-cam","version":"2.0","security_version":)" +
                                             security_version + R"(,"hardware":["rev-b","rev-c"],"created":1790000000,
      "images":[{"name":"rootfs","type":"rootfs","path":"b.bin"}]})");
    const std::string pkg = ws_->path(name + ".fwpkg");
    auto p = ws_->fwseal({"package", "--spec", ws_->path(name + ".json"), "-o", pkg, "--force"});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    auto s = ws_->fwseal({"sign", pkg, "--key", ws_->key_uri("k"), "--quiet"});
    EXPECT_EQ(s.exit_code, 0) << s.err;
    return pkg;
  }

  static std::string trust(const std::string& name, const std::vector<std::string>& extra) {
    return ws_->trust({"k"}, extra, name);
  }

  // Runs fwseal-verify and `fwseal verify` and checks they agree.
  static RunResult both(const std::vector<std::string>& args) {
    RunResult standalone = ws_->verify(args);
    std::vector<std::string> sub{"verify"};
    sub.insert(sub.end(), args.begin(), args.end());
    RunResult fw = ws_->fwseal(sub);
    EXPECT_EQ(standalone.exit_code, fw.exit_code) << standalone.err << "\n" << fw.err;
    return standalone;
  }

  static Workspace* ws_;
};
Workspace* Boundaries::ws_ = nullptr;

TEST_F(Boundaries, SecurityVersionAgainstTheTrustMinimum) {
  const std::string pkg = package("5");
  const std::string equal = trust("min5.json", {"--min-security-version", "5"});
  EXPECT_EQ(both({pkg, "--trust", equal}).exit_code, 0);
  const std::string above = trust("min6.json", {"--min-security-version", "6"});
  auto r = both({pkg, "--trust", above});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.err, HasSubstr("security version 5 is below the minimum 6 (trust.json min_security_version 6): "
                               "refusing a rollback"));
  const std::string below = trust("min4.json", {"--min-security-version", "4"});
  EXPECT_EQ(both({pkg, "--trust", below}).exit_code, 0);
}

TEST_F(Boundaries, SecurityVersionAgainstTheInstalledOne) {
  const std::string pkg = package("5");
  const std::string t = trust("min0.json", {});
  EXPECT_EQ(both({pkg, "--trust", t, "--installed-security-version", "5"}).exit_code, 0);
  EXPECT_EQ(both({pkg, "--trust", t, "--installed-security-version", "4"}).exit_code, 0);
  auto r = both({pkg, "--trust", t, "--installed-security-version", "6"});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.err, HasSubstr("security version 5 is below the minimum 6 (trust.json min_security_version 0, "
                               "installed security version 6)"));
}

TEST_F(Boundaries, SecurityVersionZero) {
  const std::string pkg = package("0");
  const std::string t = trust("min0.json", {});
  EXPECT_EQ(both({pkg, "--trust", t}).exit_code, 0);
  EXPECT_EQ(both({pkg, "--trust", t, "--installed-security-version", "0"}).exit_code, 0);
  auto r = both({pkg, "--trust", t, "--installed-security-version", "1"});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.err, HasSubstr("security version 0 is below the minimum 1"));
}

TEST_F(Boundaries, SecurityVersionTwoToTheSixtyFourMinusOne) {
  const std::string top = package(std::string("\"") + kMax + "\"");
  const std::string below = package(std::string("\"") + kMaxMinusOne + "\"");
  const std::string t = trust("minmax.json", {"--min-security-version", kMax});
  EXPECT_EQ(both({top, "--trust", t}).exit_code, 0);
  auto r = both({below, "--trust", t});
  EXPECT_EQ(r.exit_code, 14);
  EXPECT_THAT(r.err, HasSubstr(std::string("security version ") + kMaxMinusOne + " is below the minimum " + kMax));
  const std::string t0 = trust("min0.json", {});
  EXPECT_EQ(both({top, "--trust", t0, "--installed-security-version", kMax}).exit_code, 0);
  EXPECT_EQ(both({below, "--trust", t0, "--installed-security-version", kMax}).exit_code, 14);
  // One more does not fit in 64 bits: a usage error, not a wrap-around to 0.
  auto over = both({top, "--trust", t0, "--installed-security-version", "18446744073709551616"});
  EXPECT_EQ(over.exit_code, 2);
  EXPECT_THAT(over.err, HasSubstr("--installed-security-version"));
}

TEST_F(Boundaries, HardwareIdsMatchExactly) {
  const std::string pkg = package("3");
  const std::string t = trust("hw.json", {});
  EXPECT_EQ(both({pkg, "--trust", t, "--hw", "rev-b"}).exit_code, 0);
  EXPECT_EQ(both({pkg, "--trust", t, "--hw", "rev-c"}).exit_code, 0);
  for (const std::string id : {"REV-B", "Rev-b", "rev-b ", " rev-b", "rev-b\t", "rev-b\n", "rev-", "rev-bb", "rev_b"}) {
    auto r = both({pkg, "--trust", t, "--hw", id});
    EXPECT_EQ(r.exit_code, 15) << "--hw \"" << id << "\"";
    EXPECT_THAT(r.err, HasSubstr("package is for hardware \"rev-b\", \"rev-c\", not for this device")) << id;
  }
  auto shown = both({pkg, "--trust", t, "--hw", "REV-B"});
  EXPECT_THAT(shown.err, HasSubstr("not for this device (\"REV-B\")"));
  // Any one of several device ids is enough.
  EXPECT_EQ(both({pkg, "--trust", t, "--hw", "rev-x", "--hw", "rev-c"}).exit_code, 0);
  // The trust file's ids are used when --hw is not given, and must be exact too.
  const std::string upper = trust("hw-upper.json", {"--hw", "REV-B"});
  auto r = both({pkg, "--trust", upper});
  EXPECT_EQ(r.exit_code, 15);
  EXPECT_THAT(r.err, HasSubstr("not for this device (\"REV-B\")"));
  // A trust file cannot even hold an id with whitespace.
  write_bytes(ws_->path("hw-space.json"), R"({"format":"fwseal-trust","format_version":1,
    "keys":[{"public_key":)" + quoted(read_bytes(ws_->path("k.pub.pem"))) +
                                            R"(}],"hardware":["rev-b "]})");
  auto space = both({pkg, "--trust", ws_->path("hw-space.json")});
  EXPECT_EQ(space.exit_code, 10);
  EXPECT_THAT(space.err, HasSubstr("trust.hardware[0]: hardware id \"rev-b \" has a space"));
}

TEST_F(Boundaries, RollbackIsCheckedBeforeHardware) {
  const std::string pkg = package("1");
  const std::string t = trust("min2.json", {"--min-security-version", "2"});
  auto r = both({pkg, "--trust", t, "--hw", "other"});
  EXPECT_EQ(r.exit_code, 14);
}

}  // namespace
}  // namespace fwseal::test
