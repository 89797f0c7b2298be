#include "fwseal/format/package_reader.h"
#include "fwseal/pipeline/compare.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "fwseal/base/file.h"

namespace fwseal::pipeline {

namespace {

struct Field {
  std::uint64_t start;
  const char* name;
};

// POSIX ustar header fields (IEEE Std 1003.1, pax "ustar Interchange Format").
constexpr Field kUstarFields[] = {{0, "name"},       {100, "mode"},     {108, "uid"},     {116, "gid"},
                                  {124, "size"},     {136, "mtime"},    {148, "chksum"},  {156, "typeflag"},
                                  {157, "linkname"}, {257, "magic"},    {263, "version"}, {265, "uname"},
                                  {297, "gname"},    {329, "devmajor"}, {337, "devminor"}, {345, "prefix"},
                                  {500, "pad"}};

constexpr std::size_t kChunk = 4u << 20;

struct Opened {
  Fd fd;
  UnverifiedPackage head;
  std::vector<EntryLayout> layout;
  std::uint64_t end = 0;  // where signatures (or the end blocks) start
};

Result<Opened> open_package(const std::string& path) {
  Opened o;
  FWSEAL_ASSIGN(o.fd, open_read(path));
  FWSEAL_ASSIGN(o.head, read_unverified_package(o.fd.get(), path));
  FWSEAL_ASSIGN(o.layout, compute_layout(o.head.manifest.content, o.head.manifest.bytes.size()));
  o.end = o.layout.back().end_offset;
  return o;
}

Result<std::size_t> pread_some(int fd, char* buf, std::size_t n, std::uint64_t offset, const std::string& what) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      return make_error(Code::io, what + ": read error at offset " + std::to_string(offset + done) + ": " + errno_text(errno));
    }
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return done;
}

// The first offset in [0, n) at which a[a_off..] and b[b_off..] differ, if any.
Result<std::optional<std::uint64_t>> first_mismatch(int a, std::uint64_t a_off, int b, std::uint64_t b_off,
                                                   std::uint64_t n, const std::string& a_name,
                                                   const std::string& b_name) {
  std::vector<char> ba(kChunk), bb(kChunk);
  std::uint64_t done = 0;
  while (done < n) {
    auto want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, n - done));
    FWSEAL_ASSIGN(std::size_t ga, pread_some(a, ba.data(), want, a_off + done, a_name));
    FWSEAL_ASSIGN(std::size_t gb, pread_some(b, bb.data(), want, b_off + done, b_name));
    std::size_t same = std::min(ga, gb);
    if (std::memcmp(ba.data(), bb.data(), same) != 0) {
      auto m = std::mismatch(ba.begin(), ba.begin() + static_cast<std::ptrdiff_t>(same), bb.begin());
      return std::optional<std::uint64_t>(done + static_cast<std::uint64_t>(m.first - ba.begin()));
    }
    if (ga != want || gb != want) return std::optional<std::uint64_t>(done + same);
    done += want;
  }
  return std::optional<std::uint64_t>();
}

std::string hex_or_none(const std::optional<SbomInfo>& s, bool size) {
  if (!s) return "";
  return size ? std::to_string(s->size) : to_hex(s->sha256);
}

}  // namespace

std::string ustar_field(std::uint64_t offset_in_block) {
  const char* name = kUstarFields[0].name;
  for (const auto& f : kUstarFields)
    if (offset_in_block >= f.start) name = f.name;
  return name;
}

std::string first_manifest_difference(const Manifest& a, const Manifest& b) {
  // Members in the order canonical JSON writes them.
  if (a.created != b.created) return "created";
  if (a.hardware != b.hardware) return "hardware";
  for (std::size_t i = 0; i < std::max(a.images.size(), b.images.size()); ++i) {
    std::string at = "images[" + std::to_string(i) + "]";
    if (i >= a.images.size() || i >= b.images.size()) return at;
    const ImageInfo &x = a.images[i], &y = b.images[i];
    std::string suffix = " (" + x.name + ")";
    if (x.name != y.name) return at + ".name" + suffix;
    if (x.sha256 != y.sha256) return at + ".sha256" + suffix;
    if (x.size != y.size) return at + ".size" + suffix;
    if (x.type != y.type) return at + ".type" + suffix;
  }
  if (a.product != b.product) return "product";
  if (a.sbom.has_value() != b.sbom.has_value()) return "sbom";
  if (hex_or_none(a.sbom, false) != hex_or_none(b.sbom, false)) return "sbom.sha256";
  if (hex_or_none(a.sbom, true) != hex_or_none(b.sbom, true)) return "sbom.size";
  if (a.security_version != b.security_version) return "security_version";
  if (a.version != b.version) return "version";
  return "";
}

std::string Location::describe() const {
  std::string out = entry;
  if (!part.empty() && part != entry) out += " " + part;
  if (!field.empty()) out += (part == "header" || part == "pax header" ? " field " : " ") + field;
  return out + " at offset " + std::to_string(offset);
}

Location locate(const std::vector<EntryLayout>& layout, std::uint64_t offset, const Manifest* a, const Manifest* b) {
  Location loc;
  loc.offset = offset;
  for (const auto& e : layout) {
    if (offset < e.header_offset || offset >= e.end_offset) continue;
    loc.entry = e.name;
    if (offset < e.data_offset) {
      // A pax extended header (only for entries above the ustar size limit)
      // precedes the ustar block: its own header block, then its records.
      std::uint64_t ustar_start = e.data_offset - kBlock;
      if (offset >= ustar_start) {
        loc.part = "header";
        loc.field = ustar_field(offset - ustar_start);
      } else {
        loc.part = "pax header";
        loc.field = offset - e.header_offset < kBlock ? ustar_field(offset - e.header_offset) : "size record";
      }
    } else if (offset < e.data_offset + e.data_size) {
      loc.part = "data";
      if (e.name == kManifestEntry && a && b) loc.field = first_manifest_difference(*a, *b);
      if (loc.field.empty()) loc.field = "byte " + std::to_string(offset - e.data_offset);
    } else {
      loc.part = "padding";
    }
    return loc;
  }
  loc.entry = "end of archive";
  loc.part = "end of archive";
  return loc;
}

std::string CompareResult::message() const {
  if (identical) return "the rebuild is byte-for-byte identical (manifest sha256 " + to_hex(manifest_digest_signed) + ")";
  std::string out = "not reproducible: ";
  if (manifest_digest_signed != manifest_digest_rebuilt)
    out += "manifest sha256 " + to_hex(manifest_digest_signed) + " was rebuilt as " + to_hex(manifest_digest_rebuilt) + "; ";
  out += "first difference in " + (first_difference ? first_difference->describe() : std::string("the length"));
  if (differing_entries.size() > 1) {
    out += "; differing entries:";
    for (const auto& e : differing_entries) out += " " + e;
  }
  return out;
}

Result<CompareResult> compare_unsigned(const std::string& signed_package, const std::string& rebuilt_package) {
  FWSEAL_ASSIGN(Opened a, open_package(signed_package));
  FWSEAL_ASSIGN(Opened b, open_package(rebuilt_package));
  if (!b.head.signatures.empty())
    return make_error(Code::malformed, rebuilt_package + ": the rebuild carries signatures; expected an unsigned package");
  CompareResult r;
  r.manifest_digest_signed = manifest_digest(a.head.manifest.bytes);
  r.manifest_digest_rebuilt = manifest_digest(b.head.manifest.bytes);
  r.unsigned_size_signed = a.end + 2 * kBlock;
  r.unsigned_size_rebuilt = b.end + 2 * kBlock;
  const Manifest& ma = a.head.manifest.content;
  const Manifest& mb = b.head.manifest.content;

  // The stream, front to back, up to where the shorter one's entries end; the
  // end blocks are the same two zero blocks in both (read_unverified_package
  // checked). A version-2 package's signature area is what signing changes:
  // its data is left out (its header, with the reserved size, is compared).
  const std::uint64_t end = std::min(a.end, b.end);
  std::uint64_t skip_from = end, skip_to = end;
  if (ma.format_version >= kManifestFormatVersion && a.layout.size() > 1) {
    skip_from = std::min(a.layout[1].data_offset, end);
    skip_to = std::min(a.layout[1].end_offset, end);
  }
  FWSEAL_ASSIGN(auto mismatch, first_mismatch(a.fd.get(), 0, b.fd.get(), 0, skip_from, signed_package, rebuilt_package));
  if (!mismatch && skip_to < end) {
    FWSEAL_ASSIGN(auto later, first_mismatch(a.fd.get(), skip_to, b.fd.get(), skip_to, end - skip_to, signed_package,
                                             rebuilt_package));
    if (later) mismatch = skip_to + *later;
  }
  if (!mismatch && a.end != b.end) mismatch = end;
  if (!mismatch) {
    r.identical = true;
    return r;
  }
  r.first_difference = locate(a.layout, *mismatch, &ma, &mb);

  // Each entry by name: header, data and padding compared where both builds have it.
  for (const auto& ea : a.layout) {
    auto eb = std::find_if(b.layout.begin(), b.layout.end(), [&](const EntryLayout& x) { return x.name == ea.name; });
    if (eb == b.layout.end()) {
      r.differing_entries.push_back(ea.name + " (missing from the rebuild)");
      continue;
    }
    std::uint64_t len_a = ea.end_offset - ea.header_offset, len_b = eb->end_offset - eb->header_offset;
    if (ea.kind == EntryLayout::Kind::signatures) {  // the header only: signing fills the data
      len_a = ea.data_offset - ea.header_offset;
      len_b = eb->data_offset - eb->header_offset;
    }
    if (len_a != len_b || ea.data_size != eb->data_size) {
      r.differing_entries.push_back(ea.name);
      continue;
    }
    FWSEAL_ASSIGN(auto m, first_mismatch(a.fd.get(), ea.header_offset, b.fd.get(), eb->header_offset, len_a,
                                         signed_package, rebuilt_package));
    if (m) r.differing_entries.push_back(ea.name);
  }
  for (const auto& eb : b.layout)
    if (std::none_of(a.layout.begin(), a.layout.end(), [&](const EntryLayout& x) { return x.name == eb.name; }))
      r.differing_entries.push_back(eb.name + " (only in the rebuild)");
  return r;
}

}  // namespace fwseal::pipeline
