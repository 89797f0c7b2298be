#include "elf_note.h"

#include "fwseal/format/canonical_json.h"
#include "sbom_limits.h"
#include "package_version.h"
#include "fwseal/sbom/purl.h"
#include "text.h"

namespace fwseal::sbom::elf {
namespace {

constexpr std::uint32_t kPtNote = 4;

std::uint64_t read_uint(std::string_view bytes, std::size_t at, std::size_t width, bool big_endian) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    auto b = static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + (big_endian ? i : width - 1 - i)]));
    v = (v << 8) | b;
  }
  return v;
}

Error bad(std::string_view what, const std::string& why) {
  return make_error(Code::malformed, std::string(what) + ": ELF: " + why);
}

// offset + size <= limit, without overflow.
bool fits(std::uint64_t offset, std::uint64_t size, std::uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

bool has_elf_magic(std::string_view head) { return head.size() >= 4 && head.substr(0, 4) == "\x7f" "ELF"; }

Result<Header> parse_header(std::string_view head, std::uint64_t file_size, std::string_view what) {
  if (!has_elf_magic(head)) return bad(what, "no ELF magic");
  if (head.size() < 52) return bad(what, "file shorter than an ELF header");
  Header h;
  switch (head[4]) {
    case 1: h.is64 = false; break;
    case 2: h.is64 = true; break;
    default: return bad(what, "unknown ELF class " + std::to_string(static_cast<unsigned char>(head[4])));
  }
  switch (head[5]) {
    case 1: h.big_endian = false; break;
    case 2: h.big_endian = true; break;
    default: return bad(what, "unknown data encoding " + std::to_string(static_cast<unsigned char>(head[5])));
  }
  std::size_t ehsize = h.is64 ? 64 : 52;
  if (head.size() < ehsize) return bad(what, "file shorter than an ELF header");
  // e_phoff and the e_ph* fields sit at class-dependent offsets (ELF gABI, "ELF Header").
  std::uint64_t phoff = h.is64 ? read_uint(head, 32, 8, h.big_endian) : read_uint(head, 28, 4, h.big_endian);
  std::size_t at = h.is64 ? 54 : 42;
  h.phentsize = static_cast<std::uint16_t>(read_uint(head, at, 2, h.big_endian));
  h.phnum = static_cast<std::uint16_t>(read_uint(head, at + 2, 2, h.big_endian));
  if (h.phnum == 0 || phoff == 0) return h;  // no program headers: an object file, nothing loaded
  if (h.phnum == 0xffff) return bad(what, "extended program header numbering is not supported");
  if (h.phnum > kMaxElfPhdrs) return bad(what, std::to_string(h.phnum) + " program headers, more than " + std::to_string(kMaxElfPhdrs));
  std::size_t min_entry = h.is64 ? 56 : 32;
  if (h.phentsize < min_entry || h.phentsize > 1024)
    return bad(what, "program header entry size " + std::to_string(h.phentsize) + " is invalid");
  std::uint64_t table = std::uint64_t{h.phentsize} * h.phnum;
  if (!fits(phoff, table, file_size))
    return bad(what, "program header table at " + std::to_string(phoff) + " runs past the end of the file");
  h.phdrs = Range{phoff, table, 0};
  return h;
}

Result<std::vector<Range>> note_segments(const Header& h, std::string_view table, std::uint64_t file_size,
                                         std::string_view what) {
  std::vector<Range> out;
  if (table.size() != h.phdrs.size) return bad(what, "program header table truncated");
  for (std::size_t i = 0; i < h.phnum; ++i) {
    std::size_t e = i * h.phentsize;
    auto type = static_cast<std::uint32_t>(read_uint(table, e, 4, h.big_endian));
    if (type != kPtNote) continue;
    std::uint64_t offset = 0, filesz = 0, align = 0;
    if (h.is64) {
      offset = read_uint(table, e + 8, 8, h.big_endian);
      filesz = read_uint(table, e + 32, 8, h.big_endian);
      align = read_uint(table, e + 48, 8, h.big_endian);
    } else {
      offset = read_uint(table, e + 4, 4, h.big_endian);
      filesz = read_uint(table, e + 16, 4, h.big_endian);
      align = read_uint(table, e + 28, 4, h.big_endian);
    }
    if (!fits(offset, filesz, file_size))
      return bad(what, "note segment " + std::to_string(i) + " at " + std::to_string(offset) + " runs past the end of the file");
    if (filesz == 0) continue;
    out.push_back(Range{offset, std::min<std::uint64_t>(filesz, kMaxElfNoteBytes), align == 8 ? 8u : 4u});
  }
  return out;
}

Result<std::vector<std::string>> package_notes(const Header& h, std::string_view seg, std::uint64_t align,
                                               std::string_view what) {
  std::vector<std::string> out;
  std::uint64_t pos = 0;
  std::size_t count = 0;
  while (pos + 12 <= seg.size()) {
    if (++count > kMaxElfNotesPerFile) return bad(what, "more than " + std::to_string(kMaxElfNotesPerFile) + " notes in a segment");
    auto at = static_cast<std::size_t>(pos);
    std::uint64_t namesz = read_uint(seg, at, 4, h.big_endian);
    std::uint64_t descsz = read_uint(seg, at + 4, 4, h.big_endian);
    auto type = static_cast<std::uint32_t>(read_uint(seg, at + 8, 4, h.big_endian));
    std::uint64_t name_at = pos + 12;
    if (!fits(name_at, namesz, seg.size())) return bad(what, "note name runs past its segment");
    // Descriptor and next note are aligned relative to the segment start, as
    // elfutils does for 4- and 8-byte aligned note segments.
    std::uint64_t desc_at = align_up(name_at + namesz, align);
    if (!fits(desc_at, descsz, seg.size())) return bad(what, "note descriptor runs past its segment");
    std::string_view name = seg.substr(static_cast<std::size_t>(name_at), static_cast<std::size_t>(namesz));
    if (type == kPackageNoteType && (name == std::string_view("FDO\0", 4) || name == "FDO")) {
      std::string_view desc = seg.substr(static_cast<std::size_t>(desc_at), static_cast<std::size_t>(descsz));
      while (!desc.empty() && desc.back() == '\0') desc.remove_suffix(1);
      out.emplace_back(desc);
    }
    pos = align_up(desc_at + descsz, align);
  }
  return out;
}

Result<Finding> finding_from_note(std::string_view json_text, const Occurrence& where) {
  std::string what = where.image + ":" + where.path + ": .note.package";
  FWSEAL_ASSIGN(nlohmann::json doc, parse_json_strict(json_text, what, JsonLimits{kMaxElfNoteBytes, 4}));
  if (!doc.is_object()) return make_error(Code::malformed, what + ": expected a JSON object");
  auto text = [&](const char* key, bool required) -> Result<std::string> {
    auto it = doc.find(key);
    if (it == doc.end()) {
      if (required) return make_error(Code::malformed, what + "." + key + ": missing");
      return std::string();
    }
    if (!it->is_string()) return make_error(Code::malformed, what + "." + key + ": expected a string");
    const auto& v = it->get_ref<const std::string&>();
    if (v.empty() || v.size() > 256 || !is_clean_text(v))
      return make_error(Code::malformed, what + "." + key + ": not 1-256 bytes of text: " + shown(v));
    return v;
  };
  Finding f;
  f.source = Source::elf_note;
  FWSEAL_ASSIGN(f.name, text("name", true));
  FWSEAL_ASSIGN(f.version, text("version", true));
  FWSEAL_ASSIGN(std::string type, text("type", false));
  FWSEAL_ASSIGN(std::string arch, text("architecture", false));
  FWSEAL_ASSIGN(std::string os, text("os", false));
  FWSEAL_ASSIGN(std::string os_cpe, text("osCpe", false));
  type = lower(type);
  // Package-manager types whose versions carry a packaging revision.
  bool packaged = type == "rpm" || type == "deb" || type == "apk" || type == "alpm";
  f.upstream_version = packaged ? upstream_of_package_version(f.version) : f.version;
  std::string ns = lower(os);
  bool ns_ok = !ns.empty() && ns.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  if (packaged) f.purl = make_purl(type, ns_ok ? ns : "", f.name, f.version, {{"arch", arch}});
  else f.purl = make_purl("generic", "", f.name, f.version);
  if (!type.empty()) f.properties["fwseal:elf-note-type"] = type;
  if (!os_cpe.empty()) f.properties["fwseal:elf-note-os-cpe"] = os_cpe;
  f.image = where.image;
  f.occurrences.push_back(where);
  f.method = {"binary-analysis", 0.9, "ELF .note.package (owner FDO, type 0xcafe1a7e) in " + where.image + ":" + where.path};
  return f;
}

}  // namespace fwseal::sbom::elf
