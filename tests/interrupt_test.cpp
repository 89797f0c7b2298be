// A package run killed half-way, or one that fails, leaves nothing at the
// output path (invariant: no partial output).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;

// `mib` MiB of data the packager must read and hash, and a spec for it.
std::string big_spec(const Workspace& ws, int mib) {
  std::string chunk(1 << 20, '\x5a');
  FILE* f = std::fopen(ws.path("big.img").c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("cannot write big.img");
  for (int i = 0; i < mib; ++i) std::fwrite(chunk.data(), 1, chunk.size(), f);
  std::fclose(f);
  write_bytes(ws.path("big.json"), R"({"product":"p","version":"1","security_version":0,"hardware":["h"],"created":0,
    "images":[{"name":"rootfs","type":"rootfs","path":"big.img"}]})");
  return ws.path("big.json");
}

// Starts `fwseal ARGS...` (or fwseal-verify) with the workspace's environment
// (and `env`), as the leader of a session and process group of its own, like
// a shell's job.
pid_t start(const Workspace& ws, const std::string& binary, std::vector<std::string> args,
            const std::map<std::string, std::string>& env = {}) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    for (const auto& [k, v] : ws.env().env) ::setenv(k.c_str(), v.c_str(), 1);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::string b = bin(binary);
    std::vector<char*> argv{b.data()};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(b.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits until some file under `dir` (one level of subdirectories included) is
// larger than 64 MiB: the run is writing its output.
void wait_until_writing(const std::string& dir) {
  for (int i = 0; i < 2000; ++i) {
    for (const auto& e : fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied)) {
      std::error_code ec;
      if (e.is_regular_file(ec) && e.file_size(ec) > (64u << 20)) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string digest_of_file(const std::string& path) {
  auto r = run({"sha256sum", path});
  return r.out.substr(0, 64);
}

int stop(pid_t pid, int sig) {
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(Interrupt, KilledPackageRunLeavesNoOutputAndTheNextRunRemovesItsLeftover) {
  Workspace ws("kill");
  const std::string spec = big_spec(ws, 1024);
  std::string out = ws.path("out/big.fwpkg");
  fs::create_directories(ws.path("out"));
  pid_t pid = start(ws, "fwseal", {"package", "--spec", spec, "-o", out});
  wait_until_writing(ws.path("out"));
  const int status = stop(pid, SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  EXPECT_FALSE(fs::exists(out));
  // SIGKILL cannot be caught: the temporary file stays, under a name the next run knows.
  ASSERT_EQ(list_dir(ws.path("out")).size(), 1u);
  EXPECT_TRUE(list_dir(ws.path("out"))[0].starts_with(".big.fwpkg.tmp-")) << list_dir(ws.path("out"))[0];
  auto next = ws.fwseal({"package", "--spec", ws.write_spec(), "-o", out});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{"big.fwpkg"});
}

TEST(Interrupt, SigintOrSigtermDuringPackageRemovesItsTemporaryFile) {
  Workspace ws("int");
  const std::string spec = big_spec(ws, 1024);
  fs::create_directories(ws.path("out"));
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    pid_t pid = start(ws, "fwseal", {"package", "--spec", spec, "-o", ws.path("out/big.fwpkg")});
    wait_until_writing(ws.path("out"));
    const int status = stop(pid, sig);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the signal";
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{});
  }
}

TEST(Interrupt, SigintDuringExtractLeavesTheDirectoryAsItWas) {
  Workspace ws("xint");
  ws.keygen("k", "ed25519");
  const std::string pkg = ws.path("big.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", big_spec(ws, 1024), "-o", pkg}).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"sign", pkg, "--key", ws.key_uri("k")}).exit_code, 0);
  const std::string trust = ws.trust({"k"});
  const std::string target = ws.dir().mkdir("target");
  write_bytes(target + "/notes.txt", "keep me");
  pid_t pid = start(ws, "fwseal", {"extract", pkg, "-C", target, "--trust", trust, "--hw", "h"});
  wait_until_writing(target);
  const int status = stop(pid, SIGINT);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the signal";
  EXPECT_EQ(list_dir(target), std::vector<std::string>{"notes.txt"});
}

TEST(Interrupt, PackageDoesNotReplaceAFileUnlessForced) {
  Workspace ws("force");
  const std::string spec = ws.write_spec();
  const std::string out = ws.path("p.fwpkg");
  write_bytes(out, "a signed release");
  auto refused = ws.fwseal({"package", "--spec", spec, "-o", out});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find(out + " already exists; fwseal package does not replace a file (it may be a signed "
                                   "release): choose another output, or --force to replace it"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(read_bytes(out), "a signed release");
  auto forced = ws.fwseal({"package", "--spec", spec, "-o", out, "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_NE(read_bytes(out), "a signed release");
}

TEST(Interrupt, FailedRunLeavesNoOutputAndKeepsTheOldOne) {
  Workspace ws("fail");
  std::string spec = ws.write_spec();
  std::string out = ws.path("p.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", spec, "-o", out}).exit_code, 0);
  std::string before = read_bytes(out);
  fs::remove(ws.path("b.bin"));
  auto r = ws.fwseal({"package", "--spec", spec, "-o", out, "--force"});
  EXPECT_EQ(r.exit_code, 10);
  EXPECT_NE(r.err.find("spec.images[1].path"), std::string::npos) << r.err;
  EXPECT_EQ(read_bytes(out), before);
  for (const auto& e : fs::directory_iterator(ws.dir().path()))
    EXPECT_EQ(e.path().filename().string().find(".p.fwpkg.tmp"), std::string::npos) << e.path();
}

TEST(Interrupt, KilledExtractLeavesARecognisableStagingDirectoryThatTheNextExtractRemoves) {
  Workspace ws("xkill");
  ws.keygen("k", "ed25519");
  const std::string pkg = ws.path("big.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", big_spec(ws, 1024), "-o", pkg, "--quiet"}).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "--quiet"}).exit_code, 0);
  const std::string trust = ws.trust({"k"});
  const std::string target = ws.dir().mkdir("target");
  write_bytes(target + "/notes.txt", "keep me");
  pid_t pid = start(ws, "fwseal", {"extract", pkg, "-C", target, "--trust", trust, "--hw", "h"});
  wait_until_writing(target);
  const int status = stop(pid, SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  // ".fwseal-extract-" and 8 hex digits, with the partial image in it.
  const auto left = list_dir(target);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[1], "notes.txt");
  EXPECT_TRUE(left[0].starts_with(".fwseal-extract-") && left[0].size() == 24) << left[0];
  EXPECT_FALSE(fs::is_empty(target + "/" + left[0]));
  // The next extract into DIR removes it (a small package, its images beside notes.txt).
  const std::string small = ws.signed_package({"k"}, "small.fwpkg");
  auto next = ws.fwseal({"extract", small, "-C", target, "--trust", trust, "--quiet"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(list_dir(target), (std::vector<std::string>{"bootloader", "config", "notes.txt", "rootfs"}));
}

TEST(Interrupt, SignToOutputWritesASignedCopyAndLeavesThePackage) {
  Workspace ws("signo");
  ws.keygen("k", "ed25519");
  const std::string pkg = ws.path("p.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.write_spec(), "-o", pkg, "--quiet"}).exit_code, 0);
  const std::string unsigned_bytes = read_bytes(pkg);
  const std::string out = ws.dir().mkdir("out") + "/s.fwpkg";
  auto r = ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("signed " + out + " with ed25519 key ")) << r.out;
  EXPECT_EQ(read_bytes(pkg), unsigned_bytes);
  EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{"s.fwpkg"});
  const std::string trust = ws.trust({"k"});
  EXPECT_EQ(ws.verify({out, "--trust", trust, "--quiet"}).exit_code, 0);
  EXPECT_NE(ws.verify({pkg, "--trust", trust, "--quiet"}).exit_code, 0);

  // OUT is not replaced without --force, and -o cannot name the package itself.
  const std::string signed_bytes = read_bytes(out);
  auto again = ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "--output", out});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("fwseal: " + out + " already exists; fwseal sign -o does not replace a file (it may be a "
                           "signed release): choose another output, or --force to replace it\n"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(read_bytes(out), signed_bytes);
  auto itself = ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "-o", pkg, "--force"});
  EXPECT_EQ(itself.exit_code, 2);
  EXPECT_NE(itself.err.find("-o " + pkg + " is the package itself; leave out -o to sign it in place"), std::string::npos)
      << itself.err;
  EXPECT_EQ(read_bytes(pkg), unsigned_bytes);
  auto forced = ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "-o", out, "--force", "--quiet"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(forced.out, "");
  EXPECT_EQ(ws.verify({out, "--trust", trust, "--quiet"}).exit_code, 0);
  EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{"s.fwpkg"});

  // A signing failure leaves OUT as it was: the copy is signed by this key already.
  auto twice = ws.fwseal({"sign", out, "--key", ws.key_uri("k"), "-o", ws.path("out/t.fwpkg")});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find(out + ": already signed by key "), std::string::npos) << twice.err;
  EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{"s.fwpkg"});
  auto force_alone = ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "--force"});
  EXPECT_EQ(force_alone.exit_code, 2);
  EXPECT_NE(force_alone.err.find("--force goes with -o OUT"), std::string::npos) << force_alone.err;
}

TEST(Interrupt, SigintOrSigtermDuringSignToOutputRemovesTheCopy) {
  Workspace ws("signint");
  ws.keygen("k", "ed25519");
  const std::string pkg = ws.path("big.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", big_spec(ws, 1024), "-o", pkg, "--quiet"}).exit_code, 0);
  const std::string before = digest_of_file(pkg);
  fs::create_directories(ws.path("out"));
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    pid_t pid = start(ws, "fwseal", {"sign", pkg, "--key", ws.key_uri("k"), "-o", ws.path("out/s.fwpkg")});
    wait_until_writing(ws.path("out"));
    const int status = stop(pid, sig);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the signal";
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{});
  }
  // SIGKILL: the copy stays under a recognisable name; the next run removes it.
  pid_t pid = start(ws, "fwseal", {"sign", pkg, "--key", ws.key_uri("k"), "-o", ws.path("out/s.fwpkg")});
  wait_until_writing(ws.path("out"));
  const int status = stop(pid, SIGKILL);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  ASSERT_EQ(list_dir(ws.path("out")).size(), 1u);
  EXPECT_TRUE(list_dir(ws.path("out"))[0].starts_with(".s.fwpkg.tmp-")) << list_dir(ws.path("out"))[0];
  auto next = ws.fwseal({"sign", pkg, "--key", ws.key_uri("k"), "-o", ws.path("out/s.fwpkg"), "--quiet"});
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{"s.fwpkg"});
  EXPECT_EQ(digest_of_file(pkg), before);  // the package itself was only read
}

// Every file and directory under `dir`, relative to it, sorted.
std::vector<std::string> tree(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<pid_t> session_members(pid_t sid);

// Ctrl-C reaches the whole foreground job: the run and ninja, which passes it
// on to its steps. Returns the run's status once every process it started
// has ended.
int stop_job(pid_t pid, int sig) {
  ::kill(-pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  for (int i = 0; i < 1000 && !session_members(pid).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return status;
}

// The processes of session `sid`: the run and everything it started, ninja's
// steps included (ninja puts each step in a process group of its own).
std::vector<pid_t> session_members(pid_t sid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat;
    try {
      stat = read_bytes(e.path().string() + "/stat");
    } catch (...) {
      continue;
    }
    // "pid (comm) state ppid pgrp session ..."
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    long ppid = 0, pgrp = 0, session = 0;
    if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld %ld", &state, &ppid, &pgrp, &session) == 4 &&
        session == sid && state != 'Z')
      out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

// SIGKILL for every process of the run at once, as when the machine loses them.
int kill_session(pid_t sid) {
  for (int round = 0; round < 100; ++round) {
    auto members = session_members(sid);
    if (members.empty()) break;
    for (pid_t p : members) ::kill(p, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  int status = 0;
  ::waitpid(sid, &status, 0);
  return status;
}

// Stops (SIGSTOP) every process of session `sid`, until a round finds no
// process it has not stopped: nothing of the session runs afterwards.
void freeze_session(pid_t sid) {
  std::set<pid_t> stopped;
  for (int round = 0; round < 100; ++round) {
    bool new_member = false;
    for (pid_t p : session_members(sid)) {
      if (stopped.insert(p).second) new_member = true;
      ::kill(p, SIGSTOP);
    }
    if (!new_member && round > 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// `sig` for the run's own process only; returns its status once every
// process it started has ended.
int stop_job_leader(pid_t pid, int sig) {
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  for (int i = 0; i < 3000 && !session_members(pid).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return status;
}

// Waits until a directory named fwseal-repro-* under `dir` holds more than 64 MiB.
bool wait_for_repro_scratch(const std::string& dir) {
  for (int i = 0; i < 30000; ++i) {
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(dir, ec))
      if (e.path().string().find("/fwseal-repro-") != std::string::npos && e.is_regular_file(ec) &&
          e.file_size(ec) > (64u << 20))
        return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

TEST(Interrupt, SigintOrSigtermDuringPipelineRunLeavesNothingPartialAndTheNextRunRemovesAKilledRunsScratch) {
  Workspace ws("pint");
  ws.keygen("k", "ed25519");
  big_spec(ws, 1024);
  write_bytes(ws.path("rel.json"), R"({
  "product": "p", "version": "1", "security_version": 0, "created": 1790000000, "hardware": ["h"],
  "images": [{"name": "rootfs", "type": "rootfs", "path": "big.img"}],
  "signing": {"keys": [{"uri": ")" + ws.key_uri("k") + R"("}]},
  "trust": {"threshold": 1},
  "output": "out"
}
)");
  const std::string scratch = ws.dir().mkdir("scratch");
  const std::map<std::string, std::string> env{{"TMPDIR", scratch}};
  for (int sig : {SIGINT, SIGTERM}) {
    SCOPED_TRACE(sig);
    // While the package step writes the package.
    fs::remove_all(ws.path("out"));
    pid_t pid = start(ws, "fwseal", {"pipeline", "run", ws.path("rel.json"), "--quiet"}, env);
    wait_until_writing(ws.dir().mkdir("out"));
    int status = stop_job(pid, sig);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the signal";
    EXPECT_EQ(WTERMSIG(status), sig);
    for (const auto& f : tree(ws.path("out"))) {
      EXPECT_EQ(f.find(".tmp"), std::string::npos) << f;
      EXPECT_FALSE(f.ends_with(".fwpkg") || f.ends_with(".signing")) << f;
    }
    EXPECT_FALSE(fs::exists(ws.path("out/p-1.fwpkg")));
    EXPECT_EQ(list_dir(scratch), std::vector<std::string>{});

    // While the reproducibility check rebuilds in its scratch directory.
    pid = start(ws, "fwseal", {"pipeline", "run", ws.path("rel.json"), "--quiet"}, env);
    ASSERT_TRUE(wait_for_repro_scratch(ws.path("out")));  // made beside the step's output
    status = stop_job(pid, sig);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before the signal";
    EXPECT_EQ(WTERMSIG(status), sig);
    EXPECT_EQ(list_dir(scratch), std::vector<std::string>{});
    for (const auto& f : tree(ws.path("out"))) {
      EXPECT_EQ(f.find(".tmp"), std::string::npos) << f;
      EXPECT_EQ(f.find("fwseal-repro-"), std::string::npos) << f;
      EXPECT_FALSE(f.ends_with(".signing")) << f;
    }
    // Nothing is published before every step passed; the work tree keeps
    // the steps that completed, for the next run.
    EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{".fwseal"});
  }

  auto scratch_dirs = [&] {
    std::vector<std::string> found;
    for (const auto& f : tree(ws.path("out")))
      if (fs::path(f).filename().string().starts_with("fwseal-repro-")) found.push_back(f);
    return found;
  };

  // SIGKILL for the run alone: ninja gets SIGTERM and stops the steps, which
  // remove what they created.
  {
    pid_t pid = start(ws, "fwseal", {"pipeline", "run", ws.path("rel.json"), "--quiet"}, env);
    ASSERT_TRUE(wait_for_repro_scratch(ws.path("out")));
    const int status = stop_job_leader(pid, SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    EXPECT_EQ(scratch_dirs(), std::vector<std::string>{});
    EXPECT_EQ(list_dir(ws.path("out")), std::vector<std::string>{".fwseal"});
  }

  // SIGKILL for every process at once: the scratch directory stays under its
  // name; the next run removes it, and completes the release. The session is
  // stopped first, so that the rebuild cannot finish (on a loaded machine)
  // between seeing its scratch directory and killing it; should it have
  // finished before, the run is killed and started again.
  bool killed_with_scratch = false;
  for (int attempt = 0; attempt < 3 && !killed_with_scratch; ++attempt) {
    pid_t pid = start(ws, "fwseal", {"pipeline", "run", ws.path("rel.json"), "--quiet"}, env);
    ASSERT_TRUE(wait_for_repro_scratch(ws.path("out")));
    freeze_session(pid);
    killed_with_scratch = scratch_dirs().size() == 1;
    const int status = kill_session(pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    if (!killed_with_scratch) fs::remove_all(ws.path("out"));
  }
  ASSERT_TRUE(killed_with_scratch) << "the rebuild finished before the run could be stopped, three times";
  ASSERT_EQ(scratch_dirs().size(), 1u);
  RunOptions with_tmpdir;
  with_tmpdir.env = env;
  auto next = ws.fwseal({"pipeline", "run", ws.path("rel.json"), "--quiet"}, with_tmpdir);
  ASSERT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(scratch_dirs(), std::vector<std::string>{});
  EXPECT_TRUE(fs::exists(ws.path("out/p-1.fwpkg")));
}

// In place, the signature area is written with SIGINT held off: whenever the
// signal comes, the package is as it was or signed, never torn.
TEST(Interrupt, SigintDuringInPlaceSignLeavesThePackageAsItWasOrSigned) {
  Workspace ws("signip");
  ws.keygen("k", "ed25519");
  const std::string trust = ws.trust({"k"});
  const std::string pkg = ws.path("p.fwpkg");
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.write_spec(), "-o", pkg, "--quiet"}).exit_code, 0);
  const std::string unsigned_bytes = read_bytes(pkg);
  int interrupted = 0;
  for (int i = 0; i < 24; ++i) {
    SCOPED_TRACE(i);
    write_bytes(pkg, unsigned_bytes);
    pid_t pid = start(ws, "fwseal", {"sign", pkg, "--key", ws.key_uri("k"), "--quiet"});
    std::this_thread::sleep_for(std::chrono::milliseconds(4 * i));
    const int status = stop(pid, SIGINT);
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), SIGINT);
      ++interrupted;
    } else {
      EXPECT_EQ(WEXITSTATUS(status), 0);
    }
    if (read_bytes(pkg) == unsigned_bytes) continue;
    EXPECT_EQ(ws.verify({pkg, "--trust", trust, "--quiet"}).exit_code, 0) << "torn after " << 4 * i << " ms";
  }
  EXPECT_GT(interrupted, 0);
}

}  // namespace
}  // namespace fwseal::test
