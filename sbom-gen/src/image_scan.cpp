#include "image_scan.h"

#include <sys/stat.h>

#include <cerrno>

#include "fwseal/format/file.h"

namespace fwseal::sbom {

namespace {

Result<ImageScan> scan(const ImageSpec& spec, bool sha512) {
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
  {
    ImageSink sink(spec, false, sha512);
    ImageHashers digests(sha512);
    FWSEAL_ASSIGN(bool was_archive, walk_archive(spec.path, sink, digests));
    if (was_archive) return sink.finish(digests.finish());
  }
  ImageSink sink(spec, false, sha512);
  ImageHashers digests(sha512);
  FWSEAL_TRY(walk_raw_file(spec.path, spec.type, sink, digests));
  return sink.finish(digests.finish());
}

}  // namespace

// Every error names the image first: "image rootfs: /srv/rootfs.tar: archive entry 3: ...".
Result<ImageScan> scan_image(const ImageSpec& spec, bool sha512) {
  auto r = scan(spec, sha512);
  if (r.ok()) return r;
  Error e = std::move(r).error();
  std::string prefix = "image " + spec.name + ": ";
  if (!e.message.starts_with(prefix)) e.message = prefix + e.message;
  return e;
}

}  // namespace fwseal::sbom
