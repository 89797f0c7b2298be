// Version 2 (signatures first): the manifest's signature_space (R23), the
// signature area signatures.json (R24), and the order of the decision (R25):
// signatures, rollback and hardware are decided before any content is read,
// so those vectors break a later rule too and still get the earlier code.
#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "fwseal/base/digest.h"

namespace fwseal::vectors {
namespace {

// The area text with its envelopes in `order` (indices into the sorted list),
// padded with spaces to `space` bytes: a list no signer would write.
std::string area_with(const std::string& sorted_area, const std::vector<std::size_t>& order, std::uint64_t space) {
  nlohmann::json j = nlohmann::json::parse(sorted_area);
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t i : order) list.push_back(j["signatures"][i]);
  j["signatures"] = list;
  std::string text = j.dump();  // compact, keys sorted: canonical for this ASCII-only JSON
  text.append(static_cast<std::size_t>(space - text.size()), ' ');
  return text;
}

void space_vectors(Ctx& c) {
  const std::string member = ",\"signature_space\":2048";
  auto edited = [&](const std::string& id, const std::string& description, std::string_view to,
                    const std::string& message) {
    Spec s = base_spec_v2();
    s.manifest_bytes_override = replaced(s.manifest_bytes(), member, to);
    c.out.invalid("R23", id, description, assemble(s, c.keys).bytes(), 10, message);
  };
  edited("r23-space-missing", "a version-2 manifest without signature_space", "",
         "manifest.signature_space: missing (required in version 2)");
  edited("r23-space-not-multiple", "signature_space 16000, not a multiple of 512", ",\"signature_space\":16000",
         "manifest.signature_space: 16000 must be a multiple of 512 from 512 to 1048576");
  edited("r23-space-too-large", "signature_space 2 MiB", ",\"signature_space\":2097152",
         "manifest.signature_space: 2097152 must be a multiple of 512 from 512 to 1048576");
  edited("r23-space-zero", "signature_space 0", ",\"signature_space\":0",
         "manifest.signature_space: 0 must be a multiple of 512 from 512 to 1048576");
  Spec v1 = base_spec();
  v1.manifest_bytes_override = replaced(v1.manifest_bytes(), ",\"version\":", member + ",\"version\":");
  c.out.invalid("R23", "r23-space-in-version-1", "a version-1 manifest with signature_space", assemble(v1, c.keys).bytes(),
                10, "manifest.signature_space: not a member of a version-1 manifest");
}

void area_vectors(Ctx& c) {
  const std::string name(kSignaturesEntry);
  Spec s = base_spec_v2();
  s.signers = {"ed25519", "ecdsa-p256"};
  const Pkg base = assemble(s, c.keys);
  const std::uint64_t data = base.data_offset(name);
  const std::uint64_t space = s.manifest.signature_space;

  Pkg p = base;
  const std::string longer = entry(name, std::string(static_cast<std::size_t>(space + 512), ' '), s.manifest.created).header;
  c.out.invalid("R24", "r24-header-size", "the signatures.json header says 512 bytes more than signature_space",
                [&] {
                  Pkg q = base;
                  q.at(name).header = longer;
                  q.at(name).data.append(512, ' ');
                  return q.bytes();
                }(),
                10, header_diff_message(base, name, longer));

  p = base;
  p.at(name).data.back() = '\0';
  c.out.invalid("R24", "r24-padding-nul", "the last byte of the area is NUL, not a space", p.bytes(), 10,
                name + ": byte at offset " + std::to_string(data + space - 1) +
                    " after the signature list is not a space (0x20)");

  p = base;
  p.at(name).data = std::string(static_cast<std::size_t>(space), ' ');
  c.out.invalid("R24", "r24-only-spaces", "an area of spaces, no signature list", p.bytes(), 10,
                name + ": no signature list (offset " + std::to_string(data) + ")");

  const std::string sorted = base.entries[base.index(name)].data;
  nlohmann::json parsed = nlohmann::json::parse(sorted.substr(0, sorted.find_last_of('}') + 1));
  const std::string first_id = parsed["signatures"][0]["key_id"];
  p = base;
  p.at(name).data = area_with(sorted.substr(0, sorted.find_last_of('}') + 1), {1, 0}, space);
  c.out.invalid("R24", "r24-unsorted", "two signatures, not sorted by key id", p.bytes(), 10,
                name + ".signatures[1]: key id " + first_id + " is out of order (signatures are sorted by key id)");

  p = base;
  p.at(name).data = area_with(sorted.substr(0, sorted.find_last_of('}') + 1), {0, 0}, space);
  c.out.invalid("R24", "r24-same-key-twice", "the same signature twice", p.bytes(), 10,
                name + ".signatures[1]: key id " + first_id + " signs a second time (one signature per key)");

  p = base;
  std::string wrong = p.at(name).data;
  wrong.replace(wrong.find("\"fwseal-signatures\""), 19, "\"fwseal-signature\"");
  wrong += ' ';  // the list is a byte shorter: one more space keeps the size
  p.at(name).data = wrong;
  c.out.invalid("R24", "r24-format", "the area's format is \"fwseal-signature\"", p.bytes(), 10,
                name + ".format: expected \"fwseal-signatures\", found \"fwseal-signature\"");

  p = base;
  std::string cut = p.bytes().substr(0, static_cast<std::size_t>(data + 100));
  c.out.invalid("R24", "r24-truncated-in-area", "the package ends inside signatures.json", cut, 10,
                truncated_message(data + 100, name));
}

// R25: the decision first. Each of these is also broken after the area; the
// decision's code wins, and a verifier never reads that far. The message
// names the rule that refuses each.
void order_vectors(Ctx& c) {
  const std::string name(kSignaturesEntry);
  Spec huge = base_spec_v2();
  huge.signers.clear();
  (void)huge.manifest_bytes();  // sizes and digests filled in, then kept
  huge.keep_digests = true;
  huge.manifest.images[1].size = std::uint64_t{100} << 30;  // 100 GiB declared, never present
  Pkg p = assemble(huge, c.keys);
  std::string bytes = p.bytes().substr(0, static_cast<std::size_t>(p.offset("image/kernel")));
  c.out.invalid("R25", "r25-unsigned-declares-100-gib", "unsigned; declares a 100 GiB image and ends after the area",
                bytes, 13, "R18: package is not signed");

  Spec unknown = base_spec_v2();
  unknown.signers = {"unknown-ed25519"};
  p = assemble(unknown, c.keys);
  bytes = p.bytes().substr(0, static_cast<std::size_t>(p.data_offset("image/kernel") + 10));
  c.out.invalid("R25", "r25-unknown-key-truncated", "signed by an unknown key only; truncated inside image/kernel",
                bytes, 13,
                "R18: 0 of 1 required signatures: " + key_label(c.keys, "unknown-ed25519", false) +
                    " is not in trust.json");

  Spec old = base_spec_v2();
  old.manifest.security_version = 1;
  p = assemble(old, c.keys);
  p.at("image/kernel").pad[0] = 'x';
  c.out.invalid("R25", "r25-rollback-bad-padding", "security version 1 and a non-zero padding byte after image/kernel",
                p.bytes(), 14, "R20: security version 1 is below the minimum 2");

  Spec other = base_spec_v2();
  other.manifest.hardware = {"acme-cam-v1"};
  p = assemble(other, c.keys);
  bytes = p.bytes().substr(0, static_cast<std::size_t>(p.data_offset("image/rootfs")));
  c.out.invalid("R25", "r25-other-hardware-truncated", "for acme-cam-v1 only; truncated before image/rootfs's data",
                bytes, 15, "R21: package is for hardware \"acme-cam-v1\", not for this device");

  Spec ok = base_spec_v2();
  p = assemble(ok, c.keys);
  p.at("image/rootfs").pad[0] = 'x';
  c.out.invalid("R25", "r25-accepted-then-bad-padding", "validly signed; a non-zero padding byte after image/rootfs",
                p.bytes(), 10, "R2: " + padding_message("image/rootfs", p.pad_offset("image/rootfs")));
  p = assemble(ok, c.keys);
  p.end.back() = '\x01';
  c.out.invalid("R25", "r25-accepted-then-end-block", "validly signed; the last byte of the end blocks is not zero",
                p.bytes(), 10,
                "R4: end-of-archive marker: byte at offset " + std::to_string(p.end_offset() + 1023) + " is not zero");
  p = assemble(ok, c.keys);
  p.entries.push_back(entry("image/extra", "x", ok.manifest.created));
  c.out.invalid("R25", "r25-accepted-then-extra-entry", "validly signed; an entry after the last image", p.bytes(), 10,
                "R3: offset " + std::to_string(p.offset("image/extra")) +
                    ": entry \"image/extra\" after the last image, where the end of the archive must be");
}

}  // namespace

void version2_vectors(Ctx& c) {
  space_vectors(c);
  area_vectors(c);
  order_vectors(c);
}

}  // namespace fwseal::vectors
