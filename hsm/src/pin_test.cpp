#include "pin.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace fwseal::hsm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::TempHome;

std::string text(const Pin& pin) { return std::string(reinterpret_cast<const char*>(pin.data()), pin.size()); }

class PinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("FWSEAL_PIN");
    unsetenv("FWSEAL_SO_PIN");
  }
  TempHome home_;
};

TEST_F(PinTest, EnvironmentComesFirst) {
  setenv("FWSEAL_PIN", "from-env", 1);
  setenv("FWSEAL_PIN_FILE", home_.file("pin", "from-file\n").c_str(), 1);
  Result<Pin> pin = user_pin("release", "/nonexistent");
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  EXPECT_EQ(text(*pin), "from-env");
  EXPECT_EQ(pin->source(), "FWSEAL_PIN");
}

TEST_F(PinTest, FileLosesExactlyOneTrailingNewline) {
  setenv("FWSEAL_PIN_FILE", home_.file("pin", "abcd\n").c_str(), 1);
  Result<Pin> pin = user_pin("release", "");
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  EXPECT_EQ(text(*pin), "abcd");
  setenv("FWSEAL_PIN_FILE", home_.file("pin2", "ab cd\n\n").c_str(), 1);
  pin = user_pin("release", "");
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  EXPECT_EQ(text(*pin), "ab cd\n");
}

TEST_F(PinTest, PinSourceAsFileUriOrPath) {
  std::string path = home_.file("pin", "1234\n");
  for (const std::string& src : {"file://" + path, "file://localhost" + path, "file:" + path, path}) {
    Result<Pin> pin = user_pin("release", src);
    ASSERT_TRUE(pin.ok()) << src << ": " << pin.error().message;
    EXPECT_EQ(text(*pin), "1234");
  }
}

TEST_F(PinTest, PinSourceOtherSchemesAreUsageErrors) {
  for (const char* src : {"https://example.com/pin", "|cat /pin", "file://otherhost/pin", "env:PIN"}) {
    Result<Pin> pin = user_pin("release", src);
    ASSERT_FALSE(pin.ok()) << src;
    EXPECT_EQ(pin.error().code, Code::usage) << src;
  }
}

TEST_F(PinTest, UnreadablePinFileIsIoError) {
  setenv("FWSEAL_PIN_FILE", (home_.path() + "/missing").c_str(), 1);
  Result<Pin> pin = user_pin("release", "");
  ASSERT_FALSE(pin.ok());
  EXPECT_EQ(pin.error().code, Code::io);
  EXPECT_THAT(pin.error().message, HasSubstr("missing"));
}

// Issue 15, point 6: a PIN file group or others can read is refused, and the
// message does not show the PIN.
TEST_F(PinTest, PinFileOpenToGroupOrOthersIsRefused) {
  std::string path = home_.file("pin", "s3cret-pin\n");
  for (mode_t mode : {0640u, 0604u, 0660u, 0620u}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    setenv("FWSEAL_PIN_FILE", path.c_str(), 1);
    Result<Pin> pin = user_pin("release", "");
    ASSERT_FALSE(pin.ok()) << std::oct << mode;
    EXPECT_EQ(pin.error().code, Code::login);
    EXPECT_THAT(pin.error().message, HasSubstr("chmod 600 " + path));
    EXPECT_THAT(pin.error().message, Not(HasSubstr("s3cret")));
  }
  ASSERT_EQ(::chmod(path.c_str(), 0400), 0);
  EXPECT_TRUE(user_pin("release", "").ok());
}

TEST_F(PinTest, EmptyOrOverlongPinIsLoginError) {
  setenv("FWSEAL_PIN_FILE", home_.file("pin", "\n").c_str(), 1);
  Result<Pin> pin = user_pin("release", "");
  ASSERT_FALSE(pin.ok());
  EXPECT_EQ(pin.error().code, Code::login);
  std::string long_pin(300, 'x');
  setenv("FWSEAL_PIN_FILE", home_.file("pin", long_pin).c_str(), 1);
  pin = user_pin("release", "");
  ASSERT_FALSE(pin.ok());
  EXPECT_EQ(pin.error().code, Code::login);
  EXPECT_THAT(pin.error().message, Not(HasSubstr("xxxx")));
}

TEST_F(PinTest, NoPinAndNoTerminalIsLoginError) {
  Error e = testing::without_terminal([] { return testing::error_of(user_pin("release", "")); });
  EXPECT_EQ(e.code, Code::login) << e.message;
  EXPECT_EQ(e.message,
            "no PIN for token \"release\": set FWSEAL_PIN_FILE or FWSEAL_PIN, or add pin-source to the key URI");
}

TEST_F(PinTest, NoSoPinAndNoTerminalIsLoginError) {
  Error e = testing::without_terminal([] { return testing::error_of(new_so_pin("release")); });
  EXPECT_EQ(e.code, Code::login) << e.message;
  EXPECT_THAT(e.message, HasSubstr("FWSEAL_SO_PIN_FILE"));
}

TEST(Pin, MoveLeavesNothingBehind) {
  Pin a("test");
  ASSERT_TRUE(a.append("secret"));
  Pin b(std::move(a));
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  EXPECT_EQ(text(b), "secret");
  EXPECT_FALSE(b.append(std::string(Pin::kMaxBytes, 'x')));
  EXPECT_EQ(text(b), "secret");
}

}  // namespace
}  // namespace fwseal::hsm
