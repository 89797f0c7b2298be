#include "fwseal/base/interrupt.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace fwseal {
namespace {

constexpr int kSlots = 64;
constexpr std::size_t kPathMax = 4096;
constexpr int kMaxDepth = 16;

enum : int { kFree = 0, kWriting = 1, kArmed = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathMax];
};

Slot g_slots[kSlots];
std::atomic<bool> g_installed{false};
std::atomic<int> g_clear_fd{-1};

// Removes the entries of the directory `dirfd` (which it closes), depth first.
bool empty_directory(int dirfd, int depth) {
  if (depth > kMaxDepth) {
    ::close(dirfd);
    return false;
  }
  bool ok = true;
  alignas(8) char buf[4096];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dirfd, buf, sizeof buf);
    if (n <= 0) break;
    bool removed_any = false;
    for (long at = 0; at < n;) {
      // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
      unsigned short reclen;
      std::memcpy(&reclen, buf + at + 16, sizeof reclen);
      const unsigned char type = static_cast<unsigned char>(buf[at + 18]);
      const char* name = buf + at + 19;
      at += reclen;
      if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
      bool is_dir = type == DT_DIR;
      if (type == DT_UNKNOWN) {
        struct stat st;
        is_dir = ::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
      }
      if (is_dir) {
        const int sub = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || !empty_directory(sub, depth + 1)) ok = false;
        if (::unlinkat(dirfd, name, AT_REMOVEDIR) != 0) ok = false;
        else removed_any = true;
      } else if (::unlinkat(dirfd, name, 0) != 0) {
        ok = false;
      } else {
        removed_any = true;
      }
    }
    // Entries were removed while reading: list again until a pass removes
    // nothing (what cannot be removed is left, and reported by `ok`).
    if (removed_any) ::lseek(dirfd, 0, SEEK_SET);
  }
  ::close(dirfd);
  return ok;
}

void remove_registered() {
  for (int i = kSlots - 1; i >= 0; --i)
    if (g_slots[i].state.load(std::memory_order_acquire) == kArmed) remove_tree_signal_safe(g_slots[i].path);
}

void on_signal(int sig) {
  const int saved = errno;
  if (const int fd = g_clear_fd.load(std::memory_order_acquire); fd >= 0) {
    static const char kClear[] = "\r\033[K";
    [[maybe_unused]] ssize_t n = ::write(fd, kClear, sizeof kClear - 1);
  }
  remove_registered();
  errno = saved;
  // End the process as the signal would have.
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);
}

}  // namespace

bool remove_tree_signal_safe(const char* path) {
  struct stat st;
  if (::lstat(path, &st) != 0) return errno == ENOENT;
  if (!S_ISDIR(st.st_mode)) return ::unlink(path) == 0 || errno == ENOENT;
  const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = empty_directory(fd, 0);
  if (::rmdir(path) != 0) ok = false;
  return ok;
}

void set_line_to_clear_on_interrupt(int fd) { g_clear_fd.store(fd, std::memory_order_release); }

void install_interrupt_cleanup() {
  if (g_installed.exchange(true)) return;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigfillset(&sa.sa_mask);  // no second signal while the first one cleans up
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old;
    // A signal the parent set to be ignored (nohup, a background job) stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

RemoveOnInterrupt::RemoveOnInterrupt(const std::string& path) {
  if (path.empty() || path.size() >= kPathMax) return;
  for (int i = 0; i < kSlots; ++i) {
    int expected = kFree;
    if (!g_slots[i].state.compare_exchange_strong(expected, kWriting)) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].state.store(kArmed, std::memory_order_release);
    slot_ = i;
    return;
  }
}

RemoveOnInterrupt& RemoveOnInterrupt::operator=(RemoveOnInterrupt&& other) noexcept {
  if (this != &other) {
    release();
    slot_ = other.slot_;
    other.slot_ = -1;
  }
  return *this;
}

void RemoveOnInterrupt::release() {
  if (slot_ < 0) return;
  g_slots[slot_].state.store(kFree, std::memory_order_release);
  slot_ = -1;
}

}  // namespace fwseal
