// extract_package: stage while verifying, publish only a valid package.
#include "fwseal/verifier/extract.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <random>

#include "fwseal/base/file.h"
#include "fwseal/format/manifest.h"

namespace fwseal::verifier {
namespace {

Error io_error(const std::string& what, int err) { return make_error(Code::io, what + ": " + errno_text(err)); }

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

  // Refuse up front: before a byte of any image is written.
  Status begin(const UnverifiedManifest& manifest) override {
    for (const auto& img : manifest.content.images) {
      FWSEAL_TRY(check_image_name(img.name, "manifest.images"));
      struct stat st {};
      if (::fstatat(dirfd_.get(), img.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return make_error(Code::io, dir_ + "/" + img.name + " already exists; extract does not overwrite files");
      if (errno != ENOENT) return io_error(dir_ + "/" + img.name, errno);
    }
    return ok_status();
  }

  Status begin_image(const ImageInfo& unverified_image) override {
    // The manifest parser already restricts names; checked again because this
    // name becomes a file name.
    FWSEAL_TRY(check_image_name(unverified_image.name, "manifest.images"));
    current_name_ = unverified_image.name;
    current_ = Fd(::openat(stage_.get(), current_name_.c_str(),
                           O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!current_) return io_error(path(current_name_), errno);
    files_.push_back(current_name_);
    return ok_status();
  }

  Status image_data(std::string_view chunk) override { return write_all(current_.get(), chunk, path(current_name_)); }

  Status end_image() override {
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
      : dir_(std::move(dir)), dirfd_(std::move(dirfd)), name_(std::move(name)), stage_(std::move(stage)) {}

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
};

}  // namespace

Status extract_package(int fd, const TrustPolicy& trust, const VerifyOptions& options, const std::string& dir,
                       VerifyReport* report) {
  auto staging = Staging::create(dir);
  if (!staging.ok()) {
    if (report) report->status = staging.error();
    return std::move(staging).error();
  }
  VerifyReport r = verify_package(fd, trust, options, staging->get());
  Status s = r.ok() ? (*staging)->publish() : r.status;
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
