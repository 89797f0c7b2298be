// Progress of a long operation (packaging, verifying, extracting, a pipeline
// run): the libraries report the running step and the bytes it has handled;
// the binaries choose where that goes.
//
// - On a terminal (stderr), one line: the running step, bytes done of the
//   total, the rate and the time left, fitted to the terminal's width (read
//   again at every redraw, never wider than width - 1 so that it never
//   wraps), redrawn at most ten times a second, and cleared ("\r\033[K") when
//   the operation ends, fails, or a signal ends the process (interrupt.h).
// - In a step of `fwseal pipeline run` (FWSEAL_PROGRESS_FD set by the
//   pipeline), short lines on that descriptor, which the pipeline's own
//   display shows (see pipeline/run.h).
// - Otherwise nothing at all.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fwseal {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // A step begins: its name ("hashing images", "sign x100") and the bytes it
  // will handle (0: not known, or none). Resets the byte count.
  virtual void begin_step(std::string_view name, std::uint64_t total_bytes) = 0;
  // `bytes` more of the running step are done. Safe to call from any thread.
  virtual void add_bytes(std::uint64_t bytes) = 0;
  // No news, but time passed (a long step without byte counts): a display may
  // refresh its clock.
  virtual void tick() {}
  // A line for stderr while the operation runs (a warning): on a terminal
  // the progress line is cleared first and drawn again below it.
  virtual void print_line(std::string_view line);
  // The operation is over (success or failure): clear what is on screen,
  // before any message is printed. The destructor does it too.
  virtual void finish() {}
};

// The display for a binary's stderr: a terminal line if `wanted` (not --quiet,
// not --json) and stderr is a terminal; the pipeline's channel if
// FWSEAL_PROGRESS_FD names an open pipe; else null (report nothing).
std::unique_ptr<ProgressSink> progress_for_stderr(bool wanted);

// The line a terminal display draws, for `width` columns (at most width - 1
// characters, all printable ASCII). `elapsed_ms` since the step began.
// Exposed for tests.
std::string progress_line(std::string_view step, std::uint64_t done, std::uint64_t total, std::uint64_t elapsed_ms,
                          unsigned width);

// "12.3 MiB", "512 B": bytes as the display shows them.
std::string human_bytes(std::uint64_t bytes);

// The environment variable through which `fwseal pipeline run` hands its
// steps a descriptor to report progress on.
inline constexpr const char* kProgressFdVariable = "FWSEAL_PROGRESS_FD";

// A channel line's parts, as the pipeline reads them: "step NAME TOTAL",
// "bytes N". False for anything else.
struct ProgressEvent {
  enum Kind { step, bytes } kind = step;
  std::string name;
  std::uint64_t value = 0;
};
bool parse_progress_event(std::string_view line, ProgressEvent& event);

}  // namespace fwseal
