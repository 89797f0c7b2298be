// The progress line of package, verify (fwseal-verify), extract and pipeline
// run, seen through a pseudo-terminal of 80 and 40 columns: it appears, it
// never wraps, it is cleared before the result lines, on failure and on
// SIGINT; without a terminal nothing of it is written.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "fwseal/format/created.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kClear = "\r\033[K";
constexpr unsigned short kWidths[] = {80, 40};

// `mib` MiB of data (real blocks, not a hole) and a spec packaging it.
std::string big_spec(const Workspace& ws, int mib) {
  std::string chunk(1 << 20, '\0');
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>(i * 131 % 251);
  FILE* f = std::fopen(ws.path("big.img").c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write big.img");
  for (int i = 0; i < mib; ++i) std::fwrite(chunk.data(), 1, chunk.size(), f);
  std::fclose(f);
  write_bytes(ws.path("big.json"), R"({"product":"p","version":"1","security_version":0,"hardware":["h"],"created":0,
    "images":[{"name":"rootfs","type":"rootfs","path":"big.img"}]})");
  return ws.path("big.json");
}

struct PtyResult {
  int status = 0;      // waitpid's
  std::string output;  // stdout and stderr as the terminal received them
};

// Runs `binary ARGS...` with stdout and stderr on a pseudo-terminal of `cols`
// columns. With `signal_after`, sends that signal once the output contains
// `when` (a progress line).
PtyResult run_in_pty(const Workspace& ws, const std::string& binary, std::vector<std::string> args, unsigned short cols,
                     int signal_after = 0, const std::string& when = "") {
  struct winsize size {};
  size.ws_row = 24;
  size.ws_col = cols;
  int master = -1;
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    for (const auto& [k, v] : ws.env().env) ::setenv(k.c_str(), v.c_str(), 1);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    std::string b = bin(binary);
    std::vector<char*> argv{b.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(b.c_str(), argv.data());
    ::_exit(127);
  }
  PtyResult r;
  bool signalled = signal_after == 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  for (;;) {
    struct pollfd p {master, POLLIN, 0};
    if (::poll(&p, 1, 1000) < 0 || std::chrono::steady_clock::now() > deadline) break;
    char buf[4096];
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: the child's side is closed
    r.output.append(buf, static_cast<std::size_t>(n));
    if (!signalled && r.output.find(when) != std::string::npos) {
      ::kill(pid, signal_after);
      signalled = true;
    }
  }
  ::close(master);
  ::waitpid(pid, &r.status, 0);
  return r;
}

// The lines the display drew: what lies between one "\r\033[K" and the next.
// The text after the last one is the command's own output.
struct Screen {
  std::vector<std::string> drawn;
  std::string before;  // ahead of the first clear: nothing expected
  std::string after;   // after the last clear
};
Screen split(const std::string& out) {
  Screen s;
  std::size_t at = out.find(kClear);
  s.before = out.substr(0, at);
  if (at == std::string::npos) return s;
  for (;;) {
    at += kClear.size();
    const std::size_t next = out.find(kClear, at);
    if (next == std::string::npos) {
      s.after = out.substr(at);
      return s;
    }
    s.drawn.push_back(out.substr(at, next - at));
    at = next;
  }
}

// A progress line was drawn, none could wrap (nor carried a line break), and
// the last clear came before the command's own output.
void expect_well_drawn(const PtyResult& r, unsigned cols, std::string_view step, const std::string& result_start) {
  const Screen s = split(r.output);
  EXPECT_EQ(s.before, "") << r.output;
  bool seen = false;
  for (const auto& line : s.drawn) {
    if (line.empty()) continue;
    EXPECT_LE(line.size(), cols - 1) << line;
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << line;
    if (line.find(step) != std::string::npos && line.find(" MiB") != std::string::npos) seen = true;
  }
  EXPECT_TRUE(seen) << "no progress line with \"" << step << "\" and bytes: " << r.output;
  EXPECT_TRUE(s.after.starts_with(result_start)) << "after the last clear: " << s.after;
  EXPECT_EQ(s.after.find('\033'), std::string::npos) << s.after;
}

class Progress : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace("prog");
    ws_->keygen("k", "ed25519");
    spec_ = big_spec(*ws_, 384);
    pkg_ = ws_->path("big.fwpkg");
    auto p = ws_->fwseal({"package", "--spec", spec_, "-o", pkg_, "--quiet"});
    if (p.exit_code != 0) throw std::runtime_error(p.err);
    auto s = ws_->fwseal({"sign", pkg_, "--key", ws_->key_uri("k"), "--quiet"});
    if (s.exit_code != 0) throw std::runtime_error(s.err);
    trust_ = ws_->trust({"k"});
  }
  static void TearDownTestSuite() {
    delete ws_;
    ws_ = nullptr;
  }
  static Workspace* ws_;
  static std::string spec_, pkg_, trust_;
};
Workspace* Progress::ws_ = nullptr;
std::string Progress::spec_, Progress::pkg_, Progress::trust_;

TEST_F(Progress, PackageDrawsWithinTheWidthAndClearsBeforeItsResult) {
  for (unsigned short cols : kWidths) {
    SCOPED_TRACE(cols);
    const std::string out = ws_->path("p" + std::to_string(cols) + ".fwpkg");
    PtyResult r = run_in_pty(*ws_, "fwseal", {"package", "--spec", spec_, "-o", out}, cols);
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
    // The terminal turns "\n" into "\r\n".
    expect_well_drawn(r, cols, cols == 80 ? "packaging: reading and hashing images" : "packaging",
                      "fwseal: note: " + std::string(kCreatedZeroNote) + "\r\npackaged p 1: 1 images, ");
  }
}

TEST_F(Progress, FwsealVerifyDrawsWithinTheWidthAndClearsBeforeItsResult) {
  for (unsigned short cols : kWidths) {
    SCOPED_TRACE(cols);
    PtyResult r = run_in_pty(*ws_, "fwseal-verify", {pkg_, "--trust", trust_, "--hw", "h"}, cols);
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
    expect_well_drawn(r, cols, "verifying", "VALID: p 1 ");
  }
  // `fwseal verify` is the same program.
  PtyResult r = run_in_pty(*ws_, "fwseal", {"verify", pkg_, "--trust", trust_, "--hw", "h"}, 40);
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
  expect_well_drawn(r, 40, "verifying", "VALID: p 1 ");
}

TEST_F(Progress, FwsealVerifyClearsTheLineBeforeItsFailure) {
  // A byte changed half-way through the image: found once it has streamed past.
  const std::string bad = ws_->path("bad.fwpkg");
  fs::copy_file(pkg_, bad, fs::copy_options::overwrite_existing);
  {
    FILE* f = std::fopen(bad.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, 200L << 20, SEEK_SET);
    const int c = std::fgetc(f);
    std::fseek(f, 200L << 20, SEEK_SET);
    std::fputc(c ^ 1, f);
    std::fclose(f);
  }
  PtyResult r = run_in_pty(*ws_, "fwseal-verify", {bad, "--trust", trust_, "--hw", "h"}, 80);
  fs::remove(bad);
  ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0) << r.output;
  expect_well_drawn(r, 80, "verifying the package", "fwseal-verify: ");
}

TEST_F(Progress, ExtractDrawsWithinTheWidthAndClearsBeforeItsResult) {
  for (unsigned short cols : kWidths) {
    SCOPED_TRACE(cols);
    const std::string dir = ws_->dir().mkdir("x" + std::to_string(cols));
    PtyResult r = run_in_pty(*ws_, "fwseal", {"extract", pkg_, "-C", dir, "--trust", trust_, "--hw", "h"}, cols);
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
    expect_well_drawn(r, cols, "verifying", "verified p 1; wrote 1 images into ");
    fs::remove_all(dir);
  }
}

TEST_F(Progress, NothingOfItWithoutATerminal) {
  const std::string out = ws_->path("piped.fwpkg");
  auto p = ws_->fwseal({"package", "--spec", spec_, "-o", out});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  auto v = ws_->verify({pkg_, "--trust", trust_, "--hw", "h"});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  const std::string dir = ws_->dir().mkdir("piped");
  auto x = ws_->fwseal({"extract", pkg_, "-C", dir, "--trust", trust_, "--hw", "h"});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  for (const auto* r : {&p, &v, &x}) {
    EXPECT_EQ(r->err.find_first_of("\r\033"), std::string::npos) << r->err;
    EXPECT_EQ(r->out.find_first_of("\r\033"), std::string::npos) << r->out;
  }
  EXPECT_EQ(p.err, "fwseal: note: " + std::string(kCreatedZeroNote) + "\n");
  EXPECT_EQ(v.err, "");
  EXPECT_EQ(x.err, "");
}

TEST_F(Progress, QuietAndJsonDrawNothingOnATerminal) {
  for (const char* flag : {"--quiet", "--json"}) {
    SCOPED_TRACE(flag);
    PtyResult r = run_in_pty(*ws_, "fwseal-verify", {pkg_, "--trust", trust_, "--hw", "h", flag}, 80);
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
    EXPECT_EQ(r.output.find(kClear), std::string::npos) << r.output;
  }
}

TEST_F(Progress, SigintClearsTheLineBeforeTheProcessEnds) {
  fs::create_directories(ws_->path("int"));
  const std::string out = ws_->path("int/p.fwpkg");
  PtyResult r = run_in_pty(*ws_, "fwseal", {"package", "--spec", spec_, "-o", out}, 80, SIGINT,
                           "packaging: reading and hashing images");
  ASSERT_TRUE(WIFSIGNALED(r.status)) << "the run finished before the signal: " << r.output;
  EXPECT_EQ(WTERMSIG(r.status), SIGINT);
  ASSERT_GE(r.output.size(), kClear.size());
  EXPECT_TRUE(r.output.ends_with(kClear)) << r.output;
  EXPECT_TRUE(fs::is_empty(ws_->path("int")));
}

// The pipeline shows the step that is running (not the last one that
// finished), after ninja's count of finished steps, with the bytes of the
// steps that have them (packaging, verifying).
TEST_F(Progress, PipelineRunShowsTheRunningStepWithinTheWidth) {
  write_bytes(ws_->path("rel.json"), R"({
  "product": "p", "version": "1", "security_version": 0, "created": 1790000000, "hardware": ["h"],
  "images": [{"name": "rootfs", "type": "rootfs", "path": "big.img"}],
  "signing": {"keys": [{"uri": ")" + ws_->key_uri("k") + R"("}]},
  "trust": {"threshold": 1}, "reproducibility": {"check": false},
  "output": "out/rel"
}
)");
  for (unsigned short cols : kWidths) {
    SCOPED_TRACE(cols);
    fs::remove_all(ws_->path("out"));
    PtyResult r = run_in_pty(*ws_, "fwseal", {"pipeline", "run", ws_->path("rel.json")}, cols);
    ASSERT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.output;
    // At 40 columns the count and the bytes leave the step little room.
    expect_well_drawn(r, cols, cols == 80 ? "package p-1: packaging" : "[0/4 done] pa", "released ");
    const Screen s = split(r.output);
    bool running_verify = false, first_counted = false;
    for (const auto& line : s.drawn) {
      if (line.starts_with("[2/4 done] verify p-1") || line.starts_with("[2/4 done] veri")) running_verify = true;
      if (line.starts_with("[0/4 done] package")) first_counted = true;  // the first step has its count too
    }
    EXPECT_TRUE(running_verify || cols == 40) << r.output;
    EXPECT_TRUE(first_counted) << r.output;
  }
}

}  // namespace
}  // namespace fwseal::test
