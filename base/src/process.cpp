#include "fwseal/base/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "fwseal/base/file.h"

extern char** environ;

namespace fwseal {

namespace {

// The child's environment, built before fork (nothing may allocate after it).
std::vector<std::string> child_env(const ChildOptions& o) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& name : o.unset_env) env.erase(name);
  for (const auto& [k, v] : o.set_env) env[k] = v;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// The program to execute: argv[0] if it has a '/', else found in $PATH
// (before fork: a clear message beats exit 127).
Result<std::string> resolve_program(const std::string& name) {
  if (name.find('/') == std::string::npos) {
    auto found = find_in_path(name);
    if (!found) return make_error(Code::io, name + ": not found in $PATH");
    return *found;
  }
  if (::access(name.c_str(), X_OK) != 0) return make_error(Code::io, name + ": cannot execute: " + errno_text(errno));
  return name;
}

// A started child: its pid and the read ends of its stdout and stderr.
struct Started {
  pid_t pid = -1;
  int out = -1, err = -1;
};

Result<Started> spawn(const std::string& program, const ChildOptions& o) {
  std::vector<std::string> env_strings = child_env(o);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = o.argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return make_error(Code::io, "pipe: " + errno_text(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    int e = errno;
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return make_error(Code::io, "pipe: " + errno_text(e));
  }
  const char* cwd = o.cwd ? o.cwd->c_str() : nullptr;
  const char* input = o.stdin_file ? o.stdin_file->c_str() : "/dev/null";
  const bool set_umask = o.umask.has_value();
  const bool close_fds = o.close_inherited_fds;
  const mode_t mask = o.umask.value_or(0);
  const bool end_with_parent = o.end_with_parent;
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    for (int fd : {out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return make_error(Code::io, "fork: " + errno_text(e));
  }
  if (pid == 0) {
    int in = ::open(input, O_RDONLY);
    if (in < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    if (o.new_session) ::setsid();
    if (end_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != parent) ::_exit(128 + SIGTERM);  // it ended before the line above
    }
    if (cwd && ::chdir(cwd) != 0) ::_exit(126);
    if (set_umask) ::umask(mask);
    if (close_fds) ::close_range(3, ~0U, 0);
    ::execve(program.c_str(), args.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  return Started{pid, out_pipe[0], err_pipe[0]};
}

// Reads both pipes to their end: stderr collected, stdout collected or handed
// out line by line; on_tick about four times a second.
void collect_output(const Started& child, const ChildOptions& o, ChildResult& r) {
  std::string pending;  // a partial stdout line
  pollfd fds[2] = {{child.out, POLLIN, 0}, {child.err, POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    int ready = ::poll(fds, 2, o.on_tick ? 250 : -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (o.on_tick) o.on_tick();
    if (ready == 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string_view chunk(buf, static_cast<std::size_t>(n));
      if (i == 1) {
        r.err.append(chunk);
      } else if (!o.on_stdout_line) {
        r.out.append(chunk);
      } else {
        pending.append(chunk);
        for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
          o.on_stdout_line(std::string_view(pending).substr(0, nl));
      }
    }
  }
  for (int fd : {fds[0].fd, fds[1].fd})
    if (fd >= 0) ::close(fd);
  if (o.on_stdout_line && !pending.empty()) o.on_stdout_line(pending);
}

}  // namespace

Result<ChildResult> run_child(const ChildOptions& o) {
  if (o.argv.empty()) return make_error(Code::internal, "run_child: empty argv");
  FWSEAL_ASSIGN(std::string program, resolve_program(o.argv[0]));
  FWSEAL_ASSIGN(Started child, spawn(program, o));
  ChildResult r;
  collect_output(child, o, r);
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0) {
    if (errno != EINTR) return make_error(Code::io, "waitpid: " + errno_text(errno));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (r.exit_code == 126 && r.err.empty())
    return make_error(Code::io, o.argv[0] + ": cannot start (working directory " + o.cwd.value_or(".") + ")");
  if (r.exit_code == 127 && r.err.empty()) return make_error(Code::io, o.argv[0] + ": cannot execute");
  return r;
}

Result<std::string> self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return make_error(Code::io, "/proc/self/exe: " + errno_text(errno));
  return std::string(buf, static_cast<std::size_t>(n));
}

Result<std::string> self_exe_dir() {
  FWSEAL_ASSIGN(std::string path, self_exe());
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return make_error(Code::io, "/proc/self/exe: unexpected path " + path);
  return path.substr(0, slash == 0 ? 1 : slash);
}

std::optional<std::string> find_in_path(std::string_view name) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string_view::npos) end = dirs.size();
    std::string candidate = (end == start ? std::string(".") : std::string(dirs.substr(start, end - start)));
    candidate += '/';
    candidate += name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

std::string last_line(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  auto nl = text.rfind('\n');
  return std::string(nl == std::string_view::npos ? text : text.substr(nl + 1));
}

}  // namespace fwseal
