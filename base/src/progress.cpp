#include "fwseal/base/progress.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "fwseal/base/interrupt.h"

namespace fwseal {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);  // at most ten lines a second
constexpr auto kReportEvery = std::chrono::milliseconds(200);  // channel lines
constexpr char kClearLine[] = "\r\033[K";

std::uint64_t ms_since(Clock::time_point t) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
}

// Step names can come from release files: one column per byte, nothing the
// terminal would interpret.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

std::string clock_text(std::uint64_t seconds) {
  char buf[32];
  if (seconds >= 3600)
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(seconds / 3600),
                  static_cast<unsigned long long>(seconds / 60 % 60), static_cast<unsigned long long>(seconds % 60));
  else
    std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(seconds / 60),
                  static_cast<unsigned long long>(seconds % 60));
  return buf;
}

void write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a display is not worth an error
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

unsigned terminal_width(int fd) {
  struct winsize ws {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

// One line on a terminal, redrawn in place. Bytes may be added from several
// threads (the packager hashes images in parallel); whichever thread finds a
// redraw due and the lock free draws.
class TerminalProgress final : public ProgressSink {
 public:
  explicit TerminalProgress(int fd) : fd_(fd) {}
  ~TerminalProgress() override { finish(); }

  void begin_step(std::string_view name, std::uint64_t total_bytes) override {
    std::lock_guard lock(mu_);
    step_ = printable(name);
    total_ = total_bytes;
    done_.store(0);
    started_ = Clock::now();
    draw_if_due();
  }
  void add_bytes(std::uint64_t bytes) override {
    done_.fetch_add(bytes, std::memory_order_relaxed);
    if (Clock::now().time_since_epoch().count() < next_draw_.load(std::memory_order_relaxed)) return;
    std::unique_lock lock(mu_, std::try_to_lock);
    if (lock.owns_lock()) draw_if_due();
  }
  void tick() override {
    std::lock_guard lock(mu_);
    draw_if_due();
  }
  void print_line(std::string_view line) override {
    std::lock_guard lock(mu_);
    write_all(fd_, drawn_ ? std::string(kClearLine) + std::string(line) + "\n" : std::string(line) + "\n");
    drawn_ = false;
    set_line_to_clear_on_interrupt(-1);
    next_draw_.store(0, std::memory_order_relaxed);  // below it at the next chance
  }
  void finish() override {
    std::lock_guard lock(mu_);
    finished_ = true;
    if (!drawn_) return;
    write_all(fd_, kClearLine);
    drawn_ = false;
    set_line_to_clear_on_interrupt(-1);
  }

 private:
  void draw_if_due() {
    const auto now = Clock::now();
    if (finished_ || now.time_since_epoch().count() < next_draw_.load(std::memory_order_relaxed)) return;
    next_draw_.store((now + kRedrawEvery).time_since_epoch().count(), std::memory_order_relaxed);
    // The width is read at every redraw: a resized window is followed at once.
    std::string out = kClearLine;
    out += progress_line(step_, done_.load(std::memory_order_relaxed), total_, ms_since(started_), terminal_width(fd_));
    set_line_to_clear_on_interrupt(fd_);
    drawn_ = true;
    write_all(fd_, out);
  }

  const int fd_;
  std::mutex mu_;  // guards everything below but the atomics, and the drawing
  std::string step_;
  std::uint64_t total_ = 0;
  Clock::time_point started_ = Clock::now();
  bool drawn_ = false;
  bool finished_ = false;
  std::atomic<std::uint64_t> done_{0};
  std::atomic<Clock::rep> next_draw_{0};
};

// A step of `fwseal pipeline run`: "step NAME TOTAL" and "bytes N" lines on
// the pipeline's pipe, which is non-blocking: a full pipe drops a line rather
// than slowing the step.
class ChannelProgress final : public ProgressSink {
 public:
  ChannelProgress(int fd, std::string prefix) : fd_(fd), prefix_(std::move(prefix)) {}

  void begin_step(std::string_view name, std::uint64_t total_bytes) override {
    std::lock_guard lock(mu_);
    done_.store(0);
    send("step " + printable(prefix_ + std::string(name)).substr(0, 200) + " " + std::to_string(total_bytes) + "\n");
  }
  void add_bytes(std::uint64_t bytes) override {
    const std::uint64_t done = done_.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    std::unique_lock lock(mu_, std::try_to_lock);
    if (!lock.owns_lock() || Clock::now() < next_) return;
    next_ = Clock::now() + kReportEvery;
    send("bytes " + std::to_string(done) + "\n");
  }

 private:
  void send(const std::string& line) { [[maybe_unused]] ssize_t n = ::write(fd_, line.data(), line.size()); }

  const int fd_;
  const std::string prefix_;  // the pipeline's name of the step ("package x100: ")
  std::mutex mu_;
  Clock::time_point next_ = Clock::now();
  std::atomic<std::uint64_t> done_{0};
};

std::unique_ptr<ProgressSink> channel_from_environment() {
  const char* v = std::getenv(kProgressFdVariable);
  if (!v || !*v) return nullptr;
  char* end = nullptr;
  long fd = std::strtol(v, &end, 10);
  if (*end != '\0' || fd <= STDERR_FILENO || fd > 1 << 20) return nullptr;
  struct stat st {};
  if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISFIFO(st.st_mode)) return nullptr;
  const char* step = std::getenv("FWSEAL_PROGRESS_STEP");
  return std::make_unique<ChannelProgress>(static_cast<int>(fd), step && *step ? std::string(step) + ": " : "");
}

}  // namespace

void ProgressSink::print_line(std::string_view line) { write_all(STDERR_FILENO, std::string(line) + "\n"); }

std::string human_bytes(std::uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string progress_line(std::string_view step, std::uint64_t done, std::uint64_t total, std::uint64_t elapsed_ms,
                          unsigned width) {
  const std::size_t max = width > 1 ? width - 1 : 0;
  // Facts in the order they are given up when the line is too long: the
  // time left first, the step name last.
  std::vector<std::string> facts;
  if (total > 0 || done > 0) {
    facts.push_back(total > 0 ? human_bytes(done) + " / " + human_bytes(total) : human_bytes(done));
    if (total > 0) facts.push_back(std::to_string(std::min<std::uint64_t>(done * 100 / total, 100)) + "%");
    if (elapsed_ms >= 500) {
      const double rate = static_cast<double>(done) * 1000.0 / static_cast<double>(elapsed_ms);
      facts.push_back(human_bytes(static_cast<std::uint64_t>(rate)) + "/s");
      if (total > done && rate >= 1.0)
        facts.push_back("ETA " + clock_text(static_cast<std::uint64_t>(static_cast<double>(total - done) / rate + 0.5)));
    }
  } else {
    facts.push_back(clock_text(elapsed_ms / 1000));
  }
  std::string name = printable(step);
  for (;;) {
    std::string tail;
    for (const auto& f : facts) tail += "  " + f;
    if (name.size() + tail.size() <= max) return name + tail;
    // Shorten the name before giving up a fact, but not below 16 characters:
    // the pipeline's "[3/9 done] " takes 11 of them, and a step must keep a
    // name ("[0/4 done] pack...", not "[0/4 done] ...").
    const std::size_t room = max > tail.size() ? max - tail.size() : 0;
    if (room >= 16 || facts.empty()) {
      if (room >= 4) return name.substr(0, room - 3) + "..." + tail;
      return (name + tail).substr(0, max);
    }
    facts.pop_back();
  }
}

bool parse_progress_event(std::string_view line, ProgressEvent& event) {
  auto number = [](std::string_view s, std::uint64_t& v) {
    if (s.empty() || s.size() > 20) return false;
    v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  };
  if (line.rfind("bytes ", 0) == 0) {
    event.kind = ProgressEvent::bytes;
    event.name.clear();
    return number(line.substr(6), event.value);
  }
  if (line.rfind("step ", 0) == 0) {
    const auto space = line.rfind(' ');
    if (space <= 5) return false;
    event.kind = ProgressEvent::step;
    event.name = std::string(line.substr(5, space - 5));
    return number(line.substr(space + 1), event.value);
  }
  return false;
}

std::unique_ptr<ProgressSink> progress_for_stderr(bool wanted) {
  if (wanted && ::isatty(STDERR_FILENO)) return std::make_unique<TerminalProgress>(STDERR_FILENO);
  return channel_from_environment();
}

}  // namespace fwseal
