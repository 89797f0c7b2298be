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

TEST(Package, BytesAreExactlyWhatFormatDefines) {
  TempDir dir;
  auto images = sample_images();
  write_bytes(dir / "sbom.cdx.json", kSbom);
  Spec spec = make_spec(dir, images, {{"created", 1700000000}, {"sbom", "sbom.cdx.json"}});
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string file = read_bytes(dir / "out.fwpkg");
  ASSERT_EQ(file.size(), r->total_size);

  // The manifest: canonical, the spec's values, the content's digests.
  auto parsed = parse_manifest(r->manifest_bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Manifest& m = parsed->content;
  EXPECT_EQ(m.product, "acme-gateway");
  EXPECT_EQ(m.version, "2.0.1");
  EXPECT_EQ(m.security_version, 3u);
  EXPECT_EQ(m.hardware, (std::vector<std::string>{"a-board", "z-board"}));
  EXPECT_EQ(m.created, 1700000000);
  ASSERT_EQ(m.images.size(), images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    EXPECT_EQ(m.images[i].name, images[i].name);
    EXPECT_EQ(m.images[i].type, images[i].type);
    EXPECT_EQ(m.images[i].size, images[i].bytes.size());
    EXPECT_EQ(m.images[i].sha256, sha256(images[i].bytes)) << images[i].name;
  }
  ASSERT_TRUE(m.sbom.has_value());
  EXPECT_EQ(m.sbom->size, kSbom.size());
  EXPECT_EQ(m.sbom->sha256, sha256(kSbom));
  EXPECT_EQ(r->manifest_digest, sha256(r->manifest_bytes));
  EXPECT_EQ(*serialize_manifest(r->manifest), r->manifest_bytes);

  // Every header, every data byte, every padding byte where compute_layout puts it.
  auto layout = compute_layout(m, r->manifest_bytes.size());
  ASSERT_TRUE(layout.ok());
  const std::string no_signatures = *serialize_signature_area({}, kDefaultSignatureSpace);
  EXPECT_EQ(no_signatures.substr(0, 51), "{\"format\":\"fwseal-signatures\",\"signatures\":[]}     ");
  std::vector<std::string> contents = {r->manifest_bytes, no_signatures, kSbom};
  for (const auto& img : images) contents.push_back(img.bytes);
  ASSERT_EQ(layout->size(), contents.size());
  EXPECT_EQ((*layout)[0].header_offset, 0u);
  for (std::size_t i = 0; i < layout->size(); ++i) {
    const EntryLayout& e = (*layout)[i];
    auto header = tar_header(e.name, e.data_size, m.created);
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(file.substr(e.header_offset, e.header_size), *header) << e.name;
    EXPECT_EQ(file.substr(e.data_offset, e.data_size), contents[i]) << e.name;
    const std::uint64_t pad = e.end_offset - e.data_offset - e.data_size;
    EXPECT_EQ(file.substr(e.data_offset + e.data_size, pad), std::string(pad, '\0')) << e.name;
    if (i + 1 < layout->size()) {
      EXPECT_EQ((*layout)[i + 1].header_offset, e.end_offset);
    }
  }
  // Exactly two zero blocks, then the end of the file.
  EXPECT_EQ(file.size(), layout->back().end_offset + 2 * kBlock);
  EXPECT_EQ(file.substr(layout->back().end_offset), end_of_archive());
  EXPECT_TRUE(temp_files(dir.path()).empty());
}

struct TarEntry {
  std::string name;
  std::int64_t size = 0;
  std::int64_t mtime = 0;
  unsigned perm = 0;
  std::int64_t uid = -1, gid = -1;
  bool has_uname = false;
  std::string data;
};

TEST(Package, LibarchiveReadsExactlyTheEntries) {
  TempDir dir;
  auto images = sample_images();
  Spec spec = make_spec(dir, images, {{"created", 1234567890}});
  PackageOptions options = to(dir / "out.fwpkg");
  options.sbom = kSbom;  // from the caller (sbom-gen), not the spec
  auto r = build_package(spec, options);
  ASSERT_TRUE(r.ok()) << r.error().message;

  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  ASSERT_EQ(archive_read_open_filename(a.get(), (dir / "out.fwpkg").c_str(), 10240), ARCHIVE_OK);
  std::vector<TarEntry> entries;
  archive_entry* e = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
    EXPECT_EQ(archive_format(a.get()), ARCHIVE_FORMAT_TAR_USTAR);
    EXPECT_EQ(archive_entry_filetype(e), static_cast<unsigned>(AE_IFREG));
    TarEntry t;
    t.name = archive_entry_pathname(e);
    t.size = archive_entry_size(e);
    t.mtime = archive_entry_mtime(e);
    t.perm = archive_entry_perm(e);
    t.uid = archive_entry_uid(e);
    t.gid = archive_entry_gid(e);
    const char* uname = archive_entry_uname(e);
    const char* gname = archive_entry_gname(e);
    t.has_uname = (uname && *uname) || (gname && *gname);
    char buf[65536];
    for (la_ssize_t n; (n = archive_read_data(a.get(), buf, sizeof buf)) > 0;) t.data.append(buf, static_cast<std::size_t>(n));
    entries.push_back(std::move(t));
  }
  EXPECT_EQ(rc, ARCHIVE_EOF) << archive_error_string(a.get());

  std::vector<std::pair<std::string, std::string>> expected = {
      {"manifest.json", r->manifest_bytes},
      {"signatures.json", *serialize_signature_area({}, kDefaultSignatureSpace)},
      {"sbom.cdx.json", kSbom}};
  for (const auto& img : images) expected.emplace_back("image/" + img.name, img.bytes);
  ASSERT_EQ(entries.size(), expected.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].name, expected[i].first);
    EXPECT_EQ(entries[i].size, static_cast<std::int64_t>(expected[i].second.size())) << entries[i].name;
    EXPECT_TRUE(entries[i].data == expected[i].second) << entries[i].name;
    EXPECT_EQ(entries[i].mtime, 1234567890) << entries[i].name;
    EXPECT_EQ(entries[i].perm, 0644u) << entries[i].name;
    EXPECT_EQ(entries[i].uid, 0);
    EXPECT_EQ(entries[i].gid, 0);
    EXPECT_FALSE(entries[i].has_uname);
  }
}

// Runs a shell command; returns its exit status and its stdout+stderr.
std::pair<int, std::string> run(const std::string& command) {
  std::string out;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(Package, GnuTarListsAndExtractsIt) {
  TempDir dir;
  auto images = sample_images();
  write_bytes(dir / "sbom.cdx.json", kSbom);
  Spec spec = make_spec(dir, images, {{"created", 1700000000}, {"sbom", "sbom.cdx.json"}});
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_TRUE(r.ok()) << r.error().message;

  auto [status, listing] = run("TZ=UTC tar --numeric-owner -tvf " + dir / "out.fwpkg");
  ASSERT_EQ(status, 0) << listing;
  std::vector<std::string> expected = {
      "-rw-r--r-- 0/0 " + std::to_string(r->manifest_bytes.size()) + " 2023-11-14 22:13 manifest.json",
      "-rw-r--r-- 0/0 16384 2023-11-14 22:13 signatures.json",
      "-rw-r--r-- 0/0 " + std::to_string(kSbom.size()) + " 2023-11-14 22:13 sbom.cdx.json"};
  for (const auto& img : images)
    expected.push_back("-rw-r--r-- 0/0 " + std::to_string(img.bytes.size()) + " 2023-11-14 22:13 image/" + img.name);
  // GNU tar pads the size column; squeeze runs of spaces before comparing.
  std::vector<std::string> lines;
  std::string line;
  for (char c : listing) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else if (!(c == ' ' && !line.empty() && line.back() == ' ')) {
      line.push_back(c);
    }
  }
  EXPECT_EQ(lines, expected) << listing;

  ASSERT_EQ(::mkdir((dir / "x").c_str(), 0755), 0);
  auto [xstatus, xout] = run("tar -xf " + dir / "out.fwpkg" + " -C " + dir / "x");
  ASSERT_EQ(xstatus, 0) << xout;
  EXPECT_EQ(xout, "");
  EXPECT_EQ(read_bytes(dir / "x/manifest.json"), r->manifest_bytes);
  EXPECT_EQ(read_bytes(dir / "x/sbom.cdx.json"), kSbom);
  for (const auto& img : images) EXPECT_TRUE(read_bytes(dir / ("x/image/" + img.name)) == img.bytes) << img.name;
}

TEST(Package, SameBytesOnAnotherFileSystem) {
  // Image data of large packages goes out with O_DIRECT (forced here for a
  // small one); tmpfs has no block device behind it and must end up with the
  // same bytes, and so must a package written through the page cache.
  struct stat st {};
  if (::stat("/dev/shm", &st) != 0 || !S_ISDIR(st.st_mode)) GTEST_SKIP() << "no /dev/shm";
  TempDir dir;
  Spec spec = make_spec(dir, sample_images(), {{"created", 99}});
  const std::string shm = "/dev/shm/fwseal-packager-test-" + std::to_string(::getpid()) + ".fwpkg";
  PackageOptions direct = to(dir / "out.fwpkg");
  direct.direct_io_minimum = 0;
  auto a = build_package(spec, direct);
  auto buffered = build_package(spec, to(dir / "buffered.fwpkg"));
  ASSERT_TRUE(buffered.ok()) << buffered.error().message;
  EXPECT_TRUE(read_bytes(dir / "buffered.fwpkg") == read_bytes(dir / "out.fwpkg"));
  PackageOptions on_shm = to(shm);
  on_shm.direct_io_minimum = 0;
  auto b = build_package(spec, on_shm);
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  const std::string bytes_a = read_bytes(dir / "out.fwpkg");
  const std::string bytes_b = read_bytes(shm);
  ::unlink(shm.c_str());
  EXPECT_EQ(bytes_a.size(), a->total_size);
  EXPECT_TRUE(bytes_a == bytes_b);
}

// The inputs of the reproducibility test, created in the given order.
void make_tree(const std::string& root, bool reversed) {
  std::vector<std::pair<std::string, std::string>> files = {
      {"fw/boot.bin", random_bytes(3000, 11)},
      {"fw/kernel.bin", random_bytes(5u << 20, 12)},
      {"fw/rootfs.bin", random_bytes(777, 13)},
      {"sbom.cdx.json", kSbom},
      {"spec.json", R"({
        // no "created": SOURCE_DATE_EPOCH decides
        "product": "acme-gateway", "version": "2.0.1", "security_version": 3,
        "hardware": ["rev-b", "rev-a"],
        "images": [{"name": "boot", "type": "bootloader", "path": "fw/boot.bin"},
                   {"name": "kernel", "type": "kernel", "path": "fw/kernel.bin"},
                   {"name": "rootfs", "type": "rootfs", "path": "fw/rootfs.bin"}],
        "sbom": "sbom.cdx.json"
      })"}};
  if (reversed) std::reverse(files.begin(), files.end());
  for (const auto& [name, bytes] : files) write_bytes(root + "/" + name, bytes);
}

// Saves and restores the process state the reproducibility test changes.
class ProcessState {
 public:
  ProcessState() : cwd_(std::filesystem::current_path()), mask_(::umask(022)) {
    ::umask(mask_);
    for (const char* name : {"TZ", "LC_ALL"})
      if (const char* v = std::getenv(name)) env_[name] = v;
  }
  ~ProcessState() {
    ::umask(mask_);
    for (const char* name : {"TZ", "LC_ALL"}) {
      if (env_.count(name)) ::setenv(name, env_[name].c_str(), 1);
      else ::unsetenv(name);
    }
    ::tzset();
    std::setlocale(LC_ALL, "C");
    std::filesystem::current_path(cwd_);
  }

 private:
  std::filesystem::path cwd_;
  mode_t mask_;
  std::map<std::string, std::string> env_;
};

TEST(Package, ReproducibleWhateverTheEnvironment) {
  TempDir a, b;
  ProcessState saved;
  make_tree(a.path(), false);
  make_tree(b.path(), true);  // other directory order
  for (const char* f : {"fw/boot.bin", "fw/kernel.bin", "fw/rootfs.bin", "sbom.cdx.json", "spec.json", "fw"}) {
    const timespec times[2] = {{1000000000, 123}, {1500000000, 456789}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (b / f).c_str(), times, 0), 0) << f;
    ASSERT_EQ(::chown((b / f).c_str(), 1234, 5678), 0) << f;
    ASSERT_EQ(::chmod((b / f).c_str(), 0600), 0) << f;
  }
  PackageOptions options = to(a / "out.fwpkg");
  options.source_date_epoch = 1600000000;

  ::umask(022);
  ::setenv("TZ", "UTC", 1);
  ::tzset();
  ::setenv("LC_ALL", "POSIX", 1);
  ASSERT_NE(std::setlocale(LC_ALL, ""), nullptr);
  ASSERT_EQ(::chdir("/"), 0);
  auto spec_a = load_spec(a / "spec.json");
  ASSERT_TRUE(spec_a.ok()) << spec_a.error().message;
  auto ra = build_package(*spec_a, options);
  ASSERT_TRUE(ra.ok()) << ra.error().message;

  ::umask(077);
  ::setenv("TZ", "XYZ-13:45", 1);
  ::tzset();
  ::setenv("LC_ALL", "C.UTF-8", 1);
  ASSERT_NE(std::setlocale(LC_ALL, ""), nullptr);
  ASSERT_EQ(::chdir(b.path().c_str()), 0);
  auto spec_b = load_spec("spec.json");  // relative to the new working directory
  ASSERT_TRUE(spec_b.ok()) << spec_b.error().message;
  options.output = "out.fwpkg";
  auto rb = build_package(*spec_b, options);
  ASSERT_TRUE(rb.ok()) << rb.error().message;

  const std::string bytes_a = read_bytes(a / "out.fwpkg");
  const std::string bytes_b = read_bytes(b / "out.fwpkg");
  EXPECT_EQ(bytes_a.size(), ra->total_size);
  EXPECT_TRUE(bytes_a == bytes_b) << "packages differ";
  EXPECT_EQ(ra->manifest_digest, rb->manifest_digest);
  EXPECT_EQ(ra->manifest_bytes, rb->manifest_bytes);
}

// The mtime of manifest.json's header and the manifest's `created`.
std::pair<std::int64_t, std::string> created_of(const PackageResult& r, const std::string& path) {
  auto header = tar_header("manifest.json", r.manifest_bytes.size(), r.manifest.created);
  std::string file = read_bytes(path);
  return {r.manifest.created, file.substr(0, header.ok() ? header->size() : 0) == *header ? "header ok" : "header differs"};
}

TEST(Package, CreatedComesFromTheSpecThenSourceDateEpochThenZero) {
  TempDir dir;
  std::vector<Image> images = {{"kernel", "kernel", random_bytes(2000, 5)}};
  Spec spec = make_spec(dir, images);
  ASSERT_FALSE(spec.created.has_value());

  PackageOptions o1 = to(dir / "one.fwpkg");
  o1.source_date_epoch = 1000;
  PackageOptions o2 = to(dir / "two.fwpkg");
  o2.source_date_epoch = 2000;
  auto r1 = build_package(spec, o1);
  auto r2 = build_package(spec, o2);
  auto r0 = build_package(spec, to(dir / "zero.fwpkg"));
  ASSERT_TRUE(r1.ok() && r2.ok() && r0.ok());
  EXPECT_EQ(created_of(*r1, o1.output), std::make_pair(std::int64_t{1000}, std::string("header ok")));
  EXPECT_EQ(created_of(*r2, o2.output), std::make_pair(std::int64_t{2000}, std::string("header ok")));
  EXPECT_EQ(created_of(*r0, dir / "zero.fwpkg"), std::make_pair(std::int64_t{0}, std::string("header ok")));
  EXPECT_NE(read_bytes(o1.output), read_bytes(o2.output));
  EXPECT_NE(r1->manifest_digest, r2->manifest_digest);

  // The spec's `created` wins over SOURCE_DATE_EPOCH.
  Spec with_created = spec;
  with_created.created = 5;
  o2.replace_existing = true;  // two.fwpkg again
  auto r5 = build_package(with_created, o2);
  ASSERT_TRUE(r5.ok()) << r5.error().message;
  EXPECT_EQ(created_of(*r5, o2.output), std::make_pair(std::int64_t{5}, std::string("header ok")));
  auto r5b = build_package(with_created, to(dir / "five.fwpkg"));
  ASSERT_TRUE(r5b.ok());
  EXPECT_EQ(read_bytes(o2.output), read_bytes(dir / "five.fwpkg"));

  PackageOptions bad = to(dir / "bad.fwpkg");
  bad.source_date_epoch = -1;
  auto rb = build_package(spec, bad);
  ASSERT_FALSE(rb.ok());
  EXPECT_EQ(rb.error().code, Code::usage);
  EXPECT_EQ(rb.error().message, "R11: SOURCE_DATE_EPOCH: -1 is outside 0 to 2147483646 (1970-01-01 to 2038-01-19)");
}

TEST(Package, SecurityVersionAbove2To53RoundTrips) {
  TempDir dir;
  Spec spec = make_spec(dir, {{"kernel", "kernel", "k"}}, {{"security_version", "18446744073709551615"}});
  auto r = build_package(spec, to(dir / "out.fwpkg"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string file = read_bytes(dir / "out.fwpkg");
  auto header = parse_tar_header(file.substr(0, kBlock), "offset 0");
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->name, "manifest.json");
  const std::string stored = file.substr(kBlock, header->size);
  EXPECT_NE(stored.find(R"("security_version":"18446744073709551615")"), std::string::npos) << stored;
  auto parsed = parse_manifest(stored);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->content.security_version, 18446744073709551615ull);
}

// SHA-256 of `size` zero bytes with `marks` written over them.
Sha256 sparse_sha256(std::uint64_t size, const std::map<std::uint64_t, std::string>& marks) {
  Hasher h = Hasher::sha256();
  const std::size_t chunk = 1u << 20;
  const std::string zeros(chunk, '\0');
  for (std::uint64_t at = 0; at < size; at += chunk) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunk, size - at));
    std::string_view piece(zeros.data(), n);
    std::string marked;
    for (const auto& [off, text] : marks) {
      for (std::size_t k = 0; k < text.size(); ++k) {
        if (off + k >= at && off + k < at + n) {
          if (marked.empty()) marked = std::string(piece);
          marked[off + k - at] = text[k];
        }
      }
    }
    h.update(marked.empty() ? piece : std::string_view(marked));
  }
  std::string raw = h.finish();
  Sha256 out{};
  std::copy(raw.begin(), raw.end(), out.begin());
  return out;
}

std::string pread_string(int fd, std::size_t n, std::uint64_t offset) {
  std::string out(n, '\0');
  ssize_t got = ::pread(fd, out.data(), n, static_cast<off_t>(offset));
  out.resize(got < 0 ? 0 : static_cast<std::size_t>(got));
  return out;
}

TEST(Package, SparseImageAbove8GiB) {
  TempDir dir;
  const std::uint64_t size = 9ull << 30;
  const std::map<std::uint64_t, std::string> marks = {
      {0, "START"}, {size / 2 + 7, "MIDDLE"}, {size - 4, "END!"}};
  const std::string path = dir / "fw/rootfs.bin";
  write_bytes(path, "");
  {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_TRUE(fd);
    ASSERT_EQ(::ftruncate(fd.get(), static_cast<off_t>(size)), 0);
    for (const auto& [off, text] : marks)
      ASSERT_EQ(::pwrite(fd.get(), text.data(), text.size(), static_cast<off_t>(off)), static_cast<ssize_t>(text.size()));
  }
  struct stat in_st {};
  ASSERT_EQ(::stat(path.c_str(), &in_st), 0);
  if (in_st.st_blocks * 512 > (1 << 20)) GTEST_SKIP() << "the file system does not keep holes";
  write_bytes(dir / "spec.json", R"({"product":"p","version":"1","security_version":1,"hardware":["h"],"created":7,
      "images":[{"name":"rootfs","type":"rootfs","path":"fw/rootfs.bin"}]})");
  auto spec = load_spec(dir / "spec.json");
  ASSERT_TRUE(spec.ok()) << spec.error().message;

  // The reference digest on another core while the packager hashes: each
  // pass hashes 9 GiB.
  auto expected_digest = std::async(std::launch::async, [&] { return sparse_sha256(size, marks); });
  auto r = build_package(*spec, to(dir / "out.fwpkg"));
  const Sha256 expected = expected_digest.get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->manifest.images[0].size, size);
  EXPECT_NE(r->manifest_bytes.find("\"size\":9663676416"), std::string::npos);

  Fd out(::open((dir / "out.fwpkg").c_str(), O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(out);
  struct stat st {};
  ASSERT_EQ(::fstat(out.get(), &st), 0);
  EXPECT_EQ(static_cast<std::uint64_t>(st.st_size), r->total_size);
  EXPECT_LT(st.st_blocks * 512, 1 << 20) << "the package is not sparse";

  auto layout = compute_layout(r->manifest, r->manifest_bytes.size());
  ASSERT_TRUE(layout.ok());
  const EntryLayout& e = (*layout)[2];  // after manifest.json and signatures.json
  ASSERT_EQ(e.name, "image/rootfs");
  auto header = tar_header("image/rootfs", size, 7);
  ASSERT_TRUE(header.ok());
  ASSERT_EQ(header->size(), 3 * kBlock);  // pax extended header + ustar block
  EXPECT_NE(header->find("size=9663676416\n"), std::string::npos);
  EXPECT_EQ(pread_string(out.get(), e.header_size, e.header_offset), *header);
  EXPECT_EQ(pread_string(out.get(), (*layout)[0].data_size, (*layout)[0].data_offset), r->manifest_bytes);
  for (const auto& [off, text] : marks)
    EXPECT_EQ(pread_string(out.get(), text.size(), e.data_offset + off), text) << off;
  EXPECT_EQ(pread_string(out.get(), 64, e.data_offset + 4096), std::string(64, '\0'));
  EXPECT_EQ(r->total_size, e.end_offset + 2 * kBlock);
  EXPECT_EQ(pread_string(out.get(), 2 * kBlock, e.end_offset), end_of_archive());
  EXPECT_EQ(r->manifest.images[0].sha256, expected);
}

}  // namespace
}  // namespace fwseal::packager
