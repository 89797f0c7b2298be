#include "fwseal/base/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace fwseal {

Hasher::Hasher(const EVP_MD* md) : md_(md), ctx_(EVP_MD_CTX_new()) {
  // Allocation or init failure of a built-in digest leaves nothing sensible to do.
  if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), md_, nullptr) != 1) throw std::bad_alloc();
}

Hasher Hasher::sha256() { return Hasher(EVP_sha256()); }
Hasher Hasher::sha384() { return Hasher(EVP_sha384()); }
Hasher Hasher::sha512() { return Hasher(EVP_sha512()); }

void Hasher::update(std::span<const std::uint8_t> data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) throw std::bad_alloc();
}

void Hasher::update(std::string_view data) {
  if (EVP_DigestUpdate(ctx_.get(), data.data(), data.size()) != 1) throw std::bad_alloc();
}

std::string Hasher::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out, &len) != 1 ||
      EVP_DigestInit_ex(ctx_.get(), md_, nullptr) != 1)
    throw std::bad_alloc();
  return std::string(reinterpret_cast<const char*>(out), len);
}

Sha256 sha256(std::string_view data) {
  Sha256 out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 ||
      len != out.size())
    throw std::bad_alloc();
  return out;
}

std::string sha256_hex(std::string_view data) { return to_hex(sha256(data)); }

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  return to_hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is refused: one canonical spelling
}
}  // namespace

Result<std::string> from_hex(std::string_view hex, std::size_t bytes, std::string_view where) {
  if (hex.size() != bytes * 2)
    return make_error(Code::malformed, std::string(where) + ": expected " + std::to_string(bytes * 2) +
                                           " lowercase hex digits, found " + std::to_string(hex.size()) +
                                           " characters");
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < bytes; ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return make_error(Code::malformed, std::string(where) + ": not lowercase hex at character " +
                                             std::to_string(2 * i + (hi < 0 ? 0 : 1)));
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<Sha256> sha256_from_hex(std::string_view hex, std::string_view where) {
  FWSEAL_ASSIGN(std::string raw, from_hex(hex, 32, where));
  Sha256 out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(raw[i]);
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text, std::string_view where) {
  auto bad = [&](const char* why) {
    return make_error(Code::malformed, std::string(where) + ": invalid base64 (" + why + ")");
  };
  if (text.size() % 4 != 0) return bad("length is not a multiple of 4");
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
              c == '/' || c == '=';
    if (!ok) return bad("character outside the alphabet");
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return bad("undecodable");
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') pad = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  out.resize(static_cast<std::size_t>(n) - pad);
  // EVP_DecodeBlock ignores stray bits and misplaced '='; re-encoding catches both.
  if (base64_encode(out) != text) return bad("not the canonical encoding");
  return out;
}

}  // namespace fwseal
