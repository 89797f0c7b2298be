#include "fwseal/format/created.h"
#include "fwseal/packager/package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string_view>

#include "copier.h"
#include "encrypting_copy.h"
#include "fwseal/format/canonical_json.h"
#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/signature.h"
#include "fwseal/base/parallel.h"

namespace fwseal::packager {
namespace {

struct Input {
  Fd fd;
  std::string label;  // `image "kernel" (fw/kernel.bin)`, for messages
};

Result<std::int64_t> resolve_created(const Spec& spec, const PackageOptions& options) {
  if (spec.created) {
    FWSEAL_TRY(check_created(*spec.created, "spec.created"));
    return *spec.created;
  }
  if (options.source_date_epoch) {
    FWSEAL_TRY(check_created(*options.source_date_epoch, "SOURCE_DATE_EPOCH", Code::usage));
    return *options.source_date_epoch;
  }
  return std::int64_t{0};
}

Result<Input> open_image(const ImageSpec& img) {
  Input in;
  in.label = "image \"" + img.name + "\" (" + img.path + ")";
  in.fd = Fd(::open(img.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.fd) return make_error(Code::io, in.label + ": cannot open: " + errno_text(errno));
  return in;
}

class Writer {
 public:
  Writer(int fd, const std::string& name) : fd_(fd), name_(name) {}

  Status at(std::string_view bytes, std::uint64_t offset) const { return pwrite_all(fd_, bytes, offset, name_); }

  // The entry's header, checked against the layout it was planned with.
  Status header(const EntryLayout& e, std::int64_t created) const {
    FWSEAL_ASSIGN(std::string h, tar_header(e.name, e.data_size, created));
    if (h.size() != e.header_size)
      return make_error(Code::internal, e.name + ": header of " + std::to_string(h.size()) + " bytes, layout planned " +
                                            std::to_string(e.header_size));
    return at(h, e.header_offset);
  }

  // Zeros from the end of the entry's data to the next block. Written rather
  // than left as a hole so the bytes never depend on how the file was created.
  Status padding(const EntryLayout& e) const {
    std::uint64_t n = e.end_offset - e.data_offset - e.data_size;
    if (n == 0) return ok_status();
    return at(std::string(static_cast<std::size_t>(n), '\0'), e.data_offset + e.data_size);
  }

  Status entry(const EntryLayout& e, std::string_view data, std::int64_t created) const {
    FWSEAL_TRY(header(e, created));
    FWSEAL_TRY(at(data, e.data_offset));
    return padding(e);
  }

 private:
  int fd_;
  const std::string& name_;
};

// The SBOM the package embeds, if a finished one was given: the spec's or
// the options'. Refuses two SBOMs, and a generated SBOM that was not passed.
Result<std::optional<std::string_view>> chosen_sbom(const Spec& spec, const PackageOptions& options) {
  const PendingSbom* pending = options.pending_sbom ? &*options.pending_sbom : nullptr;
  if (pending && (spec.sbom || options.sbom))
    return make_error(Code::usage, "an SBOM to complete with the image digests and another SBOM were given; a "
                                   "package embeds one SBOM");
  if (pending && (pending->images.size() != spec.images.size() || !pending->render))
    return make_error(Code::internal, "the pending SBOM describes " + std::to_string(pending->images.size()) +
                                          " images, the spec has " + std::to_string(spec.images.size()));
  if (spec.sbom && options.sbom)
    return make_error(Code::usage, "spec.sbom names an SBOM (" + spec.sbom_path +
                                       ") and another SBOM was given too; a package embeds one SBOM");
  if (spec.sbom_generation && !options.sbom && !pending)
    return make_error(Code::usage, "spec.sbom asks for a generated SBOM and none was passed in; generate it "
                                   "from the spec's images (sbom-gen) and pass it with the package options");
  if (spec.sbom) {
    FWSEAL_TRY(check_sbom(*spec.sbom, "spec.sbom"));
    return std::optional<std::string_view>(*spec.sbom);
  }
  if (options.sbom) {
    FWSEAL_TRY(check_sbom(*options.sbom, "SBOM"));
    return std::optional<std::string_view>(*options.sbom);
  }
  return std::optional<std::string_view>();
}

// The images, opened and sized before anything is written: the sizes fix the
// layout, and the file read is the file that was sized (and, for a pending
// SBOM, the file it was made from).
struct OpenedImages {
  std::vector<Input> inputs;
  std::vector<FileStamp> stamps;
  std::vector<std::optional<enc::DataKey>> keys;  // for encrypted images
};

enc::ImageContext encryption_context(const Manifest& m, std::size_t i) {
  return {m.product, m.version, m.images[i].name, m.images[i].encryption->plaintext_size,
          m.images[i].encryption->chunk_size};
}

// An encrypted image's manifest record, all but its digests: its data key
// (derived from the secret and the image's context, not from its contents)
// wrapped for each recipient, sorted by key id.
Result<enc::DataKey> plan_encryption(const ImageSpec& img, const PackageOptions& options, Manifest& m, std::size_t i) {
  if (!options.encryption_secret)
    return make_error(Code::usage, "image \"" + img.name + "\" is to be encrypted (spec images[" + std::to_string(i) +
                                       "].encryption): give the release's encryption secret (--encryption-secret "
                                       "FILE, or --encryption-key URI for a secret key in a token)");
  ImageInfo& info = m.images[i];
  enc::ImageEncryption e;
  e.chunk_size = img.encryption->chunk_size;
  e.plaintext_size = info.size;
  info.encryption = e;
  info.size = enc::ciphertext_size(e.plaintext_size, e.chunk_size);
  const enc::ImageContext context = encryption_context(m, i);
  FWSEAL_ASSIGN(enc::DataKey key, enc::derive_data_key(*options.encryption_secret, context));
  for (const auto& path : img.encryption->recipients) {
    FWSEAL_ASSIGN(enc::Recipient r, enc::load_recipient_pem(path));
    FWSEAL_ASSIGN(enc::WrappedKey w, enc::wrap_data_key(key, r, context));
    info.encryption->recipients.push_back(std::move(w));
  }
  std::sort(info.encryption->recipients.begin(), info.encryption->recipients.end(),
            [](const auto& a, const auto& b) { return a.recipient < b.recipient; });
  return key;
}

Result<OpenedImages> open_images(const Spec& spec, const PendingSbom* pending, const PackageOptions& options,
                                 Manifest& m) {
  OpenedImages out;
  for (std::size_t i = 0; i < spec.images.size(); ++i) {
    const ImageSpec& img = spec.images[i];
    FWSEAL_ASSIGN(Input in, open_image(img));
    struct stat st {};
    if (::fstat(in.fd.get(), &st) != 0) return make_error(Code::io, in.label + ": cannot stat: " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return make_error(Code::io, in.label + ": not a regular file");
    out.stamps.push_back(file_stamp(st));
    if (pending && out.stamps.back() != pending->images[i])
      return make_error(Code::io, in.label + ": not the file the SBOM was made from (replaced or written to since); "
                                             "make sure nothing writes the images during packaging");
    m.images.push_back(ImageInfo{img.name, img.type, static_cast<std::uint64_t>(st.st_size), Sha256{}});
    out.keys.emplace_back();
    if (img.encryption) {
      FWSEAL_ASSIGN(out.keys.back(), plan_encryption(img, options, m, i));
    }
    out.inputs.push_back(std::move(in));
  }
  return out;
}

// Every image has its place in the file already, so images are copied (and
// hashed) in parallel, each read once; the first failing image is reported.
// The digest is of the bytes that were copied; a write meanwhile (even one
// that kept the size) could have changed them halfway, so that is refused.
Status copy_images(const OpenedImages& images, const std::vector<EntryLayout>& layout, std::size_t first_image,
                   const Writer& w, int out_fd, const PackageOptions& options, std::uint64_t total, Manifest& m) {
  const auto& inputs = images.inputs;
  for (std::size_t i = 0; i < inputs.size(); ++i) FWSEAL_TRY(w.header(layout[first_image + i], m.created));
  if (options.progress) {
    std::uint64_t image_bytes = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) image_bytes += layout[first_image + i].data_size;
    options.progress->begin_step("packaging: reading and hashing images", image_bytes);
  }
  std::vector<std::optional<Result<Sha256>>> copied(inputs.size());
  std::vector<Sha256> plaintext(inputs.size());
  parallel_for(inputs.size(), [&](std::size_t i) {
    const EntryLayout& e = layout[first_image + i];
    if (const auto& key = images.keys[i]) {
      auto r = encrypt_copy(inputs[i].fd.get(), inputs[i].label, *key, encryption_context(m, i), out_fd,
                            e.data_offset, options.output, total >= options.direct_io_minimum, options.progress);
      if (!r.ok()) {
        copied[i] = std::move(r).error();
        return;
      }
      plaintext[i] = r->plaintext;
      copied[i] = r->ciphertext;
      return;
    }
    Copier copier;
    copier.set_direct_io(total >= options.direct_io_minimum);
    copier.set_progress(options.progress);
    copied[i] = copier.copy(inputs[i].fd.get(), e.data_size, inputs[i].label, out_fd, e.data_offset, options.output);
  });
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    FWSEAL_ASSIGN(m.images[i].sha256, std::move(*copied[i]));
    if (m.images[i].encryption) m.images[i].encryption->plaintext_sha256 = plaintext[i];
    FWSEAL_TRY(w.padding(layout[first_image + i]));
    struct stat st {};
    if (::fstat(inputs[i].fd.get(), &st) != 0)
      return make_error(Code::io, inputs[i].label + ": cannot stat: " + errno_text(errno));
    if (file_stamp(st) != images.stamps[i])
      return make_error(Code::io, inputs[i].label + ": written to while being read; make sure nothing writes the "
                                                    "images during packaging");
  }
  return ok_status();
}

// A pending SBOM, completed with the image digests and written in the place
// planned for it.
Result<std::string> finish_sbom(const PendingSbom& pending, const EntryLayout& e, const Writer& w, Manifest& m) {
  std::vector<Sha256> digests;
  // An encrypted image is described by its plaintext, what the device runs.
  for (const auto& img : m.images) digests.push_back(img.encryption ? img.encryption->plaintext_sha256 : img.sha256);
  FWSEAL_ASSIGN(std::string rendered, pending.render(digests));
  if (rendered.size() != pending.size)
    return make_error(Code::internal, "SBOM is " + std::to_string(rendered.size()) +
                                          " bytes, the layout was planned for " + std::to_string(pending.size));
  FWSEAL_TRY(check_sbom(rendered, "SBOM"));
  m.sbom->sha256 = sha256(rendered);
  FWSEAL_TRY(w.entry(e, rendered, m.created));
  return rendered;
}

Result<Manifest> planned_manifest(const Spec& spec, const PackageOptions& options,
                                  std::optional<std::string_view> sbom) {
  Manifest m;
  m.product = spec.product;
  m.version = spec.version;
  m.security_version = spec.security_version;
  m.hardware = spec.hardware;
  m.signature_space = spec.signature_space;
  std::sort(m.hardware.begin(), m.hardware.end());  // duplicates are left for check_manifest to name
  FWSEAL_ASSIGN(m.created, resolve_created(spec, options));
  if (sbom) m.sbom = SbomInfo{sbom->size(), sha256(*sbom)};
  // A pending SBOM's digest is fixed-length hex like the images': a placeholder plans the same layout.
  if (options.pending_sbom) m.sbom = SbomInfo{options.pending_sbom->size, Sha256{}};
  return m;
}

}  // namespace

namespace {

Error output_exists(const std::string& output) {
  return make_error(Code::usage, output + " already exists; fwseal package does not replace a file (it may be a "
                                          "signed release): choose another output, or --force to replace it");
}

}  // namespace

Result<PackageResult> build_package(const Spec& spec, const PackageOptions& options) {
  if (options.output.empty()) return make_error(Code::usage, "no output path given for the package");
  struct stat existing {};
  if (!options.replace_existing && ::lstat(options.output.c_str(), &existing) == 0) {
    if (S_ISDIR(existing.st_mode))
      return make_error(Code::io, options.output + ": is a directory; the output is the package's file name");
    return output_exists(options.output);
  }
  const PendingSbom* pending = options.pending_sbom ? &*options.pending_sbom : nullptr;
  FWSEAL_ASSIGN(std::optional<std::string_view> sbom, chosen_sbom(spec, options));
  FWSEAL_ASSIGN(Manifest m, planned_manifest(spec, options, sbom));
  FWSEAL_ASSIGN(OpenedImages images, open_images(spec, pending, options, m));

  // Digests are fixed-length hex, so the manifest with placeholder digests has
  // the final manifest's size, and with it every offset of the package.
  FWSEAL_ASSIGN(std::string planned, serialize_manifest(m));
  if (planned.size() > kMaxManifestBytes)
    return make_error(Code::malformed, "manifest: " + std::to_string(planned.size()) + " bytes, more than the limit of " +
                                           std::to_string(kMaxManifestBytes) + " (fewer images or hardware ids)");
  FWSEAL_ASSIGN(std::vector<EntryLayout> layout, compute_layout(m, planned.size()));
  const std::uint64_t archive_end = layout.back().end_offset;
  const std::uint64_t total = archive_end + 2 * kBlock;

  // compute_layout: manifest, signatures.json, then the SBOM if any, then the images.
  const std::size_t sbom_at = 2, first_image = m.sbom ? 3 : 2;
  FWSEAL_ASSIGN(AtomicFile out, AtomicFile::create(options.output));
  const Writer w(out.fd(), options.output);
  FWSEAL_ASSIGN(std::string no_signatures, serialize_signature_area({}, m.signature_space));
  FWSEAL_TRY(w.entry(layout[1], no_signatures, m.created));
  if (sbom) FWSEAL_TRY(w.entry(layout[sbom_at], *sbom, m.created));
  FWSEAL_TRY(copy_images(images, layout, first_image, w, out.fd(), options, total, m));
  if (options.progress) options.progress->begin_step("packaging: writing the manifest", 0);
  std::string rendered;
  if (pending) {
    FWSEAL_ASSIGN(rendered, finish_sbom(*pending, layout[sbom_at], w, m));
    sbom = rendered;
  }

  FWSEAL_ASSIGN(std::string manifest_bytes, serialize_manifest(m));
  if (manifest_bytes.size() != planned.size())
    return make_error(Code::internal, "manifest is " + std::to_string(manifest_bytes.size()) +
                                          " bytes, the layout was planned for " + std::to_string(planned.size()));
  FWSEAL_TRY(w.entry(layout[0], manifest_bytes, m.created));
  FWSEAL_TRY(w.at(end_of_archive(), archive_end));

  struct stat st {};
  if (::fstat(out.fd(), &st) != 0)
    return make_error(Code::io, options.output + ": cannot stat: " + errno_text(errno));
  if (static_cast<std::uint64_t>(st.st_size) != total)
    return make_error(Code::internal, options.output + ": wrote " + std::to_string(st.st_size) + " bytes, expected " +
                                          std::to_string(total));
  if (options.replace_existing) {
    FWSEAL_TRY(out.commit());
  } else if (Status s = out.commit_no_replace(); !s.ok()) {
    return s.error().code == Code::usage ? output_exists(options.output) : s.error();
  }

  PackageResult result;
  result.manifest_digest = manifest_digest(manifest_bytes);
  result.manifest = std::move(m);
  result.manifest_bytes = std::move(manifest_bytes);
  result.total_size = total;
  if (sbom) result.sbom = std::string(*sbom);
  return result;
}

}  // namespace fwseal::packager
