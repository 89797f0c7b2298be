// Steps 3 and 5 as the verifier runs them; steps 1, 2, 4 and 6 are the
// format's reader (format/src/package_reader.cpp). Nothing read is trusted yet.
#include <algorithm>

#include "fwseal/base/digest.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/format/rule.h"
#include "steps.h"

namespace fwseal::verifier::steps {
namespace {

Error malformed(std::string message) { return make_error(Code::malformed, std::move(message)); }

}  // namespace

std::string short_hex(const Sha256& digest) { return to_hex(digest).substr(0, 16) + "…"; }

// Step 3: R5-R14 and R23, each named where parse_manifest checks it.
Result<UnverifiedManifest> parse_unverified_manifest(std::string_view bytes) { return parse_manifest(bytes); }

// Step 5 (version 1), step 9 (version 2).
Result<Contents> read_contents(PackageSource& in, const UnverifiedManifest& manifest, PackageSink* sink) {
  const Manifest& m = manifest.content;
  if (m.sbom && m.sbom->size > kMaxSbomBytes)  // R5, before a byte of it is read
    return with_rule("R5", malformed("manifest.sbom.size: " + std::to_string(m.sbom->size) +
                                     " bytes, more than the limit of " + std::to_string(kMaxSbomBytes)));
  FWSEAL_ASSIGN(std::vector<EntryLayout> layout, compute_layout(m, manifest.bytes.size()));
  if (sink) FWSEAL_TRY(sink->begin(manifest));

  Contents out;
  Hasher hasher = Hasher::sha256();
  for (const EntryLayout& e : layout) {
    if (e.kind == EntryLayout::Kind::manifest || e.kind == EntryLayout::Kind::signatures) continue;
    if (in.offset() != e.header_offset)
      return make_error(Code::internal, "verifier lost its place before " + e.name);
    const bool is_sbom = e.kind == EntryLayout::Kind::sbom;
    const ImageInfo* image = is_sbom ? nullptr : &m.images[e.image];

    if (is_sbom) out.sbom.emplace().reserve(static_cast<std::size_t>(e.data_size));
    if (sink && image) FWSEAL_TRY(sink->begin_image(*image));
    // R1, R2, R4: its canonical header, its data in full, zero padding.
    FWSEAL_TRY(read_entry(in, e, m.created, [&](std::string_view chunk) -> Status {
      hasher.update(chunk);
      if (is_sbom) out.sbom->append(chunk);
      if (sink && image) return sink->image_data(chunk);
      return ok_status();
    }));
    if (sink && image) FWSEAL_TRY(sink->end_image());

    EntryDigest d;
    d.label = is_sbom ? std::string("sbom") : "image " + image->name;
    d.expected = is_sbom ? m.sbom->sha256 : image->sha256;
    std::string raw = hasher.finish();
    std::copy(raw.begin(), raw.end(), d.actual.begin());
    out.digests.push_back(std::move(d));
  }
  if (in.offset() != layout.back().end_offset)
    return make_error(Code::internal, "verifier lost its place after the images");
  return out;
}

}  // namespace fwseal::verifier::steps
