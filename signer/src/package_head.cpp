#include <sys/stat.h>

#include <algorithm>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/signer/signer.h"

namespace fwseal::signer {
namespace {

Result<std::string> pread_exact(int fd, std::uint64_t offset, std::size_t n, const std::string& path,
                                std::string_view what) {
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, path + ": read failed: " + errno_text(errno));
    }
    if (r == 0)
      return make_error(Code::malformed, path + ": package ends at offset " + std::to_string(offset + got) + " inside " +
                                             std::string(what));
    got += static_cast<std::size_t>(r);
  }
  return out;
}

Status expect_header(int fd, const std::string& path, const EntryLayout& e, std::int64_t created) {
  FWSEAL_ASSIGN(std::string want, tar_header(e.name, e.data_size, created));
  FWSEAL_ASSIGN(std::string have, pread_exact(fd, e.header_offset, want.size(), path, "the header of " + e.name));
  if (have != want)
    return make_error(Code::malformed, path + ": tar header of " + e.name + " at offset " +
                                           std::to_string(e.header_offset) + " is not the canonical header");
  return ok_status();
}

}  // namespace

Result<PackageHead> read_package_head(const std::string& path) {
  FWSEAL_ASSIGN(Fd fd, open_read(path));
  return read_package_head(fd.get(), path);
}

Result<PackageHead> read_package_head(int raw_fd, const std::string& path) {
  struct Borrowed {
    int fd;
    int get() const { return fd; }
  } fd{raw_fd};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(Code::io, path + ": cannot stat: " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) return make_error(Code::io, path + ": not a regular file");
  const auto file_size = static_cast<std::uint64_t>(st.st_size);

  FWSEAL_ASSIGN(std::string block0, pread_exact(fd.get(), 0, kBlock, path, "the first header"));
  FWSEAL_ASSIGN(ParsedHeader first, parse_tar_header(block0, path + ": offset 0"));
  if (first.name != kManifestEntry)
    return make_error(Code::malformed, path + ": first entry is \"" + first.name + "\", not manifest.json");
  if (first.size > kMaxManifestBytes) return make_error(Code::malformed, path + ": manifest.json is too large");
  FWSEAL_ASSIGN(std::string bytes, pread_exact(fd.get(), kBlock, first.size, path, "manifest.json"));

  PackageHead head;
  FWSEAL_ASSIGN(head.manifest, parse_manifest(bytes));
  const Manifest& m = head.manifest.content;
  FWSEAL_ASSIGN(std::vector<EntryLayout> layout, compute_layout(m, first.size));
  for (const auto& e : layout) FWSEAL_TRY(expect_header(fd.get(), path, e, m.created));

  // Signature entries follow the last image; the end of archive follows them.
  std::uint64_t at = layout.back().end_offset;
  for (;;) {
    FWSEAL_ASSIGN(std::string block, pread_exact(fd.get(), at, kBlock, path, "the signature entries"));
    if (block == std::string(kBlock, '\0')) break;
    std::string where = path + ": offset " + std::to_string(at);
    FWSEAL_ASSIGN(ParsedHeader h, parse_tar_header(block, where));
    if (h.name.rfind(kSignaturePrefix, 0) != 0 || h.size > kMaxSignatureEntryBytes)
      return make_error(Code::malformed, where + ": unexpected entry \"" + h.name + "\" after the images");
    FWSEAL_TRY(expect_header(fd.get(), path, EntryLayout{h.name, at, kBlock, at + kBlock, h.size, 0}, m.created));
    FWSEAL_ASSIGN(std::string env_bytes, pread_exact(fd.get(), at + kBlock, h.size, path, h.name));
    FWSEAL_ASSIGN(SignatureEnvelope env, parse_envelope(env_bytes, h.name));
    if (h.name != signature_entry_name(to_hex(env.key_id)))
      return make_error(Code::malformed, path + ": " + h.name + " holds a signature by another key");
    head.signatures.push_back(std::move(env));
    if (head.signatures.size() > kMaxSignatures) return make_error(Code::malformed, path + ": too many signatures");
    at += kBlock + padded_size(h.size);
  }
  if (file_size != at + 2 * kBlock) {
    FWSEAL_ASSIGN(std::string second, pread_exact(fd.get(), at + kBlock, kBlock, path, "the end of the archive"));
    if (second != std::string(kBlock, '\0'))
      return make_error(Code::malformed, path + ": end of archive at offset " + std::to_string(at) + " is not two zero blocks");
    return make_error(Code::malformed, path + ": " + std::to_string(file_size - at - 2 * kBlock) +
                                           " bytes after the end of the archive at offset " + std::to_string(at + 2 * kBlock));
  }
  FWSEAL_ASSIGN(std::string eoa, pread_exact(fd.get(), at, 2 * kBlock, path, "the end of the archive"));
  if (eoa != end_of_archive())
    return make_error(Code::malformed, path + ": end of archive at offset " + std::to_string(at) + " is not two zero blocks");
  head.end_offset = at;
  return head;
}

Result<std::string> to_be_signed(const std::string& path) {
  FWSEAL_ASSIGN(PackageHead head, read_package_head(path));
  return signed_bytes(head.manifest.bytes);
}

}  // namespace fwseal::signer
