#include "read_ahead.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "test_package.h"

namespace fwseal::verifier {
namespace {

struct Pipe {
  Pipe() {
    int p[2];
    EXPECT_EQ(::pipe2(p, O_CLOEXEC), 0);
    in = Fd(p[0]);
    out = Fd(p[1]);
  }
  Fd in, out;
};

// Reads everything with chunks of varying size.
Result<std::string> drain(ReadAhead& r) {
  std::string got;
  for (std::size_t max = 1;; max = max * 7 % 1000003 + 1) {
    FWSEAL_ASSIGN(std::string_view v, r.next(max, "input"));
    if (v.empty()) return got;
    EXPECT_LE(v.size(), max);
    got.append(v);
  }
}

TEST(ReadAhead, DeliversEveryByteInOrderFromAPipe) {
  const std::string data = test::pattern(ReadAhead::kBlockSize * ReadAhead::kBlocks * 2 + 12345, 3);
  Pipe p;
  // A slow writer: small writes with pauses, so that blocks fill piecemeal.
  std::thread writer([&, fd = p.out.release()] {
    std::size_t at = 0;
    for (std::size_t step = 1000; at < data.size(); step = step * 3 % 200000 + 1) {
      std::size_t n = std::min(step, data.size() - at);
      ASSERT_EQ(::write(fd, data.data() + at, n), static_cast<ssize_t>(n));
      at += n;
      if (step % 5 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    ::close(fd);
  });
  ReadAhead r(p.in.get());
  auto got = drain(r);
  writer.join();
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(*got == data);
  // After the end, the end again.
  auto again = r.next(10, "input");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST(ReadAhead, EmptyInputIsTheEnd) {
  Pipe p;
  p.out = Fd();
  ReadAhead r(p.in.get());
  auto v = r.next(100, "input");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->empty());
}

TEST(ReadAhead, AReadErrorComesAfterTheBytesBeforeIt) {
  // A directory cannot be read: EISDIR on the first read.
  Fd dir(::open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ReadAhead r(dir.get());
  auto v = r.next(100, "package");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Code::io);
  EXPECT_EQ(v.error().message, "package: read failed: Is a directory");
}

TEST(ReadAhead, StopsAtOnceWhileThePipeGivesNothing) {
  Pipe p;  // the write end stays open and silent
  ASSERT_EQ(::write(p.out.get(), "abc", 3), 3);
  auto start = std::chrono::steady_clock::now();
  {
    ReadAhead r(p.in.get());
    auto v = r.next(2, "input");
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(*v, "ab");
    // The reader waits for the rest of its block; leaving must not wait with it.
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ReadAhead, StartsAtTheDescriptorsPosition) {
  char name[] = "/tmp/fwseal-readahead-XXXXXX";
  Fd fd(::mkstemp(name));
  ASSERT_TRUE(fd);
  ::unlink(name);
  const std::string data = test::pattern(3 * ReadAhead::kBlockSize + 5, 8);
  ASSERT_EQ(::write(fd.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::lseek(fd.get(), 7, SEEK_SET), 7);
  ReadAhead r(fd.get());
  auto got = drain(r);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(*got == data.substr(7));
}

// A file as fwseal package leaves it (written, on disk, not in the page
// cache) is read with O_DIRECT from any page-aligned position; the bytes are
// the same whichever way they are read.
TEST(ReadAhead, ReadsAFileNotInThePageCacheDirectly) {
  const char* tmp = std::getenv("TMPDIR");
  std::string name = std::string(tmp && *tmp ? tmp : "/tmp") + "/fwseal-readahead-XXXXXX";
  Fd fd(::mkstemp(name.data()));
  ASSERT_TRUE(fd);
  ::unlink(name.c_str());
  // Not a multiple of the page size: the last direct read is short.
  const std::string data = test::pattern(ReadAhead::kDirectMinimum + 3 * ReadAhead::kBlockSize + 12345, 9);
  ASSERT_EQ(::write(fd.get(), data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::fsync(fd.get()), 0);
  auto evict = [&] { ASSERT_EQ(::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED), 0); };

  struct Case {
    off_t start;
    bool evicted;
    bool direct;  // on a file system that does O_DIRECT
  };
  bool file_system_does_direct = false;
  for (const Case& c : {Case{0, true, true}, Case{3 * 4096, true, true}, Case{100, true, false}, Case{0, false, false}}) {
    if (c.evicted) evict();
    if (!c.evicted) {
      std::string all(data.size(), '\0');
      ASSERT_EQ(::pread(fd.get(), all.data(), all.size(), 0), static_cast<ssize_t>(all.size()));  // now cached
    }
    ASSERT_EQ(::lseek(fd.get(), c.start, SEEK_SET), c.start);
    ReadAhead r(fd.get());
    if (c.start == 0 && c.evicted) file_system_does_direct = r.started_direct();
    EXPECT_EQ(r.started_direct(), c.direct && file_system_does_direct) << "from " << c.start;
    auto got = drain(r);
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_TRUE(*got == data.substr(static_cast<std::size_t>(c.start))) << "from " << c.start;
  }
  // Asked not to, it never does.
  evict();
  ASSERT_EQ(::lseek(fd.get(), 0, SEEK_SET), 0);
  ReadAhead buffered(fd.get(), false);
  EXPECT_FALSE(buffered.started_direct());
  auto got = drain(buffered);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(*got == data);
  if (!file_system_does_direct) GTEST_SKIP() << "the file system of " << name << " does not do O_DIRECT";
}

}  // namespace
}  // namespace fwseal::verifier
