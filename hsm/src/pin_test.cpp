#include "pin.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>


#include "fwseal/hsm/pin_sources.h"
#include "test_util.h"

namespace fwseal::hsm {
namespace {

using ::testing::Contains;
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

// pin_available_without_prompt looks at the same sources as user_pin, in the
// same way: a variable set but empty counts as unset; the PIN is not read.
TEST_F(PinTest, AvailableWithoutPromptFromEnvironmentOrPinSource) {
  const KeyUri plain = *parse_key_uri("pkcs11:token=release;object=k");
  const KeyUri with_source = *parse_key_uri("pkcs11:token=release;object=k?pin-source=file:/run/pin");
  unsetenv("FWSEAL_PIN_FILE");
  EXPECT_FALSE(pin_available_without_prompt(plain));
  EXPECT_TRUE(pin_available_without_prompt(with_source));
  setenv("FWSEAL_PIN", "", 1);
  setenv("FWSEAL_PIN_FILE", "", 1);
  EXPECT_FALSE(pin_available_without_prompt(plain));
  setenv("FWSEAL_PIN", "1234", 1);
  EXPECT_TRUE(pin_available_without_prompt(plain));
  unsetenv("FWSEAL_PIN");
  setenv("FWSEAL_PIN_FILE", (home_.path() + "/not-there").c_str(), 1);  // a wrong file fails at login, not here
  EXPECT_TRUE(pin_available_without_prompt(plain));
  // Other PINs do not count: the SO PIN is not the user PIN.
  unsetenv("FWSEAL_PIN_FILE");
  setenv("FWSEAL_SO_PIN", "5678", 1);
  EXPECT_FALSE(pin_available_without_prompt(plain));
}

std::string env_value(const ChildOptions& o, const std::string& name) {
  auto it = o.set_env.find(name);
  return it == o.set_env.end() ? "" : it->second;
}

// The children of `pipeline run` get FWSEAL_PIN as a sealed memory file, and
// user_pin reads it back through FWSEAL_PIN_FILE like any PIN file.
TEST_F(PinTest, PinForChildrenPassesThePinAsASealedMemoryFile) {
  setenv("FWSEAL_PIN", "memfd-pin-2468", 1);
  setenv("FWSEAL_SO_PIN", "so-pin", 1);
  Result<PinForChildren> pins = PinForChildren::from_environment();
  ASSERT_TRUE(pins.ok()) << pins.error().message;
  ChildOptions child;
  pins->apply(child);
  EXPECT_THAT(child.unset_env, Contains("FWSEAL_PIN"));
  EXPECT_THAT(child.unset_env, Contains("FWSEAL_SO_PIN"));
  const std::string file = env_value(child, "FWSEAL_PIN_FILE");
  ASSERT_THAT(file, ::testing::StartsWith("/proc/self/fd/"));
  const int fd = std::stoi(file.substr(std::string("/proc/self/fd/").size()));
  const int seals = ::fcntl(fd, F_GET_SEALS);
  EXPECT_EQ(seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
            F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);

  // A child started with these options reads it, and sees no FWSEAL_PIN.
  child.argv = {"/bin/sh", "-c", "cat \"$FWSEAL_PIN_FILE\"; echo \" ${FWSEAL_PIN-none} ${FWSEAL_SO_PIN-none}\""};
  Result<ChildResult> r = run_child(child);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->out, "memfd-pin-2468 none none\n");

  unsetenv("FWSEAL_PIN");
  setenv("FWSEAL_PIN_FILE", file.c_str(), 1);
  Result<Pin> pin = user_pin("release", "");
  ASSERT_TRUE(pin.ok()) << pin.error().message;
  EXPECT_EQ(text(*pin), "memfd-pin-2468");
  EXPECT_EQ(pin->source(), "FWSEAL_PIN_FILE " + file);
}

TEST_F(PinTest, PinForChildrenWithoutFwsealPinLeavesThePinFileAlone) {
  Result<PinForChildren> pins = PinForChildren::from_environment();
  ASSERT_TRUE(pins.ok()) << pins.error().message;
  ChildOptions child;
  pins->apply(child);
  EXPECT_THAT(child.unset_env, Contains("FWSEAL_PIN"));
  EXPECT_EQ(child.set_env.count("FWSEAL_PIN_FILE"), 0u);
}

TEST_F(PinTest, WithheldPinsReachNoChild) {
  setenv("FWSEAL_PIN", "1", 1);
  setenv("FWSEAL_PIN_FILE", "/run/pin", 1);
  setenv("FWSEAL_SO_PIN", "2", 1);
  setenv("FWSEAL_SO_PIN_FILE", "/run/so-pin", 1);
  ChildOptions child;
  child.argv = {"/bin/sh", "-c", "env"};
  withhold_pins(child);
  Result<ChildResult> r = run_child(child);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_THAT(r->out, HasSubstr("FWSEAL_HOME="));  // the environment did reach it
  EXPECT_THAT(r->out, Not(HasSubstr("FWSEAL_PIN")));
  EXPECT_THAT(r->out, Not(HasSubstr("FWSEAL_SO_PIN")));
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
