#include "fwseal/base/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "fwseal/base/file.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::write_bytes;

void make_tree(const std::string& root) {
  fs::create_directories(root + "/a/b/c");
  write_bytes(root + "/top", "x");
  write_bytes(root + "/a/one", "1");
  write_bytes(root + "/a/b/c/deep", "3");
  fs::create_symlink("/", root + "/a/link-to-root");  // removed, not followed
}

TEST(Interrupt, RemovesATreeWithoutFollowingLinks) {
  TempDir d;
  make_tree(d / "tree");
  write_bytes(d / "outside", "kept");
  EXPECT_TRUE(remove_tree_signal_safe((d / "tree").c_str()));
  EXPECT_FALSE(fs::exists(d / "tree"));
  EXPECT_TRUE(fs::exists(d / "outside"));
  EXPECT_TRUE(remove_tree_signal_safe((d / "missing").c_str()));  // nothing to do
}

// A child registers paths, installs the handlers and is ended by `sig`.
int run_child(const TempDir& d, int sig, bool release_file) {
  pid_t pid = ::fork();
  if (pid == 0) {
    install_interrupt_cleanup();
    RemoveOnInterrupt file(d / "partial.out");
    RemoveOnInterrupt tree(d / "staging");
    if (release_file) file.release();  // committed: no longer the run's to remove
    ::raise(sig);
    ::_exit(0);  // not reached: the signal ends the process
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(Interrupt, ASignalRemovesWhatTheRunRegisteredThenEndsIt) {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    SCOPED_TRACE(sig);
    TempDir d;
    write_bytes(d / "partial.out", "half a package");
    make_tree(d / "staging");
    write_bytes(d / "not-ours", "kept");
    const int status = run_child(d, sig, false);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), sig);  // a shell sees 128+N
    EXPECT_FALSE(fs::exists(d / "partial.out"));
    EXPECT_FALSE(fs::exists(d / "staging"));
    EXPECT_TRUE(fs::exists(d / "not-ours"));
  }
}

TEST(Interrupt, AReleasedPathIsKept) {
  TempDir d;
  write_bytes(d / "partial.out", "a committed output");
  const int status = run_child(d, SIGTERM, true);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_TRUE(fs::exists(d / "partial.out"));
}

TEST(AtomicFileLeftovers, KilledRunsTempFilesGoLiveOnesStay) {
  TempDir d;
  const std::string dead = d / ".out.bin.tmp-0123456789abcdef";
  const std::string live = d / ".out.bin.tmp-fedcba9876543210";
  const std::string other = d / ".other.bin.tmp-0123456789abcdef";
  write_bytes(dead, "left by a killed run");
  write_bytes(live, "a run in progress");
  write_bytes(other, "another target's");
  Fd held(::open(live.c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_EQ(::flock(held.get(), LOCK_EX | LOCK_NB), 0);
  auto f = AtomicFile::create(d / "out.bin");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
  // The new temp file is locked: another run would leave it alone.
  Fd probe(::open(f->temp_path().c_str(), O_RDONLY | O_CLOEXEC));
  EXPECT_NE(::flock(probe.get(), LOCK_EX | LOCK_NB), 0);
}

TEST(AtomicFileLeftovers, CommitNoReplaceKeepsAnExistingFile) {
  TempDir d;
  write_bytes(d / "out.bin", "signed release");
  auto f = AtomicFile::create(d / "out.bin");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(write_all(f->fd(), "new", "out.bin").ok());
  Status s = f->commit_no_replace();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::usage);
  EXPECT_EQ(test::read_bytes(d / "out.bin"), "signed release");
}

}  // namespace
}  // namespace fwseal
