// A signature entry: its envelope (parse_envelope, R15) and its tar header
// (parse_tar_header on the input's first 512 bytes, zero-filled if shorter).
//
// Invariants:
//   - refusals are Code::malformed;
//   - an envelope that parses re-serialises to exactly its bytes;
//   - checking its signature with a fixed key of its algorithm over a fixed
//     message gives ok or Code::signature, nothing else;
//   - a header that parses and names an entry fwseal could write (the
//     characters of fwseal's entry names, at most 100 bytes) can be regenerated
//     with tar_header from its name, size and mtime, and the regenerated block
//     reads back as the same name and size.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/signature.h"

using namespace fwseal;

namespace {

bool fwseal_like_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.back() == '/') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// The ustar mtime field (12 bytes of octal at offset 136), if it is plain octal.
bool header_mtime(std::string_view block, std::int64_t* out) {
  std::int64_t v = 0;
  std::size_t i = 136;
  while (i < 148 && block[i] == ' ') ++i;
  std::size_t digits = 0;
  for (; i < 148 && block[i] >= '0' && block[i] <= '7'; ++i, ++digits) v = v * 8 + (block[i] - '0');
  if (digits == 0 || digits > 11) return false;
  *out = v;
  return true;
}

void check_envelope(std::string_view input) {
  auto env = parse_envelope(input, "signature/fuzz.json");
  if (!env.ok()) {
    FUZZ_CHECK(env.error().code == Code::malformed, fuzz::describe(env));
    return;
  }
  auto again = serialize_envelope(*env);
  FUZZ_CHECK(again.ok(), fuzz::describe(again));
  FUZZ_CHECK(*again == input, "a parsed envelope does not re-serialise to its bytes: " + *again);

  const fuzz::FixedKey* key = nullptr;
  if (env->algorithm == Algorithm::ed25519) key = &fuzz::fixed_key(fuzz::KeyName::trusted_a);
  if (env->algorithm == Algorithm::ecdsa_p256) key = &fuzz::fixed_key(fuzz::KeyName::p256);
  if (key) {
    Status s = verify_signature(env->algorithm, key->key.get(), fuzz::kFuzzMessage, env->signature);
    FUZZ_CHECK(s.ok() || s.error().code == Code::signature, fuzz::describe(s));
  }
}

void check_header(std::string_view input) {
  std::string block(input.substr(0, kBlock));
  block.resize(kBlock, '\0');
  auto parsed = parse_tar_header(block, "offset 0");
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.error().code == Code::malformed, fuzz::describe(parsed));
    return;
  }
  std::int64_t mtime = 0;
  if (!fwseal_like_name(parsed->name) || parsed->size >= (std::uint64_t{1} << 33) || !header_mtime(block, &mtime))
    return;
  auto header = tar_header(parsed->name, parsed->size, mtime);
  FUZZ_CHECK(header.ok(), fuzz::describe(header));
  if (header->size() != kBlock) return;  // a pax header: refused by parse_tar_header by design
  auto back = parse_tar_header(*header, "regenerated");
  FUZZ_CHECK(back.ok(), fuzz::describe(back));
  FUZZ_CHECK(back->name == parsed->name && back->size == parsed->size,
             "tar_header(" + parsed->name + ", " + std::to_string(parsed->size) + ") reads back as " + back->name +
                 ", " + std::to_string(back->size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_envelope(input);
  check_header(input);
  return 0;
}
