#include "token_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <map>
#include <mutex>

#include "fwseal/base/file.h"

namespace fwseal::hsm {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kGeneration = "tokens.";

Error io_error(const std::string& what, int err) { return make_error(Code::io, what + ": " + errno_text(err)); }
Error io_error(const std::string& what, const std::error_code& ec) {
  return make_error(Code::io, what + ": " + ec.message());
}

// n of "tokens.<n>", 0 if the name is not a generation.
unsigned long generation_number(std::string_view name) {
  if (!name.starts_with(kGeneration)) return 0;
  name.remove_prefix(kGeneration.size());
  unsigned long n = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), n);
  if (ec != std::errc() || end != name.data() + name.size()) return 0;
  return n;
}

std::string generation_name(unsigned long n) { return std::string(kGeneration) + std::to_string(n); }

bool pid_alive(std::string_view name) {
  long pid = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
  if (ec != std::errc() || pid <= 0 || end == name.data()) return true;  // not ours to judge
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) return ok_status();
  return io_error("cannot create directory " + path, errno);
}

Status fsync_path(const std::string& path, bool dir) {
  int fd = ::open(path.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open " + path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot flush " + path, err);
  return ok_status();
}

// Copies a tree of regular files and directories (what SoftHSM2 keeps).
Status copy_tree(const std::string& from, const std::string& to, bool flush) {
  std::error_code ec;
  fs::create_directory(to, ec);
  if (ec) return io_error("cannot create directory " + to, ec);
  fs::permissions(to, fs::perms::owner_all, ec);
  for (auto it = fs::directory_iterator(from, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string src = it->path().string();
    std::string dst = to + "/" + it->path().filename().string();
    fs::file_status st = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(st)) {
      FWSEAL_TRY(copy_tree(src, dst, flush));
    } else if (fs::is_regular_file(st)) {
      fs::copy_file(src, dst, fs::copy_options::overwrite_existing, ec);
      if (ec) return io_error("cannot copy " + src, ec);
      if (flush) FWSEAL_TRY(fsync_path(dst, false));
    }
  }
  if (ec) return io_error("cannot read directory " + from, ec);
  if (flush) FWSEAL_TRY(fsync_path(to, true));
  return ok_status();
}

// Points <home>/tokens at `generation`, atomically.
Status link_generation(const std::string& home, const std::string& generation) {
  std::string tmp = home + "/tokens.link-" + std::to_string(::getpid());
  ::unlink(tmp.c_str());
  if (::symlink(generation.c_str(), tmp.c_str()) != 0) return io_error("cannot create link " + tmp, errno);
  if (::rename(tmp.c_str(), (home + "/tokens").c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return io_error("cannot replace " + home + "/tokens", err);
  }
  return fsync_path(home, true);
}

unsigned long newest_generation(const std::string& home) {
  unsigned long newest = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator(home, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    newest = std::max(newest, generation_number(it->path().filename().string()));
  return newest;
}

// Removes the private copies of processes that were killed. Any process may:
// a copy belongs to its process alone.
void remove_dead_copies(const std::string& home) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(home + "/run", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!pid_alive(name.substr(0, name.find('-')))) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
}

// With the writers' lock held: removes half-made generations and links that
// killed writers left, and generations no longer current.
void remove_old_generations(const std::string& home, const std::string& current) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(home, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.starts_with(kGeneration) || name == current) continue;
    std::size_t dash = name.rfind('-');
    if (generation_number(name) != 0) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);  // an old generation (a reader still copying it starts again)
    } else if (dash != std::string::npos && !pid_alive(name.substr(dash + 1))) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
}

// With the writers' lock held: makes <home>/tokens a link to a complete
// generation, whatever an older fwseal or a killed process left.
Status repair(const std::string& home) {
  std::string tokens = home + "/tokens";
  struct stat st {};
  if (::lstat(tokens.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      struct stat target {};
      if (::stat(tokens.c_str(), &target) == 0 && S_ISDIR(target.st_mode)) return ok_status();
      // A link to nothing: fall through and point it at the newest generation.
    } else if (S_ISDIR(st.st_mode)) {
      // Made by an older fwseal: becomes generation 1 (or the next one).
      std::string next = generation_name(newest_generation(home) + 1);
      std::string tmp = home + "/" + next + ".tmp-" + std::to_string(::getpid());
      FWSEAL_TRY(copy_tree(tokens, tmp, true));
      if (::rename(tmp.c_str(), (home + "/" + next).c_str()) != 0) return io_error("cannot rename " + tmp, errno);
      std::string old = home + "/run/old-tokens-" + std::to_string(::getpid());
      if (::rename(tokens.c_str(), old.c_str()) != 0) return io_error("cannot move " + tokens, errno);
      std::error_code ec;
      fs::remove_all(old, ec);
      return link_generation(home, next);
    } else {
      return make_error(Code::io, tokens + ": neither a directory nor a link to one");
    }
  } else if (errno != ENOENT) {
    return io_error("cannot read " + tokens, errno);
  }
  unsigned long newest = newest_generation(home);
  std::string gen = generation_name(newest == 0 ? 1 : newest);
  if (newest == 0) FWSEAL_TRY(make_dir(home + "/" + gen));
  return link_generation(home, gen);
}

Result<int> take_lock(const std::string& home) {
  std::string path = home + "/tokens.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open " + path, errno);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return io_error("cannot lock " + path, err);
  }
  return fd;
}

// The SoftHSM2 configuration of the state directory, with tokendir pointing
// at the private copy.
Result<std::string> private_conf(const std::string& home, const std::string& tokendir) {
  FWSEAL_ASSIGN(std::string text, read_file(home + "/softhsm2.conf", 1 << 20));
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    std::size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line.compare(first, 21, "directories.tokendir ") == 0) continue;
    if (first != std::string::npos && line.compare(first, 21, "directories.tokendir=") == 0) continue;
    out += line + "\n";
  }
  return out + "directories.tokendir = " + tokendir + "\n";
}

std::mutex g_mu;
std::map<std::string, std::weak_ptr<TokenStore>>& g_open() {
  static auto* m = new std::map<std::string, std::weak_ptr<TokenStore>>();
  return *m;
}
std::atomic<unsigned> g_seq{0};

}  // namespace

Result<std::shared_ptr<TokenStore>> TokenStore::open(const std::string& home, bool write) {
  std::lock_guard guard(g_mu);
  if (auto it = g_open().find(home); it != g_open().end())
    if (auto alive = it->second.lock()) return alive;

  FWSEAL_TRY(make_dir(home + "/run"));
  int lock_fd = -1;
  auto release = [&] {
    if (lock_fd >= 0) ::close(lock_fd);
    lock_fd = -1;
  };
  std::string tokens = home + "/tokens";
  struct stat st {};
  bool needs_repair = ::lstat(tokens.c_str(), &st) != 0 || !S_ISLNK(st.st_mode) || ::stat(tokens.c_str(), &st) != 0;
  if (write || needs_repair) {
    FWSEAL_ASSIGN(lock_fd, take_lock(home));
    Status s = repair(home);
    if (!s.ok()) {
      release();
      return s.error();
    }
  }

  std::string run = home + "/run/" + std::to_string(::getpid()) + "-" + std::to_string(g_seq++);
  std::error_code ec;
  fs::remove_all(run, ec);
  std::string base;
  // A writer may replace the generation while it is being copied; then the
  // copy starts again from the new one.
  Status copied = make_error(Code::io, "cannot copy " + tokens);
  for (int attempt = 0; attempt < 50 && !copied.ok(); ++attempt) {
    char target[256];
    ssize_t n = ::readlink(tokens.c_str(), target, sizeof target - 1);
    if (n <= 0) {
      copied = io_error("cannot read link " + tokens, errno);
      continue;
    }
    base.assign(target, static_cast<std::size_t>(n));
    fs::remove_all(run, ec);
    Status made = make_dir(run);
    if (!made.ok()) {
      release();
      return made.error();
    }
    copied = copy_tree(home + "/" + base, run + "/tokens", false);
    // The old generation is removed only after the link moves on, so a link
    // still naming `base` now means nothing was removed during the copy.
    n = ::readlink(tokens.c_str(), target, sizeof target - 1);
    if (copied.ok() && (n <= 0 || std::string_view(target, static_cast<std::size_t>(n)) != base))
      copied = make_error(Code::io, tokens + " changed during the copy");
  }
  if (!copied.ok()) {
    fs::remove_all(run, ec);
    release();
    return copied.error();
  }
  Result<std::string> conf_text = private_conf(home, run + "/tokens");
  Status wrote = conf_text.ok() ? write_file_atomic(run + "/softhsm2.conf", *conf_text, 0600) : conf_text.error();
  if (!wrote.ok()) {
    fs::remove_all(run, ec);
    release();
    return wrote.error();
  }
  remove_dead_copies(home);
  if (lock_fd >= 0) remove_old_generations(home, base);
  std::shared_ptr<TokenStore> store(new TokenStore(home, run, run + "/softhsm2.conf", base, lock_fd));
  g_open()[home] = store;
  return store;
}

TokenStore::~TokenStore() {
  std::error_code ec;
  fs::remove_all(run_, ec);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status TokenStore::publish() {
  std::lock_guard guard(g_mu);
  int fd = lock_fd_;
  if (fd < 0) {
    FWSEAL_ASSIGN(fd, take_lock(home_));
  }
  auto unlock = [&] {
    if (fd != lock_fd_) ::close(fd);
  };
  std::string tokens = home_ + "/tokens";
  char target[256];
  ssize_t n = ::readlink(tokens.c_str(), target, sizeof target - 1);
  if (n <= 0 || std::string(target, static_cast<std::size_t>(n)) != base_) {
    unlock();
    return make_error(Code::hsm, "the tokens in " + home_ +
                                     " changed while this process worked on them (another fwseal hsm command?); "
                                     "run it again");
  }
  std::string next = generation_name(std::max(generation_number(base_), newest_generation(home_)) + 1);
  std::string tmp = home_ + "/" + next + ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove_all(tmp, ec);
  Status s = copy_tree(run_ + "/tokens", tmp, true);
  if (s.ok() && ::rename(tmp.c_str(), (home_ + "/" + next).c_str()) != 0) s = io_error("cannot rename " + tmp, errno);
  if (s.ok()) s = fsync_path(home_, true);
  if (s.ok()) s = link_generation(home_, next);
  if (!s.ok()) {
    fs::remove_all(tmp, ec);
    unlock();
    return s;
  }
  fs::remove_all(home_ + "/" + base_, ec);
  base_ = next;
  unlock();
  return ok_status();
}

}  // namespace fwseal::hsm
