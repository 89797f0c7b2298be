// Test support: run fwseal's binaries as a user would and capture everything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fwseal::test {

struct RunResult {
  int exit_code = -1;  // 128 + signal if killed
  std::string out;
  std::string err;
};

struct RunOptions {
  std::map<std::string, std::string> env;  // added to (or replacing in) the inherited environment
  std::vector<std::string> unset;          // removed from the inherited environment
  std::optional<std::string> stdin_file;   // default: /dev/null
  std::optional<std::string> cwd;
};

RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});

// build/bin/<name>
std::string bin(const std::string& name);
std::string source_dir();

std::string read_all(const std::string& path);
void write_all(const std::string& path, const std::string& data);

// A temporary directory removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace fwseal::test
