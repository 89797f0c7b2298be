// A package run killed half-way, or one that fails, leaves nothing at the
// output path (invariant: no partial output).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;

TEST(Interrupt, KilledPackageRunLeavesNoOutput) {
  Workspace ws("kill");
  std::string big = ws.path("big.img");
  {
    // 2 GiB of data the packager must read and hash: long enough to be killed mid-way.
    std::string chunk(1 << 20, '\x5a');
    FILE* f = std::fopen(big.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    for (int i = 0; i < 2048; ++i) ASSERT_EQ(std::fwrite(chunk.data(), 1, chunk.size(), f), chunk.size());
    std::fclose(f);
  }
  write_bytes(ws.path("big.json"), R"({"product":"p","version":"1","security_version":0,"hardware":["h"],"created":0,
    "images":[{"name":"rootfs","type":"rootfs","path":"big.img"}]})");
  std::string out = ws.path("out/big.fwpkg");
  fs::create_directories(ws.path("out"));
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    for (const auto& [k, v] : ws.env().env) ::setenv(k.c_str(), v.c_str(), 1);
    std::string b = bin("fwseal"), spec = ws.path("big.json");
    ::execl(b.c_str(), b.c_str(), "package", "--spec", spec.c_str(), "-o", out.c_str(), nullptr);
    ::_exit(127);
  }
  // Kill once the temp file exists and is growing.
  for (int i = 0; i < 400; ++i) {
    bool started = false;
    for (const auto& e : fs::directory_iterator(ws.path("out"))) started |= fs::file_size(e.path()) > (64u << 20);
    if (started) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  EXPECT_FALSE(fs::exists(out));
}

TEST(Interrupt, FailedRunLeavesNoOutputAndKeepsTheOldOne) {
  Workspace ws("fail");
  std::string spec = ws.write_spec();
  std::string out = ws.path("p.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", spec, "-o", out}).exit_code, 0);
  std::string before = read_bytes(out);
  fs::remove(ws.path("b.bin"));
  auto r = ws.fwseal({"package", "--spec", spec, "-o", out});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_NE(r.err.find("spec.images[1].path"), std::string::npos) << r.err;
  EXPECT_EQ(read_bytes(out), before);
  for (const auto& e : fs::directory_iterator(ws.dir().path()))
    EXPECT_EQ(e.path().filename().string().find(".p.fwpkg.tmp"), std::string::npos) << e.path();
}

}  // namespace
}  // namespace fwseal::test
