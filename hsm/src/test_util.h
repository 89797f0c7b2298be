// Shared by the hsm tests: a throwaway state directory with its own SoftHSM2
// token, and running code without a controlling terminal.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "fwseal/base/error.h"
#include "fwseal/hsm/hsm.h"

namespace fwseal::hsm::testing {

inline constexpr const char* kSoPin = "so-secret-8642";
inline constexpr const char* kUserPin = "user-secret-1357";

inline void clear_env() {
  for (const char* v :
       {"FWSEAL_HOME", "FWSEAL_PIN", "FWSEAL_PIN_FILE", "FWSEAL_SO_PIN", "FWSEAL_SO_PIN_FILE", "FWSEAL_PKCS11_MODULE"})
    unsetenv(v);
}

// A fresh FWSEAL_HOME under $TMPDIR, removed again afterwards. PINs come from
// the environment unless a test changes that.
class TempHome {
 public:
  TempHome() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/fwseal-hsm-test-XXXXXX";
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    clear_env();
    setenv("FWSEAL_HOME", path_.c_str(), 1);
    setenv("FWSEAL_SO_PIN", kSoPin, 1);
    setenv("FWSEAL_PIN", kUserPin, 1);
  }
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;
  ~TempHome() {
    clear_env();
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    FILE* f = std::fopen(p.c_str(), "w");
    std::fputs(content.c_str(), f);
    std::fclose(f);
    ::chmod(p.c_str(), 0600);  // PIN files must be the owner's alone
    return p;
  }

 private:
  std::string path_;
};

// A test with a home and one token called "release" in it.
class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<TokenInfo> t = init_token(opts_, "release");
    ASSERT_TRUE(t.ok()) << t.error().message;
  }
  TempHome home_;
  Options opts_;
};

// Runs `fn` in a child process that has no controlling terminal (setsid), so
// nothing can prompt; returns the error it produced ({Code::ok, ""} if none).
inline Error without_terminal(const std::function<Error()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) return {Code::internal, "pipe failed"};
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    setsid();
    Error e = fn();
    std::string out = std::to_string(static_cast<int>(e.code)) + "\n" + e.message;
    ssize_t ignored = write(fds[1], out.data(), out.size());
    (void)ignored;
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::size_t nl = out.find('\n');
  if (nl == std::string::npos) return {Code::internal, "child failed: " + out};
  return {static_cast<Code>(std::stoi(out.substr(0, nl))), out.substr(nl + 1)};
}

template <class T>
Error error_of(const Result<T>& r) {
  return r.ok() ? Error{Code::ok, ""} : r.error();
}

// Runs a shell command; returns its exit status and output (stdout and stderr).
inline std::pair<int, std::string> run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace fwseal::hsm::testing
