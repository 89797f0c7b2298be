#include "image_scan.h"

#include <sys/stat.h>

#include <cerrno>

#include "fwseal/base/file.h"

namespace fwseal::sbom {

namespace {

Result<ImageScan> scan_file(const ImageSpec& spec, bool sha512, bool hash) {
  {
    ImageSink sink(spec, false, sha512);
    ImageHashers digests(sha512, hash);
    FWSEAL_ASSIGN(bool was_archive, walk_archive(spec.path, sink, digests));
    if (was_archive) return sink.finish(digests.finish());
  }
  ImageSink sink(spec, false, sha512);
  ImageHashers digests(sha512, hash);
  FWSEAL_TRY(walk_raw_file(spec.path, spec.type, sink, digests));
  return sink.finish(digests.finish());
}

Result<ImageScan> scan(const ImageSpec& spec, bool sha512, bool hash) {
  struct stat st {};
  if (::stat(spec.path.c_str(), &st) != 0)
    return make_error(Code::io, spec.path + ": " + errno_text(errno));
  if (S_ISDIR(st.st_mode)) {
    ImageSink sink(spec, true, sha512);
    FWSEAL_TRY(walk_directory(spec.path, sink));
    return sink.finish(std::nullopt);
  }
  if (!S_ISREG(st.st_mode))
    return make_error(Code::io, spec.path + ": neither a regular file nor a directory");
  FWSEAL_ASSIGN(ImageScan out, scan_file(spec, sha512, hash));
  // What was read is the file as it was before and after: same inode, same
  // size, no write in between (a write moves the change time).
  struct stat after {};
  if (::stat(spec.path.c_str(), &after) != 0) return make_error(Code::io, spec.path + ": " + errno_text(errno));
  if (file_stamp(after) != file_stamp(st))
    return make_error(Code::io, spec.path + ": changed while being read; make sure nothing writes the image meanwhile");
  out.stamp = file_stamp(st);
  return out;
}

}  // namespace

// Every error names the image first: "image rootfs: /srv/rootfs.tar: archive entry 3: ...".
Result<ImageScan> scan_image(const ImageSpec& spec, bool sha512, bool hash) {
  auto r = scan(spec, sha512, hash);
  if (r.ok()) return r;
  Error e = std::move(r).error();
  std::string prefix = "image " + spec.name + ": ";
  if (!e.message.starts_with(prefix)) e.message = prefix + e.message;
  return e;
}

}  // namespace fwseal::sbom
