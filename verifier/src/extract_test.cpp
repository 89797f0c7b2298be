#include "fwseal/verifier/extract.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "fwseal/base/file.h"
#include "test_package.h"

namespace fwseal::verifier {
namespace {

using test::PackageBuilder;
using test::test_key;
using test::trust_for;
namespace fs = std::filesystem;

const test::TestKey& key() { return test_key(Algorithm::ecdsa_p256, 0); }

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "fwseal-extract-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp");
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// name -> content (or "->target" for symlinks, "<dir>" for directories), hidden entries included.
std::map<std::string, std::string> listing(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (e.is_symlink()) out[name] = "->" + fs::read_symlink(e.path()).string();
    else if (e.is_directory()) out[name] = "<dir>";
    else out[name] = *read_file(e.path().string());
  }
  return out;
}

Status extract_bytes(const std::string& pkg, const std::string& dir, VerifyOptions options = {},
                     VerifyReport* report = nullptr) {
  Fd fd = test::memory_fd(pkg);
  return extract_package(fd.get(), trust_for({&key()}), options, dir, report);
}

std::string valid_package(PackageBuilder& b) {
  b.sign_with(key());
  return b.build();
}

TEST(Extract, WritesExactlyTheImages) {
  TempDir d;
  PackageBuilder b;
  b.sbom = "{}";
  VerifyReport report;
  Status s = extract_bytes(valid_package(b), d.path(), {}, &report);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_TRUE(report.ok());
  auto after = listing(d.path());
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after["kernel"], b.images[0]);
  EXPECT_EQ(after["rootfs"], b.images[1]);
}

TEST(Extract, FromAPipeBesideOtherFiles) {
  TempDir d;
  ASSERT_TRUE(write_file_atomic(d.path() + "/notes.txt", "keep me").ok());
  PackageBuilder b;
  b.use_version_2();
  test::PipeFeed feed(valid_package(b));
  Status s = extract_package(feed.fd(), trust_for({&key()}), {}, d.path(), nullptr);
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto after = listing(d.path());
  EXPECT_EQ(after.size(), 3u);
  EXPECT_EQ(after["notes.txt"], "keep me");
}

TEST(Extract, AVersion1PackageIsVerifiedBeforeAnythingIsWritten) {
  TempDir d;
  PackageBuilder b;  // version 1: signatures last
  const std::string pkg = valid_package(b);
  // From a file: read twice, verified first, then written.
  ASSERT_TRUE(extract_bytes(pkg, d.path()).ok());
  EXPECT_EQ(listing(d.path()).size(), 2u);
  // From a pipe it cannot be read twice: refused before a byte is written.
  TempDir e;
  test::PipeFeed feed(pkg);
  Status s = extract_package(feed.fd(), trust_for({&key()}), {}, e.path(), nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::usage);
  EXPECT_EQ(s.error().message, "a version-1 package (signatures last) is extracted from a file, not a pipe: it is "
                               "verified completely before anything is written");
  EXPECT_TRUE(listing(e.path()).empty());
}

TEST(Extract, TheDeclaredSizesMustFitBeforeAnythingIsWritten) {
  TempDir d;
  PackageBuilder b;
  b.use_version_2();
  b.sign_with(key());
  (void)b.manifest_bytes();  // sizes and digests filled in, then kept
  b.keep_digests = true;
  b.manifest.images[1].size = std::uint64_t{1} << 50;  // 1 PiB, signed
  std::string pkg = b.build();
  VerifyReport report;
  Status s = extract_bytes(pkg, d.path(), {}, &report);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::io) << s.error().message;
  EXPECT_NE(s.error().message.find(" bytes free, the images need "), std::string::npos) << s.error().message;
  EXPECT_TRUE(listing(d.path()).empty());
}

TEST(Extract, LeftoversOfKilledRunsAreRemovedLiveOnesKept) {
  TempDir d;
  const std::string dead = d.path() + "/.fwseal-extract-0000dead";
  const std::string live = d.path() + "/.fwseal-extract-0000beef";
  ASSERT_EQ(::mkdir(dead.c_str(), 0700), 0);
  ASSERT_TRUE(write_file_atomic(dead + "/rootfs", "half an image").ok());
  ASSERT_EQ(::mkdir(live.c_str(), 0700), 0);
  Fd held(::open(live.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(static_cast<bool>(held));
  ASSERT_EQ(::flock(held.get(), LOCK_EX | LOCK_NB), 0);  // as a running extract holds it
  PackageBuilder b;
  b.use_version_2();
  ASSERT_TRUE(extract_bytes(valid_package(b), d.path()).ok());
  auto after = listing(d.path());
  EXPECT_EQ(after.count(".fwseal-extract-0000dead"), 0u);
  EXPECT_EQ(after[".fwseal-extract-0000beef"], "<dir>");
  EXPECT_EQ(after.size(), 3u);  // kernel, rootfs, the live run's directory
}

struct FailureCase {
  const char* name;
  Code code;
  std::function<std::string()> package;
  VerifyOptions options;
};

class ExtractFailure : public ::testing::TestWithParam<FailureCase> {};

// The format version the failure cases build (both are run).
bool version_2 = false;
PackageBuilder make_builder() {
  PackageBuilder b;
  if (version_2) b.use_version_2();
  return b;
}

TEST_P(ExtractFailure, LeavesTheDirectoryAsItWas) {
  for (bool v2 : {false, true}) {
    version_2 = v2;
    SCOPED_TRACE(v2 ? "version 2" : "version 1");
    TempDir d;
    ASSERT_TRUE(write_file_atomic(d.path() + "/notes.txt", "keep me").ok());
    ASSERT_EQ(::mkdir((d.path() + "/sub").c_str(), 0755), 0);
    auto before = listing(d.path());
    VerifyReport report;
    Status s = extract_bytes(GetParam().package(), d.path(), GetParam().options, &report);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, GetParam().code) << s.error().message;
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(listing(d.path()), before);  // no image, no staging directory
  }
}

std::string signed_then(const std::function<void(std::string&, PackageBuilder&)>& change) {
  PackageBuilder b = make_builder();
  b.sign_with(key());
  std::string pkg = b.build();
  change(pkg, b);
  return pkg;
}

INSTANTIATE_TEST_SUITE_P(
    Codes, ExtractFailure,
    ::testing::Values(
        FailureCase{"truncated", Code::malformed,
                    [] { return signed_then([](std::string& p, PackageBuilder&) { p.resize(p.size() - 700); }); },
                    {}},
        FailureCase{"changed_image", Code::digest,
                    [] {
                      PackageBuilder b = make_builder();
                      b.sign_with(key());
                      std::vector<test::Region> regions;
                      std::string p = b.build(&regions);
                      for (const auto& r : regions)
                        if (r.what == "image/kernel data") p[r.offset + 5] ^= 1;
                      return p;
                    },
                    {}},
        FailureCase{"unsigned", Code::untrusted, [] { return make_builder().build(); }, {}},
        FailureCase{"bad_signature", Code::signature,
                    [] {
                      PackageBuilder b = make_builder();
                      const test::TestKey* k = &key();
                      b.add_entry([k](std::string_view) {
                        return test::SignatureEntry{signature_entry_name(to_hex(k->id)),
                                                    test::envelope_json(*k, "other")};
                      });
                      return b.build();
                    },
                    {}},
        FailureCase{"rollback", Code::rollback,
                    [] { return signed_then([](std::string&, PackageBuilder&) {}); },
                    VerifyOptions{{}, 4}},
        FailureCase{"hardware", Code::hardware,
                    [] { return signed_then([](std::string&, PackageBuilder&) {}); },
                    VerifyOptions{{"acme-cam-v9"}, {}}}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(Extract, ExistingTargetIsRefusedUpFront) {
  TempDir d;
  ASSERT_TRUE(write_file_atomic(d.path() + "/rootfs", "old rootfs").ok());
  auto before = listing(d.path());
  PackageBuilder b;
  Status s = extract_bytes(valid_package(b), d.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::io);
  EXPECT_NE(s.error().message.find(d.path() + "/rootfs already exists"), std::string::npos) << s.error().message;
  EXPECT_EQ(listing(d.path()), before);
}

TEST(Extract, ExistingSymlinkIsRefusedAndNotFollowed) {
  TempDir d;
  TempDir outside;
  ASSERT_EQ(::symlink((outside.path() + "/kernel").c_str(), (d.path() + "/kernel").c_str()), 0);
  auto before = listing(d.path());
  PackageBuilder b;
  Status s = extract_bytes(valid_package(b), d.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Code::io);
  EXPECT_EQ(listing(d.path()), before);
  EXPECT_TRUE(listing(outside.path()).empty());
}

TEST(Extract, DirectoryMustExist) {
  TempDir d;
  PackageBuilder b;
  std::string pkg = valid_package(b);
  Status missing = extract_bytes(pkg, d.path() + "/missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::io);
  ASSERT_TRUE(write_file_atomic(d.path() + "/file", "x").ok());
  Status file = extract_bytes(pkg, d.path() + "/file");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().code, Code::io);
  EXPECT_NE(file.error().message.find("not a directory"), std::string::npos) << file.error().message;
}

}  // namespace
}  // namespace fwseal::verifier
