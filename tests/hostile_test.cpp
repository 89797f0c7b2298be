// Hostile archives (issue 3, item 7): fwseal-verify and `fwseal extract` refuse
// each with its vector's exit code (10-15) and message, and extract leaves its
// target directory, and everything beside it, exactly as it was: the same
// names, types, modes and contents. The packages are the conformance vectors
// of tests/vectors/ (see vectors.json); truncations at every offset that
// matters are cut here from a valid vector.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>

#include "fwseal/format/layout.h"
#include "support/run.h"
#include "vectors/vector_list.h"

namespace fwseal::test {
namespace {

namespace fs = std::filesystem;

// Where an absolute entry name of the vectors points.
const char* const kAbsoluteTarget = "/tmp/fwseal-vectors-absolute";

const std::vector<ConformanceVector>& all_vectors() {
  static const std::vector<ConformanceVector> all = load_vectors();
  return all;
}

// Relative path -> type, permissions and content (or link target).
using Listing = std::map<std::string, std::string>;

Listing listing(const std::string& root) {
  Listing out;
  for (const auto& f : fs::recursive_directory_iterator(root)) {
    struct stat st {};
    if (::lstat(f.path().c_str(), &st) != 0) throw std::runtime_error("lstat " + f.path().string());
    std::string what = std::to_string(st.st_mode);
    if (S_ISREG(st.st_mode)) what += " file " + read_bytes(f.path());
    if (S_ISLNK(st.st_mode)) what += " link " + fs::read_symlink(f.path()).string();
    out[fs::relative(f.path(), root).string()] = what;
  }
  return out;
}

// A temporary root holding the extraction target out/ (with files of its own)
// and a sibling etc/, which image/../../etc/x would reach from out/.
class Sandbox {
 public:
  Sandbox() {
    fs::create_directories(dir_ / "out/old");
    fs::create_directories(dir_ / "etc");
    write_bytes(dir_ / "out/README.keep", "left alone\n");
    write_bytes(dir_ / "out/old/boot.bin", std::string(700, '\x5a'));
    fs::permissions(dir_ / "out/old/boot.bin", fs::perms::owner_read | fs::perms::owner_write);
    fs::permissions(dir_ / "out/old", fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  }
  std::string out() const { return dir_ / "out"; }
  Listing now() const { return listing(dir_.path()); }

 private:
  TempDir dir_;
};

RunResult extract(const std::string& package, const ConformanceVector& v, const Sandbox& box) {
  std::vector<std::string> argv = {bin("fwseal"), "extract", package, "-C", box.out(), "--trust", v.trust_path()};
  argv.insert(argv.end(), v.args.begin(), v.args.end());
  return run(argv);
}

RunResult verify(const std::string& package, const ConformanceVector& v) {
  std::vector<std::string> argv = {bin("fwseal-verify"), package, "--trust", v.trust_path()};
  argv.insert(argv.end(), v.args.begin(), v.args.end());
  return run(argv);
}

enum class Also { verify, nothing };

// `fwseal extract` (and fwseal-verify unless `also` says otherwise) refuses
// `package` with `code` and a one-line message containing `message`; extract
// changes nothing on disk. Returns fwseal-verify's stderr.
std::string expect_refused(const std::string& package, const ConformanceVector& v, int code, const std::string& message,
                           Also also = Also::verify) {
  EXPECT_TRUE((code >= 10 && code <= 15) || code == 17) << code;  // 17: decryption (R27)
  RunResult r;
  if (also == Also::verify) {
    r = verify(package, v);
    EXPECT_EQ(r.exit_code, code) << "fwseal-verify: " << r.err;
    EXPECT_TRUE(r.err.starts_with("fwseal-verify: ")) << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err << "expected: " << message;
    EXPECT_EQ(r.out, "");
  }
  const std::string verify_err = r.err;

  const bool absolute_existed = fs::exists(kAbsoluteTarget);
  Sandbox box;
  const Listing before = box.now();
  r = extract(package, v, box);
  EXPECT_EQ(r.exit_code, code) << "fwseal extract: " << r.err;
  EXPECT_TRUE(r.err.starts_with("fwseal: ")) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err << "expected: " << message;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(box.now(), before) << "extract changed the directory";
  if (!absolute_existed) {
    EXPECT_FALSE(fs::exists(kAbsoluteTarget));
  }
  return verify_err;
}

void expect_refused(const ConformanceVector& v, Also also = Also::verify) {
  SCOPED_TRACE(v.id + ": " + v.description);
  // A trust file's refusal names the file between its rule and the rest.
  const bool bad_trust = v.trust.starts_with("trust-invalid/");
  const std::string message = bad_trust ? v.message.substr(v.message.find(": ") + 2) : v.message;
  expect_refused(v.path(), v, v.exit_code, message, also);
}

void expect_refused(std::initializer_list<const char*> ids) {
  for (const char* id : ids) expect_refused(find_vector(all_vectors(), id));
}

void expect_refused_where(const std::function<bool(const ConformanceVector&)>& which, std::size_t at_least,
                          Also also = Also::verify) {
  std::size_t n = 0;
  for (const auto& v : all_vectors())
    if (which(v)) {
      expect_refused(v, also);
      ++n;
    }
  EXPECT_GE(n, at_least);
}

TEST(Hostile, TheSandboxSeesWhatExtractWrites) {
  // Without this, a listing that missed changes would pass every test below.
  const auto& v = find_vector(all_vectors(), "sbom");
  Sandbox box;
  Listing before = box.now();
  RunResult r = extract(v.path(), v, box);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Listing after = box.now();
  EXPECT_EQ(after.size(), before.size() + 2);
  ASSERT_TRUE(after.count("out/kernel") && after.count("out/rootfs"));
  after.erase("out/kernel");
  after.erase("out/rootfs");
  EXPECT_EQ(after, before);
}

TEST(Hostile, PathTraversal) {
  expect_refused({"r03-traversal-name", "r03-pax-path-traversal", "r03-gnu-longname-traversal", "r12-name-traversal",
                  "r12-name-backslash", "r12-name-slash", "r12-name-dot-dot"});
}

TEST(Hostile, AbsoluteNames) { expect_refused({"r03-absolute-name", "r12-name-absolute"}); }

TEST(Hostile, LongNames) {
  expect_refused({"r03-gnu-longname", "r03-gnu-longname-first", "r03-gnu-longname-traversal", "r03-pax-long-path",
                  "r12-name-too-long"});
}

TEST(Hostile, Symlinks) { expect_refused({"r03-symlink", "r03-symlink-at-signature"}); }

TEST(Hostile, HardLinks) { expect_refused({"r03-hardlink", "r03-hardlink-at-signature", "r01-image-linkname"}); }

TEST(Hostile, DevicesAndFifos) {
  expect_refused({"r03-char-device", "r03-block-device", "r03-fifo", "r01-image-devmajor"});
}

TEST(Hostile, Directories) {
  expect_refused({"r03-directory", "r03-directory-before-manifest", "r03-directory-at-signature"});
}

TEST(Hostile, DuplicateEntries) {
  expect_refused({"r03-duplicate-image", "r03-duplicate-manifest", "r03-manifest-after-signatures", "r16-duplicate-key",
                  "r12-name-duplicate"});
}

TEST(Hostile, ReorderedOrMissingEntries) {
  expect_refused(
      {"r03-image-first", "r03-reordered-images", "r03-missing-image", "r03-sbom-missing", "r19-images-swapped"});
}

TEST(Hostile, ExtraEntriesAnywhere) {
  expect_refused({"r03-entry-before-manifest", "r03-sbom-not-in-manifest", "r03-extra-between-images",
                  "r03-extra-after-images", "r03-extra-after-signatures"});
}

TEST(Hostile, ExtensionHeadersThatRenameOrResize) {
  expect_refused({"r03-global-pax-header", "r03-pax-size-small", "r03-pax-size-giant", "r03-pax-path-traversal",
                  "r03-pax-long-path", "r03-pax-mtime", "r03-gnu-longname", "r03-gnu-longname-first",
                  "r03-pax-at-signature"});
}

TEST(Hostile, HeaderFieldsChangedWithAValidChecksum) {
  expect_refused_where([](const ConformanceVector& v) { return v.rule == "R1"; }, 20);
}

TEST(Hostile, NonZeroPadding) {
  expect_refused_where([](const ConformanceVector& v) { return v.rule == "R2"; }, 5);
  expect_refused({"r04-first-end-block-not-zero", "r04-second-end-block-not-zero"});
}

TEST(Hostile, DataAfterTheEnd) {
  expect_refused({"r04-data-after-end", "r04-record-padding", "r04-second-package-after-end",
                  "r04-entry-after-one-zero-block"});
}

TEST(Hostile, TruncationVectors) {
  expect_refused_where([](const ConformanceVector& v) { return v.id.starts_with("r04-truncated-"); }, 20);
}

TEST(Hostile, GiantDeclaredSizes) {
  expect_refused({"r01-image-size-2e40", "r03-pax-size-giant", "r04-image-2e40-truncated", "r05-manifest-too-large",
                  "r05-manifest-size-2e63", "r05-sbom-too-large", "r05-signature-too-large", "r05-signature-size-2e40",
                  "r12-size-2e63"});
}

// Every offset that matters in a package with an SBOM, two images and a
// signature: each entry boundary, inside each header, at the start, middle
// and end of each entry's data, inside each padding, and in the end blocks.
TEST(Hostile, TruncationAtEveryBoundaryAndInsideEveryEntry) {
  const auto& v = find_vector(all_vectors(), "sbom");
  const std::string good = read_bytes(v.path());
  std::vector<std::size_t> cuts;
  std::size_t at = 0;
  int entries = 0;
  while (good.compare(at, kBlock, std::string(kBlock, '\0')) != 0) {
    auto h = parse_tar_header(good.substr(at, kBlock), "test");
    ASSERT_TRUE(h.ok()) << h.error().message;
    const std::size_t data = at + kBlock, pad = data + h->size, next = at + kBlock + padded_size(h->size);
    for (std::size_t cut : {at, at + 1, at + 148, at + 511, data, data + h->size / 2, pad - 1, pad, pad + 1, next - 1})
      if (cut < next) cuts.push_back(cut);
    at = next;
    ++entries;
  }
  EXPECT_EQ(entries, 5);  // manifest, SBOM, two images, one signature
  ASSERT_EQ(at + 2 * kBlock, good.size());
  for (std::size_t cut : {at, at + 1, at + 511, at + 512, at + 513, at + 1023}) cuts.push_back(cut);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  EXPECT_GE(cuts.size(), 50u);

  TempDir dir;
  const std::string cut_file = dir / "cut.fwpkg";
  for (std::size_t cut : cuts) {
    SCOPED_TRACE("cut at offset " + std::to_string(cut));
    write_bytes(cut_file, good.substr(0, cut));
    std::string err = expect_refused(cut_file, v, 10, "package ends at offset " + std::to_string(cut) + " ");
    // It states the size it has and the least it needed, which is more.
    const std::string has = "(truncated): it has " + std::to_string(cut) + " bytes, at least ";
    const auto at_least = err.find(has);
    ASSERT_NE(at_least, std::string::npos) << err;
    EXPECT_GT(std::stoull(err.substr(at_least + has.size())), cut) << err;
    EXPECT_NE(err.find(" expected"), std::string::npos) << err;
  }
}

// Whatever else the vectors hold: extract refuses each invalid one as
// fwseal-verify does (vectors_test checks fwseal-verify) and writes nothing.
TEST(Hostile, ExtractRefusesEveryInvalidVector) {
  expect_refused_where([](const ConformanceVector& v) { return v.exit_code != 0; }, 200, Also::nothing);
}

}  // namespace
}  // namespace fwseal::test
