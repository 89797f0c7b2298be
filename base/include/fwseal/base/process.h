// Child processes: fork/exec with a chosen environment,
// working directory and umask, and the child's output captured.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"

namespace fwseal {

struct ChildOptions {
  std::vector<std::string> argv;               // argv[0] is the program: an absolute path or a name in $PATH
  std::map<std::string, std::string> set_env;  // added to, or replacing in, this process's environment
  std::vector<std::string> unset_env;          // removed from it
  std::optional<std::string> cwd;
  std::optional<mode_t> umask;
  std::optional<std::string> stdin_file;  // default: /dev/null
  bool new_session = false;               // setsid(): no controlling terminal, so nothing can prompt
  // Close every descriptor above stderr in the child, inherited ones included
  // (e.g. the PIN memory file `pipeline run` hands to its signing steps).
  bool close_inherited_fds = false;
  // SIGTERM for the child when the thread that started it ends, however it
  // ends (a SIGKILL included): a child that runs others (ninja) then stops
  // them, and they remove what they created.
  bool end_with_parent = false;
  // Called with each line the child writes on stdout (without the newline),
  // as it arrives. Without it, stdout is collected into ChildResult::out.
  std::function<void(std::string_view)> on_stdout_line;
  // Called about four times a second while the child runs (e.g. to redraw a
  // progress bar's clock).
  std::function<void()> on_tick;
};

struct ChildResult {
  int exit_code = -1;  // 128 + signal number if the child was killed
  std::string out;     // stdout, unless on_stdout_line took it
  std::string err;     // stderr
};

// Runs the child to its end; its stdin is /dev/null. Code::io if it cannot be
// started (the program is missing or not executable: exit code 127 is
// reported as such).
Result<ChildResult> run_child(const ChildOptions& options);

// The running executable's path (/proc/self/exe). Code::io if it cannot be read.
Result<std::string> self_exe();

// The first executable `name` in $PATH (an empty entry is the current
// directory; no $PATH means /usr/bin:/bin), or nullopt.
std::optional<std::string> find_in_path(std::string_view name);

// The directory of the running executable (/proc/self/exe), where fwseal
// expects fwseal-verify. Code::io if it cannot be read.
Result<std::string> self_exe_dir();

// The last non-empty line of `text` ("" if none): a failed fwseal command's
// one-line message.
std::string last_line(std::string_view text);

}  // namespace fwseal
