// Archive and raw-file images, read with libarchive straight from the file:
// nothing is extracted, and every byte of the file passes through the image's
// digests once on its way to libarchive.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

#include "fwseal/base/file.h"
#include "image_scan.h"
#include "sbom_limits.h"
#include "text.h"

namespace fwseal::sbom {
namespace {

constexpr std::size_t kBlock = 1024 * 1024;

struct ArchiveInput {
  int fd = -1;
  std::string path;
  std::vector<char> buf = std::vector<char>(kBlock);
  ImageHashers* digests = nullptr;
  int error = 0;

  // Reads and hashes the next block; 0 at the end; -1 on error (errno kept).
  ssize_t next() {
    for (;;) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        error = errno;
        return -1;
      }
      digests->update(std::string_view(buf.data(), static_cast<std::size_t>(n)));
      return n;
    }
  }
  // The digests cover trailing bytes libarchive never asked for (tar record
  // padding, anything after the end-of-archive marker).
  Status drain() {
    while (true) {
      ssize_t n = next();
      if (n == 0) return ok_status();
      if (n < 0) return make_error(Code::io, path + ": cannot read: " + errno_text(error));
    }
  }
};

la_ssize_t read_cb(archive*, void* client, const void** buffer) {
  auto* src = static_cast<ArchiveInput*>(client);
  ssize_t n = src->next();
  *buffer = src->buf.data();
  return n;
}

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// Formats that need no seeking and never open other files (mtree is left out:
// it names files on the host) and decompressors built into libarchive.
ArchivePtr make_reader() {
  ArchivePtr a(archive_read_new(), &archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_cpio(a.get());
  archive_read_support_format_zip_streamable(a.get());
  archive_read_support_format_iso9660(a.get());
  archive_read_support_format_7zip(a.get());
  archive_read_support_format_ar(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_lzma(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_lz4(a.get());
  archive_read_support_filter_compress(a.get());
  return a;
}

Result<Fd> open_image(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd) return make_error(Code::io, path + ": cannot open: " + errno_text(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
  return fd;
}

// libarchive's "Unrecognized archive format" (ARCHIVE_ERRNO_FILE_FORMAT, which
// is EILSEQ on Linux): no reader bid on the data, so it is a raw image. Any
// other failure (a truncated gzip stream, a bad header) is a broken archive.
bool not_an_archive(archive* a) { return archive_format(a) == 0 && archive_errno(a) == EILSEQ; }

std::string archive_message(archive* a) {
  const char* s = archive_error_string(a);
  return s != nullptr ? sanitize_utf8(s) : "unknown libarchive error";
}

}  // namespace

Result<bool> walk_archive(const std::string& path, ImageSink& sink, ImageHashers& digests) {
  FWSEAL_ASSIGN(Fd fd, open_image(path));
  ArchiveInput src;
  src.fd = fd.get();
  src.path = path;
  src.digests = &digests;
  ArchivePtr a = make_reader();
  if (archive_read_open(a.get(), &src, nullptr, read_cb, nullptr) != ARCHIVE_OK) {
    if (src.error != 0) return make_error(Code::io, path + ": cannot read: " + errno_text(src.error));
    if (not_an_archive(a.get())) return false;
    return make_error(Code::malformed, path + ": " + archive_message(a.get()));
  }
  std::uint64_t index = 0;
  for (;; ++index) {
    archive_entry* entry = nullptr;
    int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (src.error != 0) return make_error(Code::io, path + ": cannot read: " + errno_text(src.error));
    if (r == ARCHIVE_FATAL) {
      if (index == 0 && not_an_archive(a.get())) return false;
      return make_error(Code::malformed, path + ": archive entry " + std::to_string(index) + ": " + archive_message(a.get()));
    }
    if (r == ARCHIVE_WARN) sink.warn(path + ": archive entry " + std::to_string(index) + ": " + archive_message(a.get()));
    if (r == ARCHIVE_RETRY) return make_error(Code::malformed, path + ": archive entry " + std::to_string(index) + ": " + archive_message(a.get()));
    const char* name = archive_entry_pathname(entry);
    if (name == nullptr || std::string_view(name).size() > kMaxPathBytes) {
      sink.warn(path + ": archive entry " + std::to_string(index) + " has no usable path; skipped");
      FWSEAL_TRY(sink.other());
      continue;
    }
    auto type = archive_entry_filetype(entry);
    if (archive_entry_hardlink(entry) != nullptr && archive_entry_size(entry) == 0) {
      FWSEAL_TRY(sink.other());  // a hard link to a file already read
    } else if (type == AE_IFREG) {
      std::string where = path + ": " + shown(name);
      ReadFn read = [&](char* buf, std::size_t cap) -> Result<std::size_t> {
        la_ssize_t n = archive_read_data(a.get(), buf, cap);
        if (n < 0) {
          if (src.error != 0) return make_error(Code::io, path + ": cannot read: " + errno_text(src.error));
          return make_error(Code::malformed, where + ": " + archive_message(a.get()));
        }
        return static_cast<std::size_t>(n);
      };
      auto size = archive_entry_size_is_set(entry) != 0 ? archive_entry_size(entry) : 0;
      FWSEAL_TRY(sink.file(name, size < 0 ? 0 : static_cast<std::uint64_t>(size), read));
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      FWSEAL_TRY(sink.symlink(name, target != nullptr ? target : ""));
    } else if (type == AE_IFDIR) {
      FWSEAL_TRY(sink.directory(name));
    } else {
      FWSEAL_TRY(sink.other());
    }
  }
  FWSEAL_TRY(src.drain());
  return true;
}

Status walk_raw_file(const std::string& path, std::string_view image_type, ImageSink& sink, ImageHashers& digests) {
  FWSEAL_ASSIGN(Fd fd, open_image(path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(Code::io, path + ": cannot stat: " + errno_text(errno));
  ReadFn read = [&](char* buf, std::size_t cap) -> Result<std::size_t> {
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, cap);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return make_error(Code::io, path + ": cannot read: " + errno_text(errno));
      digests.update(std::string_view(buf, static_cast<std::size_t>(n)));
      return static_cast<std::size_t>(n);
    }
  };
  // The image is one file; it is named by its base name inside the image.
  std::string base = path.substr(path.rfind('/') + 1);
  return sink.file(base, static_cast<std::uint64_t>(st.st_size), read, image_type);
}

}  // namespace fwseal::sbom
