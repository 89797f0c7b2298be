// SHA-256 / SHA-512 and hex, on top of OpenSSL's EVP interface.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"

namespace fwseal {

using Sha256 = std::array<std::uint8_t, 32>;

// Incremental hasher. Algorithms: "SHA256", "SHA384", "SHA512".
class Hasher {
 public:
  static Hasher sha256();
  static Hasher sha384();
  static Hasher sha512();
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view data);
  std::string finish();  // raw digest bytes; the hasher is reset afterwards

 private:
  explicit Hasher(const EVP_MD* md);
  const EVP_MD* md_;
  ossl::MdCtx ctx_;
};

Sha256 sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

std::string to_hex(std::span<const std::uint8_t> bytes);
std::string to_hex(std::string_view bytes);
// Lowercase hex of exactly `bytes` bytes; anything else is Code::malformed naming `where`.
Result<std::string> from_hex(std::string_view hex, std::size_t bytes, std::string_view where);
Result<Sha256> sha256_from_hex(std::string_view hex, std::string_view where);

std::string base64_encode(std::string_view bytes);
// Strict standard base64 with padding; the encoding must be the canonical one.
Result<std::string> base64_decode(std::string_view text, std::string_view where);

}  // namespace fwseal
