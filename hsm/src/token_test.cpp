#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "fwseal/hsm/hsm.h"
#include "fwseal/hsm/signing_key.h"
#include "module.h"
#include "test_util.h"

namespace fwseal::hsm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::TempHome;
using testing::TokenTest;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    out.insert(it->path().filename().string());
  return out;
}

TEST(InitToken, StaysInsideTheStateDirectory) {
  TempHome home;
  const std::set<std::string> system_tokens = entries("/var/lib/softhsm/tokens");
  Result<TokenInfo> t = init_token(Options{}, "release");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->label, "release");
  EXPECT_FALSE(t->serial.empty());

  std::string conf = home.path() + "/softhsm2.conf";
  EXPECT_EQ(t->softhsm2_conf, conf);
  // SoftHSM2 ran on this process's private copy (token_store.h), now removed.
  ASSERT_NE(std::getenv("SOFTHSM2_CONF"), nullptr);
  EXPECT_THAT(std::string(std::getenv("SOFTHSM2_CONF")), ::testing::StartsWith(home.path() + "/run/"));
  EXPECT_TRUE(entries(home.path() + "/run").empty());
  std::string text = slurp(conf);
  EXPECT_THAT(text, HasSubstr("directories.tokendir = " + home.path() + "/tokens\n"));
  EXPECT_THAT(text, HasSubstr("objectstore.backend = file\n"));
  EXPECT_THAT(text, HasSubstr("log.level = ERROR\n"));
  EXPECT_EQ(fs::status(conf).permissions() & fs::perms::others_all, fs::perms::none);
  // SoftHSM2 keeps each token in its own directory under tokendir, which is a
  // link to the current generation.
  EXPECT_TRUE(fs::is_symlink(home.path() + "/tokens"));
  EXPECT_EQ(fs::read_symlink(home.path() + "/tokens").string(), "tokens.2");
  EXPECT_EQ(entries(home.path() + "/tokens").size(), 1u);
  EXPECT_EQ(entries("/var/lib/softhsm/tokens"), system_tokens);
}

TEST(InitToken, DefaultsToDotFwsealAndHonoursOptionsHome) {
  TempHome home;
  unsetenv("FWSEAL_HOME");
  EXPECT_EQ(home_dir(Options{}), "./.fwseal");
  Options opts;
  opts.home = home.path() + "/elsewhere";
  EXPECT_EQ(home_dir(opts), opts.home);
  Result<TokenInfo> t = init_token(opts, "release");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_TRUE(fs::exists(opts.home + "/softhsm2.conf"));
  EXPECT_EQ(entries(opts.home + "/tokens").size(), 1u);
}

TEST_F(TokenTest, DuplicateLabelIsRefused) {
  Result<TokenInfo> again = init_token(opts_, "release");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::hsm);
  EXPECT_THAT(again.error().message, HasSubstr("token \"release\" already exists"));
}

TEST_F(TokenTest, SeveralTokensLiveSideBySide) {
  Result<TokenInfo> staging = init_token(opts_, "staging");
  ASSERT_TRUE(staging.ok()) << staging.error().message;
  Result<std::vector<KeyInfo>> keys = list_keys(opts_, *parse_token_uri("pkcs11:"));
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_TRUE(keys->empty());
  EXPECT_EQ(entries(home_.path() + "/tokens").size(), 2u);
}

TEST_F(TokenTest, PlainTokensDirectoryOfAnOlderFwsealBecomesAGeneration) {
  // What fwseal before the crash-safe store left: tokens/ as a directory.
  std::string tokens = home_.path() + "/tokens";
  fs::path gen = fs::read_symlink(tokens);
  fs::remove(tokens);
  fs::rename(home_.path() + "/" + gen.string(), tokens);
  Result<std::vector<KeyInfo>> keys = list_keys(opts_, *parse_token_uri("pkcs11:token=release"));
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_TRUE(fs::is_symlink(tokens));
  EXPECT_EQ(entries(tokens).size(), 1u);
  Result<TokenInfo> staging = init_token(opts_, "staging");
  ASSERT_TRUE(staging.ok()) << staging.error().message;
  EXPECT_EQ(entries(tokens).size(), 2u);
  // Only the current generation, the link, the lock and run/ remain.
  EXPECT_EQ(entries(home_.path()), (std::set<std::string>{"run", "softhsm2.conf", "tokens", "tokens.lock",
                                                           fs::read_symlink(tokens).string()}));
}

TEST_F(TokenTest, UnknownTokenListsTheTokensThereAre) {
  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts_, *parse_key_uri("pkcs11:token=nope;object=k"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Code::hsm);
  EXPECT_THAT(key.error().message, HasSubstr("no token \"nope\""));
  EXPECT_THAT(key.error().message, HasSubstr("(tokens: \"release\" (slot-id "));
  EXPECT_THAT(key.error().message, HasSubstr(home_.path()));
}

TEST(InitToken, BadLabelsAreUsageErrors) {
  TempHome home;
  for (const char* label : {"", "a-label-that-is-longer-than-32-bytes", "trailing ", "tab\there"}) {
    Result<TokenInfo> t = init_token(Options{}, label);
    ASSERT_FALSE(t.ok()) << label;
    EXPECT_EQ(t.error().code, Code::usage) << label;
  }
}

TEST(InitToken, OnlySoftHsm2) {
  TempHome home;
  Options opts;
  opts.module = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so";
  Result<TokenInfo> t = init_token(opts, "release");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Code::usage);
  EXPECT_THAT(t.error().message, HasSubstr("SoftHSM2 tokens only"));
}

TEST(InitToken, ShortUserPinIsRefusedBeforeTheTokenIsMade) {
  TempHome home;
  setenv("FWSEAL_PIN", "12", 1);
  Result<TokenInfo> t = init_token(Options{}, "release");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, Code::login);
  EXPECT_THAT(t.error().message, HasSubstr("must be 4 to 255 bytes"));
  EXPECT_THAT(t.error().message, ::testing::Not(HasSubstr("\"12\"")));
  setenv("FWSEAL_PIN", testing::kUserPin, 1);
  EXPECT_TRUE(init_token(Options{}, "release").ok());  // the label was not used up
}

TEST(InitToken, MissingSoPinWithoutTerminal) {
  TempHome home;
  unsetenv("FWSEAL_SO_PIN");
  Error e = testing::without_terminal([] { return testing::error_of(init_token(Options{}, "release")); });
  EXPECT_EQ(e.code, Code::login) << e.message;
  EXPECT_THAT(e.message, HasSubstr("FWSEAL_SO_PIN"));
}

// Issue 15, point 6: a process that loads a module gives up core dumps.
TEST_F(TokenTest, ProcessesWithATokenSessionCannotDumpCore) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    struct rlimit big {RLIM_INFINITY, RLIM_INFINITY};
    ::setrlimit(RLIMIT_CORE, &big);
    ::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);  // earlier tests in this process made it non-dumpable
    bool before = ::prctl(PR_GET_DUMPABLE) == 1;
    Result<std::vector<KeyInfo>> keys = list_keys(opts_, *parse_token_uri("pkcs11:token=release"));
    struct rlimit after {};
    ::getrlimit(RLIMIT_CORE, &after);
    _exit(before && keys.ok() && ::prctl(PR_GET_DUMPABLE) == 0 && after.rlim_cur == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(Module, ReturnValuesHaveNamesAndCodes) {
  EXPECT_EQ(ckr_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
  EXPECT_EQ(ckr_name(CKR_VENDOR_DEFINED + 5), "CKR_0x80000005");
  for (CK_RV rv : {CKR_PIN_INCORRECT, CKR_PIN_LEN_RANGE, CKR_PIN_LOCKED, CKR_PIN_EXPIRED})
    EXPECT_EQ(pkcs11_error("login", rv).code, Code::login) << ckr_name(rv);
  Error e = pkcs11_error("signing failed", CKR_DEVICE_REMOVED, "plug it back in");
  EXPECT_EQ(e.code, Code::hsm);
  EXPECT_EQ(e.message, "signing failed: CKR_DEVICE_REMOVED (plug it back in)");
}

TEST(Module, BadPathIsHsmError) {
  TempHome home;
  Options opts;
  opts.module = "/nonexistent/libpkcs11.so";
  Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts, *parse_key_uri("pkcs11:token=t;object=k"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().code, Code::hsm);
  EXPECT_THAT(key.error().message, HasSubstr("PKCS#11 module /nonexistent/libpkcs11.so cannot be loaded: "));
}

TEST(Module, NotAModuleIsHsmError) {
  TempHome home;
  setenv("FWSEAL_PKCS11_MODULE", "libz.so.1", 1);  // loads, but has no C_GetFunctionList
  Result<std::vector<KeyInfo>> keys = list_keys(Options{}, *parse_token_uri("pkcs11:"));
  ASSERT_FALSE(keys.ok());
  EXPECT_EQ(keys.error().code, Code::hsm);
  EXPECT_THAT(keys.error().message, HasSubstr("no C_GetFunctionList"));
}

TEST(Module, PrecedenceOptionThenUriThenEnvironment) {
  TempHome home;
  setenv("FWSEAL_PKCS11_MODULE", "/from/env.so", 1);
  KeyUri uri = *parse_key_uri("pkcs11:token=t;object=k?module-path=/from/uri.so");
  auto module_named = [&](const Options& opts) {
    Result<std::unique_ptr<TokenKey>> key = open_signing_key(opts, uri);
    return key.ok() ? std::string("opened") : key.error().message;
  };
  Options opts;
  opts.module = "/from/option.so";
  EXPECT_THAT(module_named(opts), HasSubstr("module /from/option.so cannot be loaded"));
  EXPECT_THAT(module_named(Options{}), HasSubstr("module /from/uri.so cannot be loaded"));
  uri.module_path.clear();
  EXPECT_THAT(module_named(Options{}), HasSubstr("module /from/env.so cannot be loaded"));
}

}  // namespace
}  // namespace fwseal::hsm
