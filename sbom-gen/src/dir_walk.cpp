// Directory images: a depth-first walk in byte order of names, never following
// symlinks, so the same tree gives the same listing wherever it is.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "fwseal/base/file.h"
#include "image_scan.h"
#include "sbom_limits.h"

namespace fwseal::sbom {
namespace {

Error io_error(const std::string& path, const std::string& doing, int err) {
  return make_error(Code::io, path + ": cannot " + doing + ": " + errno_text(err));
}

Status read_regular(int dir_fd, const std::string& name, const std::string& full, const std::string& rel,
                    ImageSink& sink) {
  // O_NONBLOCK: a FIFO swapped in after the stat must not hang the walk.
  Fd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) return io_error(full, "open", errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return io_error(full, "stat", errno);
  if (!S_ISREG(st.st_mode)) return sink.other();
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  ReadFn read = [&](char* buf, std::size_t cap) -> Result<std::size_t> {
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, cap);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return io_error(full, "read", errno);
    }
  };
  return sink.file(rel, static_cast<std::uint64_t>(st.st_size), read);
}

Status walk(int dir_fd, const std::string& full, const std::string& rel, std::size_t depth, ImageSink& sink) {
  if (depth > kMaxDepth)
    return make_error(Code::malformed, full + ": directories nested deeper than " + std::to_string(kMaxDepth));
  int dup_fd = ::dup(dir_fd);
  if (dup_fd < 0) return io_error(full, "read directory", errno);
  DIR* dir = ::fdopendir(dup_fd);
  if (dir == nullptr) {
    int err = errno;
    ::close(dup_fd);
    return io_error(full, "read directory", err);
  }
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
    if (names.size() > kMaxEntriesPerImage) break;
    errno = 0;
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return io_error(full, "read directory", err);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    std::string child_full = full + "/" + name;
    std::string child_rel = rel + "/" + name;
    if (child_rel.size() > kMaxPathBytes)
      return make_error(Code::malformed, child_full + ": path longer than " + std::to_string(kMaxPathBytes) + " bytes");
    struct stat st {};
    if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return io_error(child_full, "stat", errno);
    if (S_ISDIR(st.st_mode)) {
      FWSEAL_TRY(sink.directory(child_rel));
      Fd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child) return io_error(child_full, "open directory", errno);
      FWSEAL_TRY(walk(child.get(), child_full, child_rel, depth + 1, sink));
    } else if (S_ISREG(st.st_mode)) {
      FWSEAL_TRY(read_regular(dir_fd, name, child_full, child_rel, sink));
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(kMaxPathBytes + 1, '\0');
      ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
      if (n < 0) return io_error(child_full, "read link", errno);
      target.resize(static_cast<std::size_t>(n));
      FWSEAL_TRY(sink.symlink(child_rel, target));
    } else {
      FWSEAL_TRY(sink.other());  // devices, FIFOs, sockets carry no components
    }
  }
  return ok_status();
}

}  // namespace

Status walk_directory(const std::string& root, ImageSink& sink) {
  Fd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return io_error(root, "open directory", errno);
  return walk(fd.get(), root, "", 0, sink);
}

}  // namespace fwseal::sbom
