// R1-R5: the tar container. Each vector starts from the base package (two
// images, one Ed25519 signature) and breaks one thing.
#include <archive.h>
#include <archive_entry.h>

#include "catalogue.h"
#include "fwseal/base/digest.h"

namespace fwseal::vectors {
namespace {

constexpr std::string_view kM = "manifest.json";
constexpr std::string_view kK = "image/kernel";
constexpr std::string_view kR = "image/rootfs";
constexpr std::string_view kS = "sbom.cdx.json";
constexpr int kPax = ARCHIVE_FORMAT_TAR_PAX_RESTRICTED;
constexpr std::uint64_t kGiant40 = std::uint64_t{1} << 40;
constexpr std::uint64_t kGiant63 = (std::uint64_t{1} << 63) - 1;

Spec sbom_spec() {
  Spec s = base_spec();
  s.sbom = R"({"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[]})"
           "\n";
  return s;
}

// R1: one field of one header changed, the checksum kept valid.
void header_vectors(Ctx& c) {
  const Pkg b = assemble(base_spec(), c.keys);
  const std::int64_t t = base_spec().manifest.created;
  const std::string sig = c.keys.entry_name("ed25519");
  struct Change {
    std::string id;
    std::string entry;
    std::string description;
    std::function<void(std::string&)> change;
  };
  const std::vector<Change> changes = {
      {"manifest-mode", std::string(kM), "manifest.json header: mode 0755",
       [](std::string& h) { set_octal(h, kMode, 0755); }},
      {"manifest-uid", std::string(kM), "manifest.json header: uid 1000",
       [](std::string& h) { set_octal(h, kUid, 1000); }},
      {"manifest-mtime", std::string(kM), "manifest.json header: mtime one second after the manifest's created",
       [t](std::string& h) { set_octal(h, kMtime, static_cast<std::uint64_t>(t + 1)); }},
      {"manifest-checksum-digits", std::string(kM),
       "manifest.json header: the same checksum written with 7 digits and a NUL",
       [](std::string& h) {
         std::string six = h.substr(kChecksum.at, 6);
         set_field(h, kChecksum, "0" + six);
       }},
      {"image-gid", std::string(kK), "image/kernel header: gid 1000", [](std::string& h) { set_octal(h, kGid, 1000); }},
      {"image-mtime", std::string(kK), "image/kernel header: mtime 0", [](std::string& h) { set_octal(h, kMtime, 0); }},
      {"image-uname", std::string(kK), "image/kernel header: user name root",
       [](std::string& h) { set_field(h, kUname, "root"); }},
      {"image-gname", std::string(kK), "image/kernel header: group name wheel",
       [](std::string& h) { set_field(h, kGname, "wheel"); }},
      {"image-typeflag-nul", std::string(kK), "image/kernel header: typeflag NUL (the pre-POSIX regular file)",
       [](std::string& h) { set_field(h, kTypeflag, std::string(1, '\0')); }},
      {"image-typeflag-contiguous", std::string(kK), "image/kernel header: typeflag '7' (contiguous file)",
       [](std::string& h) { set_field(h, kTypeflag, "7"); }},
      {"image-gnu-magic", std::string(kK), "image/kernel header: GNU magic \"ustar  \"",
       [](std::string& h) {
         set_field(h, kMagic, "ustar ");
         set_field(h, kVersion, std::string(" \0", 2));
       }},
      {"image-version", std::string(kK), "image/kernel header: ustar version \"01\"",
       [](std::string& h) { set_field(h, kVersion, "01"); }},
      {"image-name-in-prefix", std::string(kK),
       "image/kernel header: the same path split into prefix \"image\" and name \"kernel\"",
       [](std::string& h) {
         set_field(h, kName, "kernel");
         set_field(h, kPrefix, "image");
       }},
      {"image-devmajor", std::string(kK), "image/kernel header: device major number 1 on a regular file",
       [](std::string& h) { set_octal(h, kDevmajor, 1); }},
      {"image-linkname", std::string(kK), "image/kernel header: a link name on a regular file",
       [](std::string& h) { set_field(h, kLinkname, "manifest.json"); }},
      {"image-size-base256", std::string(kK), "image/kernel header: the right size in GNU base-256",
       [](std::string& h) { set_base256(h, kSize, 100); }},
      {"image-size-spaces", std::string(kK), "image/kernel header: the right size with leading spaces",
       [](std::string& h) { set_field(h, kSize, "        144"); }},
      {"image-size-2e40", std::string(kK), "image/kernel header: size 2^40 in base-256 (the manifest says 100)",
       [](std::string& h) { set_base256(h, kSize, kGiant40); }},
      {"image-name-nul-suffix", std::string(kK), "image/kernel header: bytes after the NUL that ends the name",
       [](std::string& h) { set_field(h, kName, std::string("image/kernel\0.bak", 17)); }},
      {"signature-mode", sig, "signature entry header: mode 0600", [](std::string& h) { set_octal(h, kMode, 0600); }},
      {"signature-gid", sig, "signature entry header: gid 1", [](std::string& h) { set_octal(h, kGid, 1); }},
  };
  for (const auto& ch : changes) {
    Pkg p = b;
    ch.change(p.at(ch.entry).header);
    c.out.invalid("R1", "r01-" + ch.id, ch.description, p.bytes(), 10,
                  header_diff_message(b, ch.entry, p.at(ch.entry).header));
  }

  Pkg p = b;
  p.at(kM).header[kChecksum.at + 5] ^= 1;
  c.out.invalid("R1", "r01-manifest-bad-checksum", "manifest.json header: checksum off by one", p.bytes(), 10,
                "offset 0: not a tar header");

  const Pkg sb = assemble(sbom_spec(), c.keys);
  p = sb;
  set_octal(p.at(kS).header, kUid, 1);
  c.out.invalid("R1", "r01-sbom-uid", "sbom.cdx.json header: uid 1", p.bytes(), 10,
                header_diff_message(sb, kS, p.at(kS).header));

  // The manifest's size and the entry's disagree: the header the manifest
  // implies is not the one in the package.
  Spec s = base_spec();
  s.manifest_bytes();
  s.keep_digests = true;
  s.manifest.images[0].size = 99;
  p = assemble(s, c.keys);
  Pkg implied = p;
  implied.at(kK).header = tar_header(kK, 99, t).value();
  c.out.invalid("R1", "r01-image-size-not-the-manifests", "image/kernel holds 100 bytes, the manifest says 99",
                p.bytes(), 10, header_diff_message(implied, kK, p.at(kK).header));

  s = sbom_spec();
  s.manifest_bytes();
  s.keep_digests = true;
  s.manifest.sbom->size += 1;
  p = assemble(s, c.keys);
  implied = p;
  implied.at(kS).header = tar_header(kS, s.manifest.sbom->size, t).value();
  c.out.invalid("R1", "r01-sbom-size-not-the-manifests", "sbom.cdx.json holds one byte less than the manifest says",
                p.bytes(), 10, header_diff_message(implied, kS, p.at(kS).header));
}

// R2: a non-zero byte in the padding after each kind of entry.
void padding_vectors(Ctx& c) {
  const Pkg b = assemble(base_spec(), c.keys);
  const Pkg sb = assemble(sbom_spec(), c.keys);
  const std::string sig = c.keys.entry_name("ed25519");
  struct Case {
    std::string id;
    const Pkg* base;
    std::string entry;
  };
  for (const Case& k :
       {Case{"manifest", &b, std::string(kM)}, Case{"sbom", &sb, std::string(kS)}, Case{"image", &b, std::string(kK)},
        Case{"last-image", &b, std::string(kR)}, Case{"signature", &b, sig}}) {
    Pkg p = *k.base;
    std::string& pad = p.at(k.entry).pad;
    const std::size_t i = pad.size() / 2;
    pad[i] = '\x01';
    c.out.invalid("R2", "r02-" + k.id + "-padding", "a byte of 0x01 in the padding after " + k.entry, p.bytes(), 10,
                  padding_message(k.entry, p.pad_offset(k.entry) + i));
  }
}

// R3: entries missing, extra, repeated, out of order, of another type, or
// preceded by extension headers.
void entry_vectors(Ctx& c) {
  const Pkg b = assemble(base_spec(), c.keys);
  const std::int64_t t = base_spec().manifest.created;
  const std::string sig = c.keys.entry_name("ed25519");
  auto names = [](std::string_view n) { return std::string(", and it names \"") + std::string(n) + "\""; };
  // The entry now at `slot`'s place in `p`, against b's canonical header for `slot`.
  auto replaced_at = [&](const Pkg& p, std::string_view slot) {
    return header_diff_message(b, slot, p.entries[b.index(slot)].header);
  };

  // Where manifest.json must be.
  Pkg p = b;
  std::swap(p.entries[0], p.entries[1]);
  c.out.invalid("R3", "r03-image-first", "image/kernel before manifest.json", p.bytes(), 10,
                "offset 0: the first entry must be manifest.json, found \"image/kernel\"");
  p = b;
  p.insert_before(kM, entry("README.txt", "not a firmware package\n", t));
  c.out.invalid("R3", "r03-entry-before-manifest", "README.txt before manifest.json", p.bytes(), 10,
                "offset 0: the first entry must be manifest.json, found \"README.txt\"");
  p = b;
  set_field(p.at(kM).header, kName, "./manifest.json");
  c.out.invalid("R3", "r03-dot-slash-manifest", "the manifest entry named ./manifest.json", p.bytes(), 10,
                "offset 0: the first entry must be manifest.json, found \"./manifest.json\"");
  p = b;
  p.insert_before(kM, raw("image/", libarchive_entry(kPax, "image/", AE_IFDIR, "", t)));
  c.out.invalid("R3", "r03-directory-before-manifest", "a directory entry image/ before manifest.json", p.bytes(), 10,
                "offset 0: a directory (typeflag '5') where the header of manifest.json must be");
  p = b;
  p.insert_before(kM, raw("pax_global_header", pax_entry("pax_global_header", pax_record("comment", "hello"), t, 'g')));
  c.out.invalid("R3", "r03-global-pax-header", "a pax global header before manifest.json", p.bytes(), 10,
                "offset 0: a pax global header (typeflag 'g') where the header of manifest.json must be");
  p = b;
  p.entries[0] = raw(std::string(kM), libarchive_entry(ARCHIVE_FORMAT_TAR_GNUTAR, std::string(101, 'm'), AE_IFREG,
                                                       p.entries[0].data, t));
  c.out.invalid("R3", "r03-gnu-longname-first", "a GNU long-name entry (typeflag L) at offset 0", p.bytes(), 10,
                "offset 0: a GNU long-name header (typeflag 'L') where the header of manifest.json must be");

  c.out.invalid("R3", "r03-empty-archive", "only the two end-of-archive blocks", end_of_archive(), 10,
                "offset 0: not a valid tar header (end of archive)");
  p = b;
  set_field(p.at(kM).header, kMagic, "");
  set_field(p.at(kM).header, kVersion, "");
  c.out.invalid("R3", "r03-v7-manifest-header", "manifest.json in a pre-POSIX (v7) tar header: no ustar magic",
                p.bytes(), 10, "offset 0: tar header of an unexpected kind");

  // Missing, repeated, reordered and extra entries.
  p = b;
  p.erase(kR);
  c.out.invalid("R3", "r03-missing-image", "image/rootfs left out", p.bytes(), 10, replaced_at(p, kR) + names(sig));
  p = b;
  std::swap(p.entries[1], p.entries[2]);
  c.out.invalid("R3", "r03-reordered-images", "image/rootfs before image/kernel", p.bytes(), 10,
                replaced_at(p, kK) + names(kR));
  p = b;
  p.insert_before(kR, b.entries[1]);
  c.out.invalid("R3", "r03-duplicate-image", "image/kernel twice", p.bytes(), 10, replaced_at(p, kR) + names(kK));
  p = b;
  p.insert_before(kK, b.entries[0]);
  c.out.invalid("R3", "r03-duplicate-manifest", "manifest.json twice", p.bytes(), 10, replaced_at(p, kK) + names(kM));
  p = b;
  p.insert_before(kR, entry("image/extra", "extra", t));
  c.out.invalid("R3", "r03-extra-between-images", "image/extra between the images", p.bytes(), 10,
                replaced_at(p, kR) + names("image/extra"));
  p = b;
  p.insert_before(kK, entry(std::string(kS), "{}", t));
  c.out.invalid("R3", "r03-sbom-not-in-manifest", "an sbom.cdx.json entry the manifest does not list", p.bytes(), 10,
                replaced_at(p, kK) + names(kS));
  {
    const Pkg sb = assemble(sbom_spec(), c.keys);
    Pkg q = sb;
    q.erase(kS);
    c.out.invalid("R3", "r03-sbom-missing", "the manifest lists an SBOM, the package has no sbom.cdx.json", q.bytes(),
                  10, header_diff_message(sb, kS, q.entries[1].header) + names(kK));
  }
  auto not_a_signature = [](std::uint64_t at, std::string_view name) {
    return "offset " + std::to_string(at) + ": entry \"" + std::string(name) +
           "\" where a signature entry (signature/<64 lowercase hex digits>.json) or the end of the archive must be";
  };
  p = b;
  p.insert_before(sig, entry("image/extra", "extra", t));
  c.out.invalid("R3", "r03-extra-after-images", "image/extra after the last image", p.bytes(), 10,
                not_a_signature(p.offset("image/extra"), "image/extra"));
  p = b;
  p.insert_before("", entry("image/late", "late", t));
  c.out.invalid("R3", "r03-extra-after-signatures", "image/late after the signature entry", p.bytes(), 10,
                not_a_signature(p.offset("image/late"), "image/late"));
  p = b;
  p.insert_before("", entry("manifest.json", b.entries[0].data, t));
  c.out.invalid("R3", "r03-manifest-after-signatures", "a second manifest.json after the signature entry", p.bytes(),
                10, not_a_signature(b.end_offset(), "manifest.json"));

  // Names that lead out of the target directory, in place of image/kernel.
  for (auto [id, name] : {std::pair<std::string, std::string>{"r03-traversal-name", "image/../../etc/x"},
                          {"r03-absolute-name", "/tmp/fwseal-vectors-absolute/kernel"}}) {
    p = b;
    p.at(kK).header = tar_header(name, 100, t).value();
    c.out.invalid("R3", id, "an entry named " + name + " in place of image/kernel", p.bytes(), 10,
                  replaced_at(p, kK) + names(name));
  }

  // Other file types in place of image/kernel.
  struct Type {
    std::string id, description;
    unsigned type;
    std::function<void(archive_entry*)> setup;
    std::string kind;  // as the message names it
  };
  const std::vector<Type> types = {
      {"symlink", "a symbolic link to /etc/passwd", AE_IFLNK,
       [](archive_entry* e) { archive_entry_set_symlink(e, "/etc/passwd"); }, "a symbolic link (typeflag '2')"},
      {"hardlink", "a hard link to manifest.json", AE_IFREG,
       [](archive_entry* e) { archive_entry_set_hardlink(e, "manifest.json"); }, "a hard link (typeflag '1')"},
      {"directory", "a directory", AE_IFDIR, {}, "a directory (typeflag '5')"},
      {"char-device", "a character device (1, 3)", AE_IFCHR,
       [](archive_entry* e) {
         archive_entry_set_rdevmajor(e, 1);
         archive_entry_set_rdevminor(e, 3);
       },
       "a character device (typeflag '3')"},
      {"block-device", "a block device (8, 0)", AE_IFBLK, [](archive_entry* e) { archive_entry_set_rdevmajor(e, 8); },
       "a block device (typeflag '4')"},
      {"fifo", "a FIFO", AE_IFIFO, {}, "a FIFO (typeflag '6')"},
  };
  for (const auto& ty : types) {
    p = b;
    p.entries[1] = raw(std::string(kK), libarchive_entry(kPax, kK, ty.type, "", t, ty.setup));
    c.out.invalid("R3", "r03-" + ty.id, "image/kernel is " + ty.description, p.bytes(), 10,
                  replaced_at(p, kK) + ", and it is " + ty.kind);
  }
  const std::string at_sig = "offset " + std::to_string(b.offset(sig)) + ": ";
  const std::string sig_must_be = " where a signature entry or the end of the archive must be";
  p = b;
  p.at(sig) = raw(sig, libarchive_entry(kPax, sig, AE_IFLNK, "", t, types[0].setup));
  c.out.invalid("R3", "r03-symlink-at-signature", "a symbolic link where the signature entry belongs", p.bytes(), 10,
                at_sig + types[0].kind + sig_must_be);
  p = b;
  p.at(sig) = raw(sig, libarchive_entry(kPax, sig, AE_IFREG, "", t, types[1].setup));
  c.out.invalid("R3", "r03-hardlink-at-signature", "a hard link to manifest.json where the signature entry belongs",
                p.bytes(), 10, at_sig + types[1].kind + sig_must_be);
  p = b;
  p.insert_before(sig, raw("signature/", libarchive_entry(kPax, "signature/", AE_IFDIR, "", t)));
  c.out.invalid("R3", "r03-directory-at-signature", "a directory signature/ before the signature entry", p.bytes(), 10,
                at_sig + types[2].kind + sig_must_be);

  // Extension headers that rename or resize the next entry.
  struct Ext {
    std::string id, description, bytes;
  };
  const std::string paxname = "image/PaxHeader/kernel";
  const std::vector<Ext> exts = {
      {"pax-size-small", "a pax header with size=100 (a small entry needs none)",
       pax_entry(paxname, pax_record("size", "100"), t)},
      {"pax-size-giant", "a pax header with size=2^63-1",
       pax_entry(paxname, pax_record("size", std::to_string(kGiant63)), t)},
      {"pax-path-traversal", "a pax header renaming image/kernel to image/../../etc/x",
       pax_entry(paxname, pax_record("path", "image/../../etc/x"), t)},
      {"pax-long-path", "a pax header renaming image/kernel to a 156-character name",
       pax_entry(paxname, pax_record("path", "image/" + std::string(150, 'k')), t)},
      {"pax-mtime", "a pax header with a sub-second mtime", pax_entry(paxname, pax_record("mtime", "1767225600.5"), t)},
      {"gnu-longname", "a GNU long-name entry (typeflag L) naming image/kernel",
       [&] {
         std::string h = tar_header("././@LongLink", 13, t).value();
         set_field(h, kTypeflag, "L");
         return h + std::string("image/kernel\0", 13) + std::string(512 - 13, '\0');
       }()},
  };
  for (const auto& ext : exts) {
    p = b;
    p.insert_before(kK, raw("extension", ext.bytes));
    const bool gnu = ext.bytes[kTypeflag.at] == 'L';
    c.out.invalid("R3", "r03-" + ext.id, "before image/kernel: " + ext.description, p.bytes(), 10,
                  replaced_at(p, kK) + (gnu ? ", and it is a GNU long-name header (typeflag 'L')"
                                            : ", and it is a pax extended header (typeflag 'x')"));
  }
  std::string up = "image/";
  for (int i = 0; i < 40; ++i) up += "../";
  p = b;
  p.at(kK) =
      raw(std::string(kK), libarchive_entry(ARCHIVE_FORMAT_TAR_GNUTAR, up + "etc/x", AE_IFREG, b.entries[1].data, t));
  c.out.invalid("R3", "r03-gnu-longname-traversal",
                "image/kernel replaced by image/../../(40 times)etc/x in a GNU long name", p.bytes(), 10,
                replaced_at(p, kK) + ", and it is a GNU long-name header (typeflag 'L')");
  p = b;
  p.insert_before(sig, raw("extension", pax_entry("signature/PaxHeader/x", pax_record("path", sig), t)));
  c.out.invalid("R3", "r03-pax-at-signature", "a pax header before the signature entry", p.bytes(), 10,
                "offset " + std::to_string(b.offset(sig)) + ": a pax extended header (typeflag 'x')" +
                    " where a signature entry or the end of the archive must be");
}

// R4: the archive is complete and ends with exactly two zero blocks.
void end_vectors(Ctx& c) {
  const Pkg b = assemble(base_spec(), c.keys);
  const std::string bytes = b.bytes();
  const std::string sig = c.keys.entry_name("ed25519");
  const std::uint64_t end = b.end_offset();
  struct Cut {
    std::string id;
    std::uint64_t at;
    std::string message;
  };
  auto before_signature = [](std::uint64_t at) {
    return "package ends at offset " + std::to_string(at) +
           " where a signature entry or the end-of-archive marker must start (truncated)";
  };
  auto in_block = [](std::uint64_t at, std::uint64_t block) {
    return "package ends at offset " + std::to_string(at) + " inside the block at offset " + std::to_string(block) +
           " (truncated)";
  };
  const std::vector<Cut> cuts = {
      {"empty-file", 0, truncated_message(0, "the header of manifest.json")},
      {"in-manifest-header", 100, truncated_message(100, "the header of manifest.json")},
      {"after-manifest-header", 512, truncated_message(512, "manifest.json")},
      {"in-manifest", 600, truncated_message(600, "manifest.json")},
      {"before-manifest-padding", b.pad_offset(kM),
       truncated_message(b.pad_offset(kM), "the padding of manifest.json")},
      {"in-manifest-padding", b.pad_offset(kM) + 10,
       truncated_message(b.pad_offset(kM) + 10, "the padding of manifest.json")},
      {"after-manifest", b.offset(kK), truncated_message(b.offset(kK), "the header of image/kernel")},
      {"in-image-header", b.offset(kK) + 257, truncated_message(b.offset(kK) + 257, "the header of image/kernel")},
      {"after-image-header", b.data_offset(kK), truncated_message(b.data_offset(kK), "image/kernel")},
      {"in-image", b.data_offset(kK) + 50, truncated_message(b.data_offset(kK) + 50, "image/kernel")},
      {"in-image-padding", b.pad_offset(kK) + 1,
       truncated_message(b.pad_offset(kK) + 1, "the padding of image/kernel")},
      {"in-last-image", b.data_offset(kR) + 200, truncated_message(b.data_offset(kR) + 200, "image/rootfs")},
      {"after-images", b.offset(sig), before_signature(b.offset(sig))},
      {"in-signature-header", b.offset(sig) + 100, in_block(b.offset(sig) + 100, b.offset(sig))},
      {"in-signature", b.data_offset(sig) + 10, truncated_message(b.data_offset(sig) + 10, sig)},
      {"in-signature-padding", b.pad_offset(sig) + 5,
       truncated_message(b.pad_offset(sig) + 5, "the padding of " + sig)},
      {"after-signature", end, before_signature(end)},
      {"in-first-end-block", end + 100, in_block(end + 100, end)},
      {"one-end-block", end + 512, truncated_message(end + 512, "the end-of-archive marker")},
      {"in-second-end-block", end + 1000, truncated_message(end + 1000, "the end-of-archive marker")},
  };
  for (const auto& cut : cuts)
    c.out.invalid("R4", "r04-truncated-" + cut.id, "the base package cut at offset " + std::to_string(cut.at),
                  bytes.substr(0, cut.at), 10, cut.message);

  const std::string after = "data after the end of the archive at offset " + std::to_string(end + 1024);
  c.out.invalid("R4", "r04-data-after-end", "a newline after the end-of-archive marker", bytes + "\n", 10, after);
  c.out.invalid("R4", "r04-record-padding", "zero blocks up to a 10240-byte record, as tar(1) writes",
                bytes + std::string(10240 - bytes.size() % 10240, '\0'), 10, after);
  c.out.invalid("R4", "r04-second-package-after-end", "a second package after the end-of-archive marker", bytes + bytes,
                10, after);
  Pkg p = b;
  p.insert_before(sig, raw("zero block", std::string(kBlock, '\0')));
  c.out.invalid("R4", "r04-entry-after-one-zero-block",
                "one zero block, then the signature entry (tar --ignore-zeros would read on)", p.bytes(), 10,
                "end-of-archive marker: byte at offset " + std::to_string(b.offset(sig) + kBlock) + " is not zero");
  p = b;
  p.end[512 + 17] = '\x01';
  c.out.invalid("R4", "r04-second-end-block-not-zero", "a byte of 0x01 in the second end-of-archive block", p.bytes(),
                10, "end-of-archive marker: byte at offset " + std::to_string(end + 512 + 17) + " is not zero");
  p = b;
  p.end[0] = '\x01';
  c.out.invalid("R4", "r04-first-end-block-not-zero", "a byte of 0x01 at the start of the first end-of-archive block",
                p.bytes(), 10, "offset " + std::to_string(end) + ": not a tar header");

  // The manifest declares a 2^40-byte image; the canonical header for it (a pax
  // size= record, then ustar) is there, the data is not.
  Spec s = base_spec();
  s.manifest_bytes();
  s.keep_digests = true;
  s.manifest.images[0].size = kGiant40;
  p = assemble(s, c.keys);
  p.at(kK).header = tar_header(kK, kGiant40, s.manifest.created).value();
  p.at(kK).pad.clear();
  const std::string giant = p.bytes();
  c.out.invalid("R4", "r04-image-2e40-truncated", "the manifest declares a 2^40-byte image; the file is 7 KiB", giant,
                10, truncated_message(giant.size(), kK));
}

// R5: size limits, checked on the declared size before any data is read.
void limit_vectors(Ctx& c) {
  const Pkg b = assemble(base_spec(), c.keys);
  const std::int64_t t = base_spec().manifest.created;
  const std::string sig = c.keys.entry_name("ed25519");

  Pkg p;
  p.entries.push_back(raw(std::string(kM), tar_header(kM, (1u << 20) + 1, t).value()));
  c.out.invalid("R5", "r05-manifest-too-large", "a manifest.json header declaring 1 MiB + 1 bytes (and no data)",
                p.bytes(), 10, "manifest.json: 1048577 bytes, more than the limit of 1048576");
  p = b;
  set_base256(p.at(kM).header, kSize, kGiant40);
  c.out.invalid("R5", "r05-manifest-size-2e40", "a manifest.json header declaring 2^40 bytes in base-256", p.bytes(),
                10, "manifest.json: 1099511627776 bytes, more than the limit of 1048576");
  p = b;
  set_base256(p.at(kM).header, kSize, kGiant63);
  c.out.invalid("R5", "r05-manifest-size-2e63", "a manifest.json header declaring 2^63-1 bytes in base-256", p.bytes(),
                10, "offset 0: not a valid tar header");

  Spec s = sbom_spec();
  s.manifest_bytes();
  s.keep_digests = true;
  s.manifest.sbom->size = (64u << 20) + 1;
  p = assemble(s, c.keys);
  p.at(kS) = raw(std::string(kS), tar_header(kS, s.manifest.sbom->size, t).value());
  c.out.invalid("R5", "r05-sbom-too-large", "the manifest declares a 64 MiB + 1 byte SBOM", p.bytes(), 10,
                "manifest.sbom.size: 67108865 bytes, more than the limit of 67108864");

  p = b;
  p.at(sig) = raw(sig, tar_header(sig, 256 * 1024 + 1, t).value());
  c.out.invalid("R5", "r05-signature-too-large", "a signature entry header declaring 256 KiB + 1 bytes (and no data)",
                p.bytes(), 10, sig + ": 262145 bytes, more than the limit of 262144");
  p = b;
  set_base256(p.at(sig).header, kSize, kGiant40);
  c.out.invalid("R5", "r05-signature-size-2e40", "a signature entry header declaring 2^40 bytes in base-256", p.bytes(),
                10, sig + ": 1099511627776 bytes, more than the limit of 262144");

  p = b;
  for (unsigned i = 0; i < 32; ++i) p.entries.push_back(fake_signature(i, t));
  c.out.invalid("R5", "r05-33-signatures", "33 signature entries: one trusted, 32 by unknown keys", p.bytes(), 10,
                "offset " + std::to_string(p.offset(p.entries.back().name)) + ": more than 32 signature entries");

  // 257 empty images. serialize_manifest refuses them, so the 257th is spliced in.
  s = base_spec();
  s.manifest.images.clear();
  s.images.clear();
  for (int i = 0; i < 256; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "i%03d", i);
    s.add_image(name, "blob", "");
  }
  std::string text = s.manifest_bytes();
  s.add_image("i256", "blob", "");
  s.manifest_bytes_override =
      replaced(text, "}],\"product\"",
               "},{\"name\":\"i256\",\"sha256\":\"" + sha256_hex("") + "\",\"size\":0,\"type\":\"blob\"}],\"product\"");
  c.out.invalid("R5", "r05-257-images", "257 images (the limit is 256)", assemble(s, c.keys).bytes(), 10,
                "manifest.images: 257 items, more than the limit of 256");
}

}  // namespace

void container_vectors(Ctx& c) {
  header_vectors(c);
  padding_vectors(c);
  entry_vectors(c);
  end_vectors(c);
  limit_vectors(c);
}

}  // namespace fwseal::vectors
