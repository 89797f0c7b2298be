#include "fwseal/base/file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <new>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

namespace fwseal {

std::string errno_text(int err) { return std::strerror(err); }

FileStamp file_stamp(const struct stat& st) {
  auto ns = [](const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; };
  return FileStamp{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
                   static_cast<std::int64_t>(st.st_size), ns(st.st_mtim), ns(st.st_ctim)};
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

int Fd::release() {
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void FreeDeleter::operator()(std::uint8_t* p) const { std::free(p); }

DirectBuffer direct_buffer(std::size_t size, bool huge) {
  const std::size_t align = huge ? std::size_t{2} << 20 : 4096;
  const std::size_t n = (size + align - 1) / align * align;
  void* p = std::aligned_alloc(align, n);
  if (!p) throw std::bad_alloc();
  if (huge) ::madvise(p, n, MADV_HUGEPAGE);  // advice only: small pages if refused
  return DirectBuffer(static_cast<std::uint8_t*>(p));
}

Result<Fd> open_read(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(Code::io, path + ": cannot open: " + errno_text(errno));
  return Fd(fd);
}

Result<std::size_t> read_full(int fd, void* buf, std::size_t n, std::string_view what) {
  std::size_t got = 0;
  auto* p = static_cast<char*>(buf);
  while (got < n) {
    ssize_t r = ::read(fd, p + got, n - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, std::string(what) + ": read failed: " + errno_text(errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

Result<std::string> read_exact(int fd, std::size_t n, std::string_view what) {
  std::string out(n, '\0');
  FWSEAL_ASSIGN(std::size_t got, read_full(fd, out.data(), n, what));
  if (got != n)
    return make_error(Code::io, std::string(what) + ": unexpected end of file after " + std::to_string(got) + " of " +
                                    std::to_string(n) + " bytes");
  return out;
}

namespace {

// The rest of an open file, at most `max_bytes`.
Result<std::string> read_to_end(int fd, const std::string& path, std::size_t max_bytes) {
  std::string out;
  char buf[65536];
  for (;;) {
    FWSEAL_ASSIGN(std::size_t got, read_full(fd, buf, sizeof buf, path));
    out.append(buf, got);
    if (out.size() > max_bytes)
      return make_error(Code::io, path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
    if (got < sizeof buf) break;
  }
  return out;
}

}  // namespace

Result<std::string> read_file(const std::string& path, std::size_t max_bytes) {
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(Code::io, path + ": cannot stat: " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) return make_error(Code::io, path + ": is a directory");
  return read_to_end(fd.get(), path, max_bytes);
}

Result<std::string> read_regular_file(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) return make_error(Code::io, path + ": cannot open: " + errno_text(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(Code::io, path + ": cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) {
    const char* kind = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                                              : "not a regular file";
    return make_error(Code::io, path + ": is " + std::string(kind) + ", not a regular file");
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    return make_error(Code::io, path + ": larger than the limit of " + std::to_string(max_bytes) + " bytes");
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return read_to_end(fd.get(), path, max_bytes);
}

Status write_all(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t r = ::write(fd, data.data(), data.size());
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, std::string(what) + ": write failed: " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(r));
  }
  return ok_status();
}

Status pwrite_all(int fd, std::string_view data, std::uint64_t offset, std::string_view what) {
  while (!data.empty()) {
    ssize_t r = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, std::string(what) + ": write failed: " + errno_text(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(r));
    offset += static_cast<std::uint64_t>(r);
  }
  return ok_status();
}

namespace {
std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}
}  // namespace

AtomicFile::AtomicFile(std::string path, std::string temp, Fd fd)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(std::move(fd)), on_interrupt_(temp_) {}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : path_(std::move(o.path_)),
      temp_(std::move(o.temp_)),
      fd_(std::move(o.fd_)),
      committed_(o.committed_),
      on_interrupt_(std::move(o.on_interrupt_)) {
  o.committed_ = true;  // the moved-from object owns nothing to clean up
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

namespace {

// ".NAME.tmp-" followed by 16 hex digits: what AtomicFile::create names its files.
bool is_temp_of(std::string_view entry, std::string_view base) {
  constexpr std::string_view kTmp = ".tmp-";
  const std::size_t digits_at = 1 + base.size() + kTmp.size();
  if (entry.size() != digits_at + 16 || entry[0] != '.' || entry.substr(1, base.size()) != base ||
      entry.substr(1 + base.size(), kTmp.size()) != kTmp)
    return false;
  return entry.find_first_not_of("0123456789abcdef", digits_at) == std::string_view::npos;
}

// Temporary files of earlier runs for the same target that were killed: a
// live run holds a lock on its own.
void remove_stale_temps(const std::string& dir, const std::string& base) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d))
    if (is_temp_of(e->d_name, base)) stale.emplace_back(e->d_name);
  ::closedir(d);
  for (const auto& name : stale) {
    const std::string path = dir + "/" + name;
    Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) ::unlink(path.c_str());
  }
}

}  // namespace

Result<AtomicFile> AtomicFile::create(const std::string& path, unsigned mode) {
  // The temp file sits beside the target so rename() is atomic; its name starts
  // with '.' and ends in a random suffix so it never collides with the output.
  std::random_device rd;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string dir = dir_of(path);
    std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
    std::string temp = (dir == "." && path.find('/') == std::string::npos ? std::string() : dir + "/") + "." + base +
                       ".tmp-" + suffix;
    if (attempt == 0) remove_stale_temps(dir, base);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd >= 0) {
      ::flock(fd, LOCK_EX | LOCK_NB);  // ours while this run lives (remove_stale_temps)
      return AtomicFile(path, temp, Fd(fd));
    }
    if (errno != EEXIST) return make_error(Code::io, path + ": cannot create: " + errno_text(errno));
  }
  return make_error(Code::io, path + ": cannot create a temporary file beside it");
}

void AtomicFile::unlock() { ::flock(fd_.get(), LOCK_UN); }

Status AtomicFile::commit() { return finish(true); }
Status AtomicFile::commit_no_replace() { return finish(false); }

Status AtomicFile::finish(bool replace) {
  if (::fsync(fd_.get()) != 0) return make_error(Code::io, path_ + ": fsync failed: " + errno_text(errno));
  Fd closing = std::move(fd_);
  if (::close(closing.release()) != 0) return make_error(Code::io, path_ + ": close failed: " + errno_text(errno));
  if (!replace) {
    if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) != 0) {
      if (errno == EEXIST) return make_error(Code::usage, path_ + " already exists; it was not replaced");
      return make_error(Code::io, path_ + ": cannot rename into place: " + errno_text(errno));
    }
  } else if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return make_error(Code::io, path_ + ": cannot rename into place: " + errno_text(errno));
  }
  committed_ = true;
  Fd dir(::open(dir_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());  // best effort: some file systems refuse fsync on directories
  return ok_status();
}

Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode) {
  FWSEAL_ASSIGN(AtomicFile f, AtomicFile::create(path, mode));
  FWSEAL_TRY(write_all(f.fd(), data, path));
  return f.commit();
}

}  // namespace fwseal
