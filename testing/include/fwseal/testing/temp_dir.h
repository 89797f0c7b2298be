// The test kit's files: scratch directories removed with everything in them,
// and small whole-file reads and writes that fail the test, not the process.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fwseal::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "fwseal-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(std::string_view name) const { return path_ + "/" + std::string(name); }
  // Writes `content` to path()/rel (parent directories created); its path.
  std::string write(std::string_view rel, std::string_view content) const;
  std::string symlink(std::string_view rel, std::string_view target) const;
  std::string mkdir(std::string_view rel) const;

 private:
  std::string path_;
};

// Whole-file helpers; a failure is a gtest failure naming the path.
void write_bytes(const std::string& path, std::string_view data);
std::string read_bytes(const std::string& path);  // "<cannot open PATH>" if unreadable
bool exists(const std::string& path);              // lstat: a dangling link exists
std::vector<std::string> list_dir(const std::string& dir);  // names, sorted
std::string random_bytes(std::size_t n, unsigned seed);     // deterministic per seed

}  // namespace fwseal::test
