// A SoftHSM2 token made by `fwseal hsm init` survives signers killed at any
// moment, and signers running side by side on it all succeed (issue 15,
// point 1). SoftHSM2's file store rewrites token.object in place at every
// login, so without fwseal's private copies a kill between the truncate and
// the write leaves a token nobody can open again.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

pid_t start(const Workspace& ws, const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [k, v] : ws.env().env) ::setenv(k.c_str(), v.c_str(), 1);
    for (const auto& u : ws.env().unset) ::unsetenv(u.c_str());
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    std::string b = bin("fwseal");
    argv.push_back(b.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(b.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class TokenCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.keygen("k", "ecdsa-p256");
    unsigned_ = ws_.path("unsigned.fwpkg");
    auto p = ws_.fwseal({"package", "--spec", ws_.write_spec(), "-o", unsigned_});
    ASSERT_EQ(p.exit_code, 0) << p.err;
    trust_ = ws_.trust({"k"});
  }

  std::string fresh(const std::string& name) const {
    std::string to = ws_.path(name);
    fs::copy_file(unsigned_, to, fs::copy_options::overwrite_existing);
    return to;
  }

  void sign_and_verify(const std::string& name) const {
    std::string pkg = fresh(name);
    auto s = ws_.fwseal({"sign", pkg, "--key", ws_.key_uri("k")});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    auto v = ws_.verify({"--trust", trust_, pkg});
    ASSERT_EQ(v.exit_code, 0) << v.err;
  }

  Workspace ws_{"crash"};
  std::string unsigned_;
  std::string trust_;
};

TEST_F(TokenCrash, SignersKilledAtRandomMomentsNeverLoseTheKey) {
  // How long one signing takes here (the longest of three, since a loaded
  // machine varies), so that the kills land all over it.
  long whole = 0;
  for (int i = 0; i < 3; ++i) {
    auto t0 = Clock::now();
    sign_and_verify("timing.fwpkg");
    whole = std::max<long>(whole, std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
  }

  std::mt19937 rng(15);
  std::uniform_int_distribution<long> when(0, whole);
  constexpr int kKills = 300;
  int killed = 0;
  for (int i = 0; i < kKills; ++i) {
    // Unsigned each time: a signer killed after its append leaves a signed one.
    std::string pkg = fresh("killed.fwpkg");
    pid_t pid = start(ws_, {"sign", pkg, "--key", ws_.key_uri("k")});
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(when(rng)));
    ::kill(pid, SIGKILL);
    int code = wait_exit(pid);
    if (code == 128 + SIGKILL) {
      ++killed;
    } else {
      ASSERT_EQ(code, 0) << "signer " << i << " finished before the kill, and failed";
    }
  }
  // Enough kills landed inside a signing for the test to mean something; how
  // many depends on the machine's load, so the bar is low.
  EXPECT_GT(killed, kKills / 5);
  sign_and_verify("after.fwpkg");
  // The private copies the killed signers left were removed by later runs.
  EXPECT_TRUE(fs::is_empty(ws_.path("hsm/run")));
}

TEST_F(TokenCrash, ConcurrentSignersAllSucceed) {
  constexpr int kRounds = 3, kSigners = 8;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::string> pkgs;
    std::vector<pid_t> pids;
    for (int i = 0; i < kSigners; ++i) pkgs.push_back(fresh("c" + std::to_string(i) + ".fwpkg"));
    for (const auto& p : pkgs) pids.push_back(start(ws_, {"sign", p, "--key", ws_.key_uri("k")}));
    for (size_t i = 0; i < pids.size(); ++i) EXPECT_EQ(wait_exit(pids[i]), 0) << "round " << round << " signer " << i;
    for (const auto& p : pkgs) EXPECT_EQ(ws_.verify({"--trust", trust_, p}).exit_code, 0) << p;
  }
  sign_and_verify("after.fwpkg");
}

// Issue 15, point 7: each signer reads the package after taking its lock, and
// so does the check `fwseal sign` makes before asking for a PIN; a read racing
// an append used to fail with "18446744073709550592 bytes after the end of the
// archive".
TEST_F(TokenCrash, SignersOnOnePackageAllCount) {
  constexpr int kSigners = 4, kRounds = 5;
  std::vector<std::string> keys{"k"};
  for (int i = 1; i < kSigners; ++i) {
    keys.push_back("k" + std::to_string(i));
    ws_.keygen(keys.back(), "ecdsa-p256");
  }
  std::vector<std::string> extra{"--threshold", std::to_string(kSigners)};
  std::string trust = ws_.trust(keys, extra, "trust-all.json");
  for (int round = 0; round < kRounds; ++round) {
    std::string pkg = fresh("shared.fwpkg");
    std::vector<pid_t> pids;
    for (const auto& k : keys) pids.push_back(start(ws_, {"sign", pkg, "--key", ws_.key_uri(k)}));
    for (size_t i = 0; i < pids.size(); ++i) EXPECT_EQ(wait_exit(pids[i]), 0) << "round " << round << " signer " << i;
    auto v = ws_.verify({"--trust", trust, pkg});
    EXPECT_EQ(v.exit_code, 0) << "round " << round << ": " << v.err;
  }
}

}  // namespace
}  // namespace fwseal::test
