// Test support: run fwseal's binaries as a user would and capture everything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fwseal/testing/temp_dir.h"

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

// build/bin/<name>; fwseal-verify is $FWSEAL_TEST_VERIFY_BIN when set (vectors_static_test)
std::string bin(const std::string& name);

// Headless Chromium (Debian's chromium, installed by the chromium fixture in
// tests/CMakeLists.txt) with a throwaway profile and nothing fetched in the
// background; append --dump-dom or --screenshot=... and the page's URL.
std::vector<std::string> headless_chromium(const std::string& profile_dir);
// Environment variables to unset for it: no proxy reaches a file:// page.
std::vector<std::string> chromium_unset();
std::string source_dir();

// Files and scratch directories: the test kit's (read_bytes, write_bytes, TempDir).
}  // namespace fwseal::test
