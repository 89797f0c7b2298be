#include "run.h"

#include <cstdlib>

#include "fwseal/base/process.h"

namespace fwseal::test {

std::string bin(const std::string& name) {
  if (const char* other = std::getenv("FWSEAL_TEST_VERIFY_BIN"); name == "fwseal-verify" && other && *other) return other;
  return std::string(FWSEAL_BIN_DIR) + "/" + name;
}
std::string source_dir() { return FWSEAL_SOURCE_DIR; }

RunResult run(const std::vector<std::string>& argv, const RunOptions& options) {
  ChildOptions o;
  o.argv = argv;
  o.set_env = options.env;
  o.unset_env = options.unset;
  o.cwd = options.cwd;
  o.stdin_file = options.stdin_file;
  o.new_session = true;  // no controlling terminal: a PIN prompt must never block a test
  auto child = run_child(o);
  if (!child.ok()) return RunResult{127, "", child.error().message};
  return RunResult{child->exit_code, std::move(child->out), std::move(child->err)};
}

std::vector<std::string> headless_chromium(const std::string& profile_dir) {
  return {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile_dir};
}

std::vector<std::string> chromium_unset() { return {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"}; }

}  // namespace fwseal::test
