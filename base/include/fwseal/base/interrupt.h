// What a run leaves behind when SIGINT, SIGTERM or SIGHUP ends it: nothing it
// created. Outputs in progress (AtomicFile's temporary file, extract's staging
// directory, the pipeline's scratch trees) register here; the handler removes
// every registered path, then lets the signal end the process as it would
// have (a shell sees 128+N). The handler is async-signal-safe: it reads a
// fixed table and calls only unlinkat, openat, getdents64, fstatat and close.
//
// SIGKILL cannot be caught: such leftovers carry recognisable names and the
// next run removes them (AtomicFile::create, extract).
#pragma once

#include <string>

namespace fwseal {

// Installs the handlers once per process (the binaries' main()); harmless to
// call again. Without it, registrations are kept but nothing is removed.
void install_interrupt_cleanup();

// Removes `path` if a signal ends the process while the guard lives: a file,
// or a directory with everything in it (at most 16 levels deep). Release or
// destroy the guard once the path is committed or removed. At most 64 paths
// are registered at once; beyond that a path is not covered (registered()
// says so).
class RemoveOnInterrupt {
 public:
  RemoveOnInterrupt() = default;
  explicit RemoveOnInterrupt(const std::string& path);
  ~RemoveOnInterrupt() { release(); }
  RemoveOnInterrupt(RemoveOnInterrupt&& other) noexcept : slot_(other.slot_) { other.slot_ = -1; }
  RemoveOnInterrupt& operator=(RemoveOnInterrupt&& other) noexcept;
  RemoveOnInterrupt(const RemoveOnInterrupt&) = delete;
  RemoveOnInterrupt& operator=(const RemoveOnInterrupt&) = delete;

  bool registered() const { return slot_ >= 0; }
  void release();

 private:
  int slot_ = -1;
};

// While a progress line is on the terminal `fd` (progress.h), the handler
// first clears it ("\r\033[K"), so that the shell's prompt starts on a clean
// line; -1 when none is drawn.
void set_line_to_clear_on_interrupt(int fd);

// For tests and the handler: removes `path` and, for a directory, everything
// in it, using only async-signal-safe calls. Returns false if anything was left.
bool remove_tree_signal_safe(const char* path);

}  // namespace fwseal
