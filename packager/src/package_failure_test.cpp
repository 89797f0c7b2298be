#include "fwseal/packager/package.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <clocale>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <future>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/manifest.h"
#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"
#include "package_test_support.h"

namespace fwseal::packager {
namespace {

using namespace fwseal::packager::package_test;  // the shared helpers of package_test_support.h

// --- Failures leave nothing at the output path ------------------------------

void expect_nothing_left(const TempDir& dir, const std::string& output) {
  EXPECT_FALSE(exists(output)) << output;
  EXPECT_EQ(temp_files(dir.path()), std::vector<std::string>{});
}

TEST(PackageFailure, ImageThatGrowsWhileReadLeavesNothing) {
  TempDir dir;
  // st_size says 0, reading gives bytes: the size is not what was planned.
  Spec spec = make_spec(dir, {{"kernel", "kernel", random_bytes(6u << 20, 7)}});
  spec.images.push_back({"status", "config", "/proc/self/status"});
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(r.error().message,
            "image \"status\" (/proc/self/status): changed size while being read (it was 0 bytes); make sure "
            "nothing writes the image during packaging");
  expect_nothing_left(dir, dir / "out.fwpkg");
}

TEST(PackageFailure, ImageThatShrinksWhileReadLeavesNothing) {
  // sysfs attributes claim 4096 bytes and hold fewer: reading ends early.
  const std::string shrinking = "/sys/kernel/mm/transparent_hugepage/enabled";
  struct stat st {};
  if (::stat(shrinking.c_str(), &st) != 0 || st.st_size != 4096) GTEST_SKIP() << "no " << shrinking;
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", random_bytes(1u << 20, 8)}});
  spec.images.push_back({"thp", "config", shrinking});
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_NE(r.error().message.find("image \"thp\" (" + shrinking + "): changed size while being read (it was 4096 bytes)"),
            std::string::npos)
      << r.error().message;
  expect_nothing_left(dir, dir / "out.fwpkg");
}

TEST(PackageFailure, ImageRemovedAfterLoadingTheSpec) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"boot", "bootloader", "b"}, {"kernel", "kernel", "k"}});
  ASSERT_EQ(::unlink((dir / "fw/kernel.bin").c_str()), 0);
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(r.error().message,
            "image \"kernel\" (" + dir / "fw/kernel.bin" + "): cannot open: No such file or directory");
  expect_nothing_left(dir, dir / "out.fwpkg");
}

TEST(PackageFailure, OutputDirectoryMissing) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", "k"}});
  auto r = build_package(spec, to(dir / "no/such/out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(r.error().message, dir / "no/such/out.fwpkg" + ": cannot create: No such file or directory");
}

TEST(PackageFailure, OutputPathIsADirectory) {
  // Fails at the very end (rename): the temp file must still go.
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", random_bytes(100000, 9)}});
  ASSERT_EQ(::mkdir((dir / "out.fwpkg").c_str(), 0755), 0);
  auto early = build_package(spec, to(dir / "out.fwpkg"));  // refused before anything is read
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, Code::io);
  EXPECT_EQ(early.error().message, dir / "out.fwpkg" + ": is a directory; the output is the package's file name");
  PackageOptions forced = to(dir / "out.fwpkg");
  forced.replace_existing = true;  // only the final rename finds it
  auto r = build_package(spec, forced);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(r.error().message, dir / "out.fwpkg" + ": cannot rename into place: Is a directory");
  EXPECT_EQ(temp_files(dir.path()), std::vector<std::string>{});
  EXPECT_TRUE(std::filesystem::is_empty(dir / "out.fwpkg"));
}

// Runs build_package in a child whose files may not grow beyond `limit` bytes
// (a full disk, deterministically). Returns the child's wait status and the
// error it reported.
std::pair<int, std::string> build_with_file_size_limit(const Spec& spec, const std::string& output, rlim_t limit,
                                                       bool ignore_sigxfsz) {
  int fds[2];
  if (::pipe(fds) != 0) return {-1, "pipe failed"};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (ignore_sigxfsz) ::signal(SIGXFSZ, SIG_IGN);
    rlimit rl{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &rl);
    auto r = build_package(spec, to(output));
    std::string report = r.ok() ? "0 ok" : std::to_string(exit_code(r.error().code)) + " " + r.error().message;
    [[maybe_unused]] auto n = ::write(fds[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {status, report};
}

TEST(PackageFailure, DiskFullMidwayLeavesNothing) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"boot", "bootloader", random_bytes(1u << 20, 1)},
                              {"kernel", "kernel", random_bytes(8u << 20, 2)}});
  auto [status, report] = build_with_file_size_limit(spec, dir / "out.fwpkg", 3u << 20, true);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(report, "3 " + dir / "out.fwpkg" + ": write failed: File too large");
  expect_nothing_left(dir, dir / "out.fwpkg");
}

TEST(PackageFailure, KilledRunLeavesNothingAtTheOutput) {
  // SIGXFSZ kills the run mid-write; no clean-up code runs. The output path
  // stays empty; only the temp file beside it remains, as documented.
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", random_bytes(8u << 20, 2)}});
  auto [status, report] = build_with_file_size_limit(spec, dir / "out.fwpkg", 2u << 20, false);
  ASSERT_TRUE(WIFSIGNALED(status)) << status << " " << report;
  EXPECT_EQ(WTERMSIG(status), SIGXFSZ);
  EXPECT_FALSE(exists(dir / "out.fwpkg"));
  auto temps = temp_files(dir.path());
  ASSERT_EQ(temps.size(), 1u);
  EXPECT_EQ(temps[0].rfind(".out.fwpkg.tmp-", 0), 0u) << temps[0];
}

// --- Rules checked again at build time ---------------------------------------

TEST(PackageRules, SbomInSpecAndOptionsConflict) {
  TempDir dir;
  write_bytes(dir / "sbom.cdx.json", kSbom);
  Spec spec = make_spec(dir, {{"kernel", "kernel", "k"}}, {{"sbom", "sbom.cdx.json"}});
  PackageOptions o = to(dir / "out.fwpkg");
  o.sbom = kSbom;
  auto r = build_package(spec, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::usage);
  EXPECT_EQ(r.error().message, "spec.sbom names an SBOM (" + dir / "sbom.cdx.json" +
                                   ") and another SBOM was given too; a package embeds one SBOM");
  expect_nothing_left(dir, o.output);
}

TEST(PackageRules, SbomToGenerateMustBePassedIn) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", "k"}}, {{"sbom", {{"supplier", "Acme"}}}});
  ASSERT_TRUE(spec.sbom_generation.has_value());
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::usage);
  EXPECT_EQ(r.error().message.rfind("spec.sbom asks for a generated SBOM and none was passed in", 0), 0u)
      << r.error().message;
  expect_nothing_left(dir, dir / "out.fwpkg");

  PackageOptions o = to(dir / "out.fwpkg");
  o.sbom = kSbom;
  auto ok = build_package(spec, o);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_TRUE(ok->manifest.sbom.has_value());
  EXPECT_EQ(ok->manifest.sbom->sha256, sha256(kSbom));
}

// A pending SBOM as sbom-gen's draft makes one: fixed size, the image digests inside.
PendingSbom pending_for(const Spec& spec) {
  PendingSbom p;
  for (const auto& img : spec.images) {
    struct stat st {};
    EXPECT_EQ(::stat(img.path.c_str(), &st), 0);
    p.images.push_back(file_stamp(st));
  }
  auto render = [](const std::vector<Sha256>& digests) -> Result<std::string> {
    json j = {{"bomFormat", "CycloneDX"}, {"specVersion", "1.6"}, {"digests", json::array()}};
    for (const auto& d : digests) j["digests"].push_back(to_hex(d));
    return j.dump();
  };
  p.size = render(std::vector<Sha256>(spec.images.size()))->size();
  p.render = render;
  return p;
}

TEST(PackageRules, PendingSbomGetsTheDigestsOfTheCopy) {
  TempDir dir;
  Spec spec = make_spec(dir, sample_images());
  PackageOptions o = to(dir / "out.fwpkg");
  o.pending_sbom = pending_for(spec);
  auto r = build_package(spec, o);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<Sha256> digests;
  for (const auto& img : sample_images()) digests.push_back(sha256(img.bytes));
  ASSERT_EQ(r->manifest.images.size(), digests.size());
  for (std::size_t i = 0; i < digests.size(); ++i) EXPECT_EQ(r->manifest.images[i].sha256, digests[i]);
  EXPECT_EQ(r->sbom, *o.pending_sbom->render(digests));
  ASSERT_TRUE(r->manifest.sbom.has_value());
  EXPECT_EQ(r->manifest.sbom->size, r->sbom.size());
  EXPECT_EQ(r->manifest.sbom->sha256, sha256(r->sbom));
  // Stored as the second entry, right after the manifest.
  const std::string file = read_bytes(dir / "out.fwpkg");
  auto layout = compute_layout(r->manifest, r->manifest_bytes.size());
  ASSERT_TRUE(layout.ok()) << layout.error().message;
  EXPECT_EQ((*layout)[2].name, "sbom.cdx.json");
  EXPECT_EQ(file.substr((*layout)[2].data_offset, r->sbom.size()), r->sbom);
}

TEST(PackageFailure, PendingSbomOfAnotherFileLeavesNothing) {
  TempDir dir;
  Spec spec = make_spec(dir, sample_images());
  PackageOptions o = to(dir / "out.fwpkg");
  o.pending_sbom = pending_for(spec);
  // The kernel is replaced after the SBOM's scan: same size, another file.
  const std::string kernel = spec.images[1].path;
  write_bytes(kernel + ".new", read_bytes(kernel));
  ASSERT_EQ(::rename((kernel + ".new").c_str(), kernel.c_str()), 0);
  auto r = build_package(spec, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::io);
  EXPECT_EQ(r.error().message, "image \"" + spec.images[1].name + "\" (" + kernel +
                                   "): not the file the SBOM was made from (replaced or written to since); make sure "
                                   "nothing writes the images during packaging");
  expect_nothing_left(dir, o.output);
}

TEST(PackageRules, PendingSbomMustKeepItsSizeAndComeAlone) {
  TempDir dir;
  Spec spec = make_spec(dir, sample_images());
  PackageOptions o = to(dir / "out.fwpkg");
  o.pending_sbom = pending_for(spec);
  o.pending_sbom->size -= 1;
  auto r = build_package(spec, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::internal);
  EXPECT_EQ(r.error().message, "SBOM is " + std::to_string(o.pending_sbom->size + 1) +
                                   " bytes, the layout was planned for " + std::to_string(o.pending_sbom->size));
  expect_nothing_left(dir, o.output);

  o.pending_sbom = pending_for(spec);
  o.sbom = kSbom;
  r = build_package(spec, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::usage);
  expect_nothing_left(dir, o.output);
}

TEST(PackageRules, SbomFromOptionsMustBeJson) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", "k"}});
  PackageOptions o = to(dir / "out.fwpkg");
  o.sbom = "not json";
  auto r = build_package(spec, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_EQ(r.error().message.rfind("SBOM: invalid JSON", 0), 0u) << r.error().message;
  expect_nothing_left(dir, o.output);
}

TEST(PackageRules, ProgrammaticSpecIsCheckedLikeAManifest) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", "k"}});
  spec.hardware = {"b", "a", "b"};
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_EQ(r.error().message, "R10: manifest.hardware[2]: hardware ids must be sorted and unique");

  spec.hardware = {"b", "a"};  // sorted for the manifest
  spec.images[0].name = "../etc";
  r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_NE(r.error().message.find("manifest.images[0].name: image name \"../etc\""), std::string::npos)
      << r.error().message;
  expect_nothing_left(dir, dir / "out.fwpkg");

  spec.images[0].name = "kernel";
  r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->manifest.hardware, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace fwseal::packager
