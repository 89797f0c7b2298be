#include "pin.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <utility>

#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/hsm/pin_sources.h"

namespace fwseal::hsm {
namespace {

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) return std::nullopt;  // set but empty counts as unset, as shells make that easy
  return std::string(v);
}

Result<Pin> pin_from(std::string_view value, std::string source) {
  Pin pin(std::move(source));
  if (value.empty()) return make_error(Code::login, "the PIN from " + pin.source() + " is empty");
  if (!pin.append(value))
    return make_error(Code::login,
                      "the PIN from " + pin.source() + " is longer than " + std::to_string(Pin::kMaxBytes) + " bytes");
  return pin;
}

Result<Pin> pin_from_file(const std::string& path, std::string source) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return make_error(Code::io, "cannot read PIN file " + path + " (" + source + "): " + errno_text(errno));
  // Like ssh with private keys: a PIN others can read is no longer secret.
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return make_error(Code::io, "cannot stat PIN file " + path + " (" + source + "): " + errno_text(errno));
  if (S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(Code::login, "PIN file " + path + " (" + source + ") is open to group or others (mode " + mode +
                                       "); make it readable by its owner only: chmod 600 " + path);
  }
  unsigned char buf[Pin::kMaxBytes + 3];
  Result<std::size_t> got = read_full(fd.get(), buf, sizeof buf, "PIN file " + path);
  if (!got.ok()) {
    OPENSSL_cleanse(buf, sizeof buf);
    return std::move(got).error();
  }
  std::size_t n = *got;
  if (n > 0 && buf[n - 1] == '\n') --n;
  Result<Pin> pin = pin_from(std::string_view(reinterpret_cast<const char*>(buf), n), source + " " + path);
  OPENSSL_cleanse(buf, sizeof buf);
  return pin;
}

// A pin-source is a file: URI (RFC 8089, local only) or a plain path.
Result<std::string> pin_source_path(std::string_view src) {
  auto bad = [&](const std::string& why) { return make_error(Code::usage, "pin-source " + quote(src) + ": " + why); };
  if (src.starts_with("file:")) {
    std::string_view rest = src.substr(5);
    if (rest.starts_with("//")) {
      rest.remove_prefix(2);
      std::size_t slash = rest.find('/');
      if (slash == std::string_view::npos) return bad("a file: URI needs an absolute path");
      std::string_view host = rest.substr(0, slash);
      if (!host.empty() && host != "localhost") return bad("only local files are supported");
      rest = rest.substr(slash);
    }
    if (rest.empty()) return bad("no file name");
    return std::string(rest);
  }
  if (src.starts_with("|")) return bad("commands are not supported; name a file");
  std::size_t colon = src.find(':');
  std::size_t slash = src.find('/');
  bool scheme = colon != std::string_view::npos && colon > 0 && (slash == std::string_view::npos || colon < slash) &&
                std::isalpha(static_cast<unsigned char>(src[0]));
  if (scheme) return bad("only file: URIs and paths are supported");
  return std::string(src);
}

// RAII for the terminal: echo goes back on however the read ends.
class Terminal {
 public:
  static std::optional<Terminal> open() {
    Fd fd(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    termios saved{};
    if (tcgetattr(fd.get(), &saved) != 0) return std::nullopt;
    return Terminal(std::move(fd), saved);
  }
  Terminal(Terminal&&) = default;
  ~Terminal() {
    if (fd_ && echo_off_) {
      tcsetattr(fd_.get(), TCSAFLUSH, &saved_);
      (void)write_all(fd_.get(), "\n", "terminal");
    }
  }

  // Reads one line with echo off. Code::login if nothing usable was typed.
  Result<Pin> read_secret(const std::string& prompt) {
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    if (tcsetattr(fd_.get(), TCSAFLUSH, &quiet) != 0)
      return make_error(Code::login, "cannot turn off echo on the terminal: " + errno_text(errno));
    echo_off_ = true;
    FWSEAL_TRY(write_all(fd_.get(), prompt, "terminal"));
    Pin pin{std::string(kTerminalSource)};
    bool too_long = false;
    bool line_end = false;
    for (;;) {
      char c = 0;
      ssize_t r = ::read(fd_.get(), &c, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      if (c == '\n') {
        line_end = true;
        break;
      }
      if (!pin.append(std::string_view(&c, 1))) too_long = true;
      OPENSSL_cleanse(&c, 1);
    }
    tcsetattr(fd_.get(), TCSAFLUSH, &saved_);
    (void)write_all(fd_.get(), "\n", "terminal");
    echo_off_ = false;
    if (!line_end && pin.size() == 0) return make_error(Code::login, "no PIN entered");
    if (too_long)
      return make_error(Code::login, "the PIN entered is longer than " + std::to_string(Pin::kMaxBytes) + " bytes");
    if (pin.size() == 0) return make_error(Code::login, "empty PIN entered");
    return pin;
  }

 private:
  Terminal(Fd fd, termios saved) : fd_(std::move(fd)), saved_(saved) {}
  Fd fd_;
  termios saved_;
  bool echo_off_ = false;
};

// nullopt when the process has no controlling terminal.
std::optional<Result<Pin>> prompt(const std::string& question, bool confirm) {
  std::optional<Terminal> tty = Terminal::open();
  if (!tty) return std::nullopt;
  Result<Pin> first = tty->read_secret(question + ": ");
  if (!first.ok() || !confirm) return first;
  Result<Pin> again = tty->read_secret("Repeat " + question + ": ");
  if (!again.ok()) return again;
  if (!first->equals(*again)) return Result<Pin>(make_error(Code::login, "the PINs entered do not match"));
  return first;
}

Result<Pin> new_pin(std::string_view token, const char* var, const char* file_var, const std::string& what,
                    const std::string& missing) {
  if (std::optional<std::string> v = env(var)) {
    Result<Pin> pin = pin_from(*v, var);
    OPENSSL_cleanse(v->data(), v->size());
    return pin;
  }
  if (std::optional<std::string> f = env(file_var)) return pin_from_file(*f, file_var);
  if (auto p = prompt(what + " for new token " + quote(token), true)) return std::move(*p);
  return make_error(Code::login, missing);
}

}  // namespace

Pin::Pin(std::string source) : buf_(new unsigned char[kMaxBytes]), source_(std::move(source)) {}

Pin::Pin(Pin&& other) noexcept : buf_(std::move(other.buf_)), size_(other.size_), source_(std::move(other.source_)) {
  other.size_ = 0;
}

Pin& Pin::operator=(Pin&& other) noexcept {
  if (this != &other) {
    wipe();
    buf_ = std::move(other.buf_);
    size_ = other.size_;
    source_ = std::move(other.source_);
    other.size_ = 0;
  }
  return *this;
}

Pin::~Pin() { wipe(); }

void Pin::wipe() {
  if (buf_) OPENSSL_cleanse(buf_.get(), kMaxBytes);
  size_ = 0;
}

bool Pin::append(std::string_view bytes) {
  if (!buf_ || bytes.size() > kMaxBytes - size_) return false;
  std::memcpy(buf_.get() + size_, bytes.data(), bytes.size());
  size_ += bytes.size();
  return true;
}

bool Pin::equals(const Pin& other) const {
  return size_ == other.size_ && CRYPTO_memcmp(buf_.get(), other.buf_.get(), size_) == 0;
}

Result<Pin> user_pin(std::string_view token, std::string_view pin_source) {
  if (std::optional<std::string> v = env("FWSEAL_PIN")) {
    Result<Pin> pin = pin_from(*v, "FWSEAL_PIN");
    OPENSSL_cleanse(v->data(), v->size());
    return pin;
  }
  if (std::optional<std::string> f = env("FWSEAL_PIN_FILE")) return pin_from_file(*f, "FWSEAL_PIN_FILE");
  if (!pin_source.empty()) {
    FWSEAL_ASSIGN(std::string path, pin_source_path(pin_source));
    return pin_from_file(path, "the key URI's pin-source");
  }
  if (auto p = prompt("PIN for token " + quote(token), false)) return std::move(*p);
  return make_error(Code::login, "no PIN for token " + quote(token) +
                                     ": set FWSEAL_PIN_FILE or FWSEAL_PIN, or add pin-source to the key URI");
}

std::optional<Result<Pin>> user_pin_again(std::string_view token, int attempt) {
  return prompt("Wrong PIN. PIN for token " + quote(token) + " (attempt " + std::to_string(attempt) + " of " +
                    std::to_string(kPromptAttempts) + ")",
                false);
}

Result<Pin> new_so_pin(std::string_view token) {
  return new_pin(
      token, "FWSEAL_SO_PIN", "FWSEAL_SO_PIN_FILE", "Security Officer PIN",
      "no Security Officer PIN for new token " + quote(token) + ": set FWSEAL_SO_PIN_FILE or FWSEAL_SO_PIN");
}

Result<Pin> new_user_pin(std::string_view token) {
  return new_pin(token, "FWSEAL_PIN", "FWSEAL_PIN_FILE", "user PIN",
                 "no user PIN for new token " + quote(token) + ": set FWSEAL_PIN_FILE or FWSEAL_PIN");
}

bool pin_available_without_prompt(const KeyUri& uri) {
  return env("FWSEAL_PIN") || env("FWSEAL_PIN_FILE") || !uri.pin_source.empty();
}

void withhold_pins(ChildOptions& child) {
  for (const char* v : {"FWSEAL_PIN", "FWSEAL_PIN_FILE", "FWSEAL_SO_PIN", "FWSEAL_SO_PIN_FILE"})
    child.unset_env.push_back(v);
}

Result<PinForChildren> PinForChildren::from_environment() {
  PinForChildren p;
  std::optional<std::string> pin = env("FWSEAL_PIN");
  if (!pin) return p;
  int fd = ::memfd_create("fwseal-pin", MFD_ALLOW_SEALING);  // inherited: no MFD_CLOEXEC
  if (fd < 0) {
    OPENSSL_cleanse(pin->data(), pin->size());
    return make_error(Code::io, "memfd_create for the PIN: " + errno_text(errno));
  }
  p.fd_ = fd;
  Status written = write_all(fd, *pin, "the PIN memory file");
  OPENSSL_cleanse(pin->data(), pin->size());
  FWSEAL_TRY(written);
  if (::fchmod(fd, 0400) != 0 ||
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
    return make_error(Code::io, "sealing the PIN memory file: " + errno_text(errno));
  return p;
}

PinForChildren::PinForChildren(PinForChildren&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

PinForChildren::~PinForChildren() {
  if (fd_ >= 0) ::close(fd_);
}

void PinForChildren::apply(ChildOptions& child) const {
  for (const char* v : {"FWSEAL_PIN", "FWSEAL_SO_PIN"}) child.unset_env.push_back(v);
  if (fd_ >= 0) child.set_env["FWSEAL_PIN_FILE"] = "/proc/self/fd/" + std::to_string(fd_);
}

}  // namespace fwseal::hsm
