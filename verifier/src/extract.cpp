// extract_package: stage while verifying, publish only a valid package.
#include "fwseal/verifier/extract.h"

#include <fcntl.h>
#include <stdio.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <random>

#include "fwseal/base/direct_write.h"
#include "fwseal/base/file.h"
#include "fwseal/base/interrupt.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/format/rule.h"
#include "fwseal/verifier/decrypt.h"

namespace fwseal::verifier {
namespace {

Error io_error(const std::string& what, int err) { return make_error(Code::io, what + ": " + errno_text(err)); }

// Staging directories of earlier runs that were killed: named like ours and
// no longer locked by a live run. Only their regular files are removed, then
// the directory; anything else in one (never made by extract) keeps it.
void remove_leftovers(int dirfd) {
  Fd dup(::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dup) return;
  DIR* d = ::fdopendir(dup.get());
  if (!d) return;
  dup.release();
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n.size() == 24 && n.starts_with(".fwseal-extract-") &&
        n.find_first_not_of("0123456789abcdef", 16) == std::string_view::npos)
      names.emplace_back(n);
  }
  ::closedir(d);
  for (const auto& name : names) {
    Fd stage(::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!stage || ::flock(stage.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live run's, or not ours
    Fd list(::openat(stage.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* sd = list ? ::fdopendir(list.get()) : nullptr;
    if (!sd) continue;
    list.release();
    while (dirent* e = ::readdir(sd)) {
      struct stat st {};
      if (::fstatat(stage.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
        ::unlinkat(stage.get(), e->d_name, 0);
    }
    ::closedir(sd);
    ::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR);
  }
}

// Images from this size on are written past the page cache (AppendWriter:
// whole pages with O_DIRECT), so the device writes while the package is still
// being verified instead of all at the final fsync, and the CPU copies
// nothing into the cache. Smaller ones go through it: their fsync is quick.
constexpr std::uint64_t kDirectMinimum = std::uint64_t{64} << 20;
// 2 MiB: one transparent huge page each. A direct transfer from small pages
// pins 512 of them and made a 1 GiB extract twice as slow on the benchmark
// machine (2.3 s against 1.1 s with 1 MiB buffers; docs/BENCHMARKS.md).
constexpr std::uint64_t kWriteBuffer = std::uint64_t{2} << 20;

// The staging directory inside DIR and the files in it. Its destructor removes
// whatever is left, so every early return leaves DIR as it was.
class Staging final : public PackageSink {
 public:
  static Result<std::unique_ptr<Staging>> create(const std::string& dir) {
    Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dirfd) {
      int err = errno;
      if (err == ENOTDIR) return make_error(Code::io, dir + ": not a directory");
      return io_error(dir + ": cannot open the output directory", err);
    }
    remove_leftovers(dirfd.get());
    // mkdirat relative to DIR's descriptor, so a renamed or replaced path
    // cannot send the staging directory elsewhere.
    std::random_device rd;
    for (int attempt = 0; attempt < 16; ++attempt) {
      char name[32];
      std::snprintf(name, sizeof name, ".fwseal-extract-%08x", rd());
      if (::mkdirat(dirfd.get(), name, 0700) != 0) {
        if (errno == EEXIST) continue;
        return io_error(dir + ": cannot create a staging directory", errno);
      }
      Fd stage(::openat(dirfd.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      // Held while this run lives: a later run that can take the lock knows
      // the run that made the directory is gone (remove_leftovers).
      if (stage && ::flock(stage.get(), LOCK_EX | LOCK_NB) != 0) stage = Fd();
      if (!stage) {
        int err = errno;
        ::unlinkat(dirfd.get(), name, AT_REMOVEDIR);
        return io_error(dir + "/" + name + ": cannot open", err);
      }
      return std::unique_ptr<Staging>(new Staging(dir, std::move(dirfd), name, std::move(stage)));
    }
    return make_error(Code::io, dir + ": cannot create a staging directory (names taken)");
  }

  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;
  ~Staging() override { remove(); }

  // A version-1 package carries its signatures after the images: extract
  // verifies it completely once before this sink sees it (extract_package).
  void allow_version_1() { version_1_verified_ = true; }

  // Refuse up front: before a byte of any image is written.
  Status begin(const UnverifiedManifest& manifest) override {
    if (manifest.content.format_version < kManifestFormatVersion && !version_1_verified_)
      return make_error(Code::usage, "a version-1 package (signatures last) is extracted from a file, not a pipe: "
                                     "it is verified completely before anything is written");
    std::uint64_t needed = 0;
    for (const auto& img : manifest.content.images) {
      needed += (img.size + 4095) / 4096 * 4096;  // whole file-system blocks
      FWSEAL_TRY(with_rule("R12", check_image_name(img.name, "manifest.images")));  // R12, again: file names
      struct stat st {};
      if (::fstatat(dirfd_.get(), img.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return make_error(Code::io, dir_ + "/" + img.name + " already exists; extract does not overwrite files");
      if (errno != ENOENT) return io_error(dir_ + "/" + img.name, errno);
    }
    struct statvfs fs {};
    if (::fstatvfs(stage_.get(), &fs) == 0) {
      const std::uint64_t available = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
      if (needed > available)
        return make_error(Code::io, dir_ + ": " + std::to_string(available) + " bytes free, the images need " +
                                        std::to_string(needed) + "; nothing was written");
    }
    return ok_status();
  }

  Status begin_image(const ImageInfo& unverified_image) override {
    // The manifest parser already restricts names; checked again because this
    // name becomes a file name.
    FWSEAL_TRY(with_rule("R12", check_image_name(unverified_image.name, "manifest.images")));  // R12
    current_name_ = unverified_image.name;
    current_ = Fd(::openat(stage_.get(), current_name_.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!current_) return io_error(path(current_name_), errno);
    files_.push_back(current_name_);
    const std::uint64_t size = unverified_image.encryption ? unverified_image.encryption->plaintext_size
                                                           : unverified_image.size;
    // A small image takes a small buffer (the size is not verified yet: capped).
    // An encrypted image's plaintext comes from DecryptingSink's thread, with
    // its own queue of ciphertext before it: no write buffer waits in line,
    // so decrypting holds no more memory than a plain extract.
    writer_.emplace(current_.get(), 0, path(current_name_), size >= kDirectMinimum,
                    static_cast<std::size_t>(std::min<std::uint64_t>(size, kWriteBuffer)),
                    unverified_image.encryption ? 0 : 1);
    return ok_status();
  }

  Status image_data(std::string_view chunk) override {
    return writer_->write({reinterpret_cast<const std::uint8_t*>(chunk.data()), chunk.size()});
  }

  Status end_image() override {
    FWSEAL_TRY(writer_->flush());
    writer_.reset();
    if (::fsync(current_.get()) != 0) return io_error(path(current_name_) + ": fsync", errno);
    Fd closing = std::move(current_);
    if (::close(closing.release()) != 0) return io_error(path(current_name_) + ": close", errno);
    return ok_status();
  }

  // Moves every staged file into DIR. If one cannot be moved, those already
  // moved go back, so DIR ends as it began.
  Status publish() {
    std::vector<std::string> moved;
    for (const auto& name : files_) {
      Status s = move_into_dir(name);
      if (!s.ok()) {
        for (const auto& back : moved) ::renameat(dirfd_.get(), back.c_str(), stage_.get(), back.c_str());
        return s;
      }
      moved.push_back(name);
    }
    files_.clear();
    if (::fsync(dirfd_.get()) != 0 && errno != EINVAL) return io_error(dir_ + ": fsync", errno);
    return ok_status();
  }

 private:
  Staging(std::string dir, Fd dirfd, std::string name, Fd stage)
      : dir_(std::move(dir)),
        dirfd_(std::move(dirfd)),
        name_(std::move(name)),
        stage_(std::move(stage)),
        on_interrupt_(dir_ + "/" + name_) {}

  std::string path(const std::string& file) const { return dir_ + "/" + name_ + "/" + file; }

  Status move_into_dir(const std::string& name) {
    if (::renameat2(stage_.get(), name.c_str(), dirfd_.get(), name.c_str(), RENAME_NOREPLACE) == 0)
      return ok_status();
    int err = errno;
    if (err == EEXIST)
      return make_error(Code::io, dir_ + "/" + name + " already exists; extract does not overwrite files");
    if (err != EINVAL && err != ENOSYS) return io_error(dir_ + "/" + name + ": cannot move into place", err);
    // The file system cannot refuse to replace atomically: check, then rename.
    struct stat st {};
    if (::fstatat(dirfd_.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
      return make_error(Code::io, dir_ + "/" + name + " already exists; extract does not overwrite files");
    if (::renameat(stage_.get(), name.c_str(), dirfd_.get(), name.c_str()) != 0)
      return io_error(dir_ + "/" + name + ": cannot move into place", errno);
    return ok_status();
  }

  void remove() {
    writer_.reset();
    current_ = Fd();
    for (const auto& name : files_) ::unlinkat(stage_.get(), name.c_str(), 0);
    files_.clear();
    stage_ = Fd();
    ::unlinkat(dirfd_.get(), name_.c_str(), AT_REMOVEDIR);
  }

  std::string dir_;
  Fd dirfd_;
  std::string name_;  // of the staging directory, inside dir_
  Fd stage_;
  std::vector<std::string> files_;  // created in the staging directory
  std::string current_name_;
  Fd current_;
  std::optional<AppendWriter> writer_;  // current_'s
  bool version_1_verified_ = false;
  RemoveOnInterrupt on_interrupt_;  // SIGINT, SIGTERM, SIGHUP: DIR as it was
};

// The format version a package states, read without consuming the input of
// a pipe: only a regular file is peeked at (pread); a pipe counts as version 2,
// and a version-1 package from a pipe then stops at staging's begin().
Result<int> package_format_version(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return kManifestFormatVersion;
  const off_t at = ::lseek(fd, 0, SEEK_CUR);
  if (at < 0) return kManifestFormatVersion;
  FWSEAL_ASSIGN(FileSource in, FileSource::open(fd, "package"));
  if (at != 0) return kManifestFormatVersion;
  auto header = read_manifest_header(in);
  if (!header.ok()) return kManifestFormatVersion;  // the verifier says what is wrong
  auto bytes = read_manifest_bytes(in, *header);
  if (!bytes.ok()) return kManifestFormatVersion;
  auto manifest = parse_manifest(*bytes);
  if (!manifest.ok()) return kManifestFormatVersion;
  return manifest->content.format_version;
}

Status rewind(int fd) {
  if (::lseek(fd, 0, SEEK_SET) != 0)
    return make_error(Code::io, "a version-1 package (signatures last) is extracted from a file, not a pipe: it is "
                                "verified completely before anything is written");
  return ok_status();
}

}  // namespace

Status extract_package(int fd, const TrustPolicy& trust, const VerifyOptions& options, const std::string& dir,
                       VerifyReport* report, const enc::RecipientKey* decrypt_key) {
  auto staging = Staging::create(dir);
  if (!staging.ok()) {
    if (report) report->status = staging.error();
    return std::move(staging).error();
  }
  // A version-1 package (signatures last) is verified completely first, so
  // that nothing unverified is written; it must be a file that can be read twice.
  auto version = package_format_version(fd);
  if (version.ok() && *version < kManifestFormatVersion) {
    VerifyReport first = verify_package(fd, trust, options, nullptr);
    Status again = first.ok() ? rewind(fd) : first.status;
    if (!again.ok()) {
      if (report) {
        *report = std::move(first);
        report->status = again;
        report->verified.reset();
      }
      return again;
    }
    (*staging)->allow_version_1();
  }
  DecryptingSink decrypting(decrypt_key, staging->get());
  VerifyReport r = verify_package(fd, trust, options, &decrypting);
  Status s = r.ok() ? decrypting.result() : r.status;
  if (s.ok() && options.progress) options.progress->begin_step("extracting: moving the images into place", 0);
  if (s.ok()) s = (*staging)->publish();
  if (report) {
    if (!s.ok()) {
      r.status = s;
      r.verified.reset();
    }
    *report = std::move(r);
  }
  return s;
}

}  // namespace fwseal::verifier
