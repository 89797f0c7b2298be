#include "copier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "fwseal/base/file.h"
#include "fwseal/format/layout.h"
#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal::packager {
namespace {

using fwseal::test::random_bytes;
using fwseal::test::read_bytes;
using fwseal::test::TempDir;
using fwseal::test::write_bytes;

struct CopyCase {
  const char* name;
  bool direct;
  std::uint64_t out_offset;
};

class CopierTest : public ::testing::TestWithParam<CopyCase> {};

// An input with data, a 16 MiB hole, more data across chunk boundaries, and a
// tail that is neither block- nor chunk-aligned.
std::string make_input(const std::string& path) {
  std::string expected = random_bytes(5000, 21);
  expected.append(16u << 20, '\0');
  expected += random_bytes((9u << 20) + 77, 22);
  write_bytes(path, "");
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  EXPECT_TRUE(fd);
  EXPECT_EQ(::ftruncate(fd.get(), static_cast<off_t>(expected.size())), 0);
  const std::size_t second = 5000 + (16u << 20);
  EXPECT_EQ(::pwrite(fd.get(), expected.data(), 5000, 0), 5000);
  EXPECT_EQ(::pwrite(fd.get(), expected.data() + second, expected.size() - second, static_cast<off_t>(second)),
            static_cast<ssize_t>(expected.size() - second));
  return expected;
}

TEST_P(CopierTest, CopiesHashesAndKeepsHoles) {
  const CopyCase& c = GetParam();
  TempDir dir;
  const std::string expected = make_input(dir / "in.bin");
  Fd in(::open((dir / "in.bin").c_str(), O_RDONLY | O_CLOEXEC));
  Fd out(::open((dir / "out.bin").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  ASSERT_TRUE(in && out);

  Copier copier;
  copier.set_direct_io(c.direct);
  auto digest = copier.copy(in.get(), expected.size(), "in.bin", out.get(), c.out_offset, "out.bin");
  ASSERT_TRUE(digest.ok()) << digest.error().message;
  EXPECT_EQ(*digest, sha256(expected));
  // Buffered writes work on the descriptor afterwards (O_DIRECT is off again).
  ASSERT_EQ(::pwrite(out.get(), "x", 1, 0), 1);

  const std::string got = read_bytes(dir / "out.bin");
  ASSERT_GE(got.size(), c.out_offset + expected.size());
  EXPECT_TRUE(got.substr(static_cast<std::size_t>(c.out_offset), expected.size()) == expected);
  // Only zero padding to the next 512-byte block may follow the data.
  EXPECT_LE(got.size(), padded_size(c.out_offset + expected.size()));
  EXPECT_EQ(got.find_first_not_of('\0', static_cast<std::size_t>(c.out_offset + expected.size())), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::fstat(out.get(), &st), 0);
  EXPECT_LT(static_cast<std::uint64_t>(st.st_blocks) * 512, 12u << 20) << "the hole was written";

  // The same Copier hashes the next file from a clean state.
  auto again = copier.copy(in.get(), expected.size(), "in.bin", out.get(), c.out_offset, "out.bin");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, sha256(expected));
}

INSTANTIATE_TEST_SUITE_P(Copier, CopierTest,
                         ::testing::Values(CopyCase{"Direct", true, 1536}, CopyCase{"Buffered", false, 1536},
                                           // Not a multiple of 512: the whole pages still go direct.
                                           CopyCase{"UnalignedOffset", true, 100}),
                         [](const ::testing::TestParamInfo<CopyCase>& p) { return std::string(p.param.name); });

// Neighbouring entries of one file filled at once, as the packager does with
// several images: their data shares pages at every boundary, and neither copy
// may lose the other's bytes there.
TEST(Copier, NeighboursCopiedAtOnceShareTheirBoundaryPages) {
  TempDir dir;
  const std::vector<std::size_t> sizes = {(5u << 20) + 1000, 700, (3u << 20) + 4095, 9000};
  std::vector<std::string> data;
  std::vector<std::uint64_t> offsets;
  std::uint64_t at = 512;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    data.push_back(random_bytes(sizes[i], static_cast<unsigned>(40 + i)));
    write_bytes(dir / ("in" + std::to_string(i)), data.back());
    offsets.push_back(at);
    at = padded_size(at + sizes[i]) + 512;  // the next header's block between them
  }
  Fd out(::open((dir / "out.bin").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  ASSERT_TRUE(out);
  std::vector<Result<Sha256>> digests(sizes.size(), make_error(Code::internal, "not run"));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sizes.size(); ++i)
    threads.emplace_back([&, i] {
      Fd in(::open((dir / ("in" + std::to_string(i))).c_str(), O_RDONLY | O_CLOEXEC));
      Copier copier;
      digests[i] = copier.copy(in.get(), sizes[i], "in", out.get(), offsets[i], "out.bin");
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(::fsync(out.get()), 0);
  const std::string got = read_bytes(dir / "out.bin");
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    ASSERT_TRUE(digests[i].ok()) << digests[i].error().message;
    EXPECT_EQ(*digests[i], sha256(data[i]));
    ASSERT_GE(got.size(), offsets[i] + sizes[i]);
    EXPECT_TRUE(got.compare(offsets[i], sizes[i], data[i]) == 0) << "entry " << i;
  }
}

TEST(Copier, WrongSizeIsAnIoError) {
  TempDir dir;
  write_bytes(dir / "in.bin", random_bytes(10000, 5));
  Fd in(::open((dir / "in.bin").c_str(), O_RDONLY | O_CLOEXEC));
  Fd out(::open((dir / "out.bin").c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  for (std::uint64_t size : {9999ull, 10001ull, 20000000ull}) {
    Copier copier;
    auto r = copier.copy(in.get(), size, "in.bin", out.get(), 0, "out.bin");
    ASSERT_FALSE(r.ok()) << size;
    EXPECT_EQ(r.error().code, Code::io);
    EXPECT_EQ(r.error().message, "in.bin: changed size while being read (it was " + std::to_string(size) +
                                     " bytes); make sure nothing writes the image during packaging");
  }
}

}  // namespace
}  // namespace fwseal::packager
