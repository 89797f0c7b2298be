// Invariant 2 through the command line: one spec, two builds under different
// environments and from different input copies, identical bytes; with an
// Ed25519 key the signed packages are identical too.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>

#include "support/workspace.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;

TEST(Reproducible, SameSpecSameBytesWhateverTheEnvironment) {
  Workspace ws("repro");
  ws.keygen("ed", "ed25519");
  std::string spec_a = ws.write_spec("spec.json");

  // Second input tree: copies written in the opposite order, other owner,
  // mode and mtimes, in a directory of another name.
  fs::create_directories(ws.path("copy/deeper"));
  for (const char* f : {"c.bin", "b.bin", "a.bin"}) {
    fs::copy_file(ws.path(f), ws.path(std::string("copy/deeper/") + f));
    std::string p = ws.path(std::string("copy/deeper/") + f);
    ASSERT_EQ(::chown(p.c_str(), 4242, 4343), 0);
    ASSERT_EQ(::chmod(p.c_str(), 0600), 0);
    timeval times[2] = {{12345, 0}, {67890, 0}};
    ASSERT_EQ(::utimes(p.c_str(), times), 0);
  }
  fs::copy_file(ws.path("spec.json"), ws.path("copy/deeper/spec.json"));

  auto first = ws.fwseal({"package", "--spec", spec_a, "-o", ws.path("one.fwpkg")});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  RunOptions other;
  other.env = {{"TZ", "Pacific/Kiritimati"}, {"LC_ALL", "C.UTF-8"}, {"LANG", "C.UTF-8"}};
  other.cwd = ws.path("copy");
  // umask is inherited: run through a shell that changes it.
  auto second = run({"/bin/sh", "-c",
                     "umask 077 && exec '" + bin("fwseal") + "' package --spec deeper/spec.json -o ../two.fwpkg"},
                    [&] {
                      RunOptions o = ws.env();
                      o.env.insert(other.env.begin(), other.env.end());
                      o.cwd = other.cwd;
                      return o;
                    }());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(read_bytes(ws.path("one.fwpkg")), read_bytes(ws.path("two.fwpkg")));

  // Ed25519 signatures are deterministic: the signed packages match as well.
  ASSERT_EQ(ws.fwseal({"sign", ws.path("one.fwpkg"), "--key", ws.key_uri("ed")}).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"sign", ws.path("two.fwpkg"), "--key", ws.key_uri("ed")}).exit_code, 0);
  EXPECT_EQ(read_bytes(ws.path("one.fwpkg")), read_bytes(ws.path("two.fwpkg")));

  // SOURCE_DATE_EPOCH is used when the spec has no time, and changes the bytes.
  std::string spec = read_bytes(spec_a);
  spec.replace(spec.find("\"created\": 1790000000,"), 22, "");
  write_bytes(ws.path("spec-notime.json"), spec);
  RunOptions e1, e2;
  e1.env = {{"SOURCE_DATE_EPOCH", "1000"}};
  e2.env = {{"SOURCE_DATE_EPOCH", "2000"}};
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.path("spec-notime.json"), "-o", ws.path("t1.fwpkg")}, e1).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.path("spec-notime.json"), "-o", ws.path("t2.fwpkg")}, e2).exit_code, 0);
  ASSERT_EQ(ws.fwseal({"package", "--spec", ws.path("spec-notime.json"), "-o", ws.path("t3.fwpkg")}, e1).exit_code, 0);
  EXPECT_NE(read_bytes(ws.path("t1.fwpkg")), read_bytes(ws.path("t2.fwpkg")));
  EXPECT_EQ(read_bytes(ws.path("t1.fwpkg")), read_bytes(ws.path("t3.fwpkg")));
}

}  // namespace
}  // namespace fwseal::test
