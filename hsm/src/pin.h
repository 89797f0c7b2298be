// PINs: where they come from, and keeping them out of memory once used.
// A PIN's value never appears in a message; only where it came from does.
#pragma once

#include <p11-kit/pkcs11.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal::hsm {

// A PIN in a fixed buffer that never reallocates (so no stray copies are left
// on the heap) and is wiped when the Pin goes away.
class Pin {
 public:
  static constexpr std::size_t kMaxBytes = 255;

  explicit Pin(std::string source);
  Pin(Pin&& other) noexcept;
  Pin& operator=(Pin&& other) noexcept;
  Pin(const Pin&) = delete;
  Pin& operator=(const Pin&) = delete;
  ~Pin();

  bool append(std::string_view bytes);  // false (and nothing added) past kMaxBytes
  CK_UTF8CHAR_PTR data() const { return buf_.get(); }
  CK_ULONG size() const { return size_; }
  bool equals(const Pin& other) const;
  // Where the PIN came from, for messages: "FWSEAL_PIN", "FWSEAL_PIN_FILE", ...
  const std::string& source() const { return source_; }

 private:
  void wipe();
  std::unique_ptr<unsigned char[]> buf_;
  std::size_t size_ = 0;
  std::string source_;
};

// The user PIN for `token`: $FWSEAL_PIN, else the file $FWSEAL_PIN_FILE, else
// `pin_source` (a file: URI or a path), else a prompt on the controlling
// terminal. PIN files lose one trailing newline. Code::login if there is no
// PIN or it is empty or too long, Code::io if a PIN file cannot be read,
// Code::usage for a pin-source that is neither a file: URI nor a path.
Result<Pin> user_pin(std::string_view token, std::string_view pin_source);

// The user PIN asked again at the terminal after a wrong one ("attempt 2 of
// 3"); nullopt without a terminal.
inline constexpr int kPromptAttempts = 3;
inline constexpr std::string_view kTerminalSource = "the terminal";
std::optional<Result<Pin>> user_pin_again(std::string_view token, int attempt);

// For a new token: the Security Officer PIN ($FWSEAL_SO_PIN, $FWSEAL_SO_PIN_FILE
// or the terminal) and the user PIN ($FWSEAL_PIN, $FWSEAL_PIN_FILE or the
// terminal). A PIN typed on the terminal is asked for twice. Same errors as
// user_pin.
Result<Pin> new_so_pin(std::string_view token);
Result<Pin> new_user_pin(std::string_view token);

}  // namespace fwseal::hsm
