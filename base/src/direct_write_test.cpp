#include "fwseal/base/direct_write.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "fwseal/base/worker.h"
#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal {
namespace {

using test::IsError;
using test::IsOk;
using ::testing::HasSubstr;

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// How many of the file's pages in [from, to) are in the page cache.
std::size_t cached_pages(int fd, std::uint64_t from, std::uint64_t to) {
  void* map = ::mmap(nullptr, to, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return ~std::size_t{0};
  std::vector<unsigned char> resident((to + kDirectAlign - 1) / kDirectAlign);
  const bool ok = ::mincore(map, to, resident.data()) == 0;
  ::munmap(map, to);
  if (!ok) return ~std::size_t{0};
  std::size_t n = 0;
  for (std::size_t i = from / kDirectAlign; i < resident.size(); ++i) n += resident[i] & 1u;
  return n;
}

class DirectWrite : public ::testing::Test {
 protected:
  Fd create(const std::string& name) {
    return Fd(::open((dir_ / name).c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  }
  test::TempDir dir_;
};

TEST_F(DirectWrite, AppendWriterGivesTheBytesInAnySplitAndOffset) {
  const std::string data = test::random_bytes(3 * 1024 * 1024 + 777, 7);
  for (bool direct : {true, false}) {
    for (std::uint64_t start : {0ull, 512ull, 4095ull, 8192ull + 100}) {
      const std::string name = "f" + std::to_string(direct) + "-" + std::to_string(start);
      Fd fd = create(name);
      ASSERT_TRUE(fd);
      // Bytes before the range are the caller's and stay as they are.
      ASSERT_THAT(pwrite_all(fd.get(), std::string(start, 'x'), 0, name), IsOk());
      AppendWriter w(fd.get(), start, name, direct, 64 * 1024 + 1);  // rounded up to whole pages
      std::size_t at = 0;
      for (std::size_t piece : {1ul, 4095ul, 4096ul, 70000ul, 1ul << 20, 3ul}) {
        ASSERT_THAT(w.write(bytes_of(data).subspan(at, piece)), IsOk());
        at += piece;
      }
      ASSERT_THAT(w.write(bytes_of(data).subspan(at)), IsOk());
      ASSERT_THAT(w.flush(), IsOk());
      ASSERT_THAT(w.flush(), IsOk());  // nothing left: writes nothing
      EXPECT_EQ(test::read_bytes(dir_ / name), std::string(start, 'x') + data) << name;
    }
  }
}

TEST_F(DirectWrite, WholePagesBypassThePageCache) {
  Fd probe = create("probe");
  ASSERT_TRUE(probe);
  if (!open_direct(probe.get())) GTEST_SKIP() << "this file system refuses O_DIRECT";
  const std::string data = test::random_bytes(4 << 20, 3);
  for (bool direct : {true, false}) {
    const std::string name = direct ? "direct" : "cached";
    Fd fd = create(name);
    AppendWriter w(fd.get(), 100, name, direct);
    ASSERT_THAT(w.write(bytes_of(data)), IsOk());
    ASSERT_THAT(w.flush(), IsOk());
    const std::uint64_t end = 100 + data.size();
    // Direct: only the partial first and last pages went through the cache.
    const std::size_t pages = (end + kDirectAlign - 1) / kDirectAlign;
    if (direct)
      EXPECT_LE(cached_pages(fd.get(), 0, end), 2u);
    else
      EXPECT_EQ(cached_pages(fd.get(), 0, end), pages);
    EXPECT_EQ(test::read_bytes(dir_ / name), std::string(100, '\0') + data);
  }
}

TEST_F(DirectWrite, PageWriterTakesMisalignedMemoryThroughTheCache) {
  Fd fd = create("f");
  const std::string data = test::random_bytes(64 * 1024, 5);
  PageWriter w(fd.get(), true);
  // std::string's bytes and offset 1 are not equal modulo a page: all buffered, still right.
  ASSERT_THAT(w.write(bytes_of(data), 1, "f"), IsOk());
  EXPECT_EQ(test::read_bytes(dir_ / "f"), std::string(1, '\0') + data);
}

TEST_F(DirectWrite, AWriteErrorNamesTheFile) {
  Fd fd(::open((dir_ / "ro").c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0600));
  AppendWriter w(fd.get(), 0, "out.fwpkg", true, 8192);
  EXPECT_THAT(w.write(bytes_of(std::string(100, 'a'))), IsOk());  // gathered, not written yet
  EXPECT_THAT(w.flush(), IsError(Code::io, HasSubstr("out.fwpkg: write failed")));
  // Written behind the caller: a failure comes back from a later write, at
  // the latest when the third buffer is handed over.
  AppendWriter behind(fd.get(), 0, "out.fwpkg", false, 8192);
  Status failed = ok_status();
  for (int i = 0; i < 3 && failed.ok(); ++i) failed = behind.write(bytes_of(std::string(8192, 'b')));
  EXPECT_THAT(failed, IsError(Code::io, HasSubstr("out.fwpkg: write failed")));
}

TEST(Worker, RunsJobsInOrderAndHandsBuffersBack) {
  std::vector<int> seen;
  Worker<std::vector<int>> w([&](std::vector<int>& job) -> Status {
    seen.insert(seen.end(), job.begin(), job.end());
    job.clear();
    return ok_status();
  });
  std::vector<int> job;
  for (int i = 0; i < 100; ++i) {
    job.push_back(i);
    auto next = w.push(std::move(job));
    ASSERT_THAT(next, IsOk());
    job = std::move(next).value();
    EXPECT_TRUE(job.empty());  // a finished job comes back cleared, or a new one
  }
  ASSERT_THAT(w.finish(), IsOk());
  std::vector<int> want;
  for (int i = 0; i < 100; ++i) want.push_back(i);
  EXPECT_EQ(seen, want);
}

TEST(Worker, WithNoneInFlightPushWaitsUntilTheWorkerIsIdle) {
  std::atomic<int> done{0};
  Worker<int> w([&](int&) -> Status {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ++done;
    return ok_status();
  }, 0);
  for (int k = 0; k < 20; ++k) {
    ASSERT_THAT(w.push(k), IsOk());
    // Every job before k is finished; k itself may be too.
    EXPECT_GE(done.load(), k);
    EXPECT_LE(done.load(), k + 1);
  }
  ASSERT_THAT(w.finish(), IsOk());
  EXPECT_EQ(done.load(), 20);
}

TEST(Worker, TheFirstFailureStopsItAndIsReturned) {
  std::atomic<int> ran{0};
  Worker<int> w([&](int& job) -> Status {
    ++ran;
    if (job == 3) return make_error(Code::io, "job 3 failed");
    if (job == 4) return make_error(Code::io, "job 4 failed");
    return ok_status();
  });
  Status failed = ok_status();
  for (int i = 0; i < 50 && failed.ok(); ++i) {
    auto r = w.push(i);
    if (!r.ok()) failed = std::move(r).error();
  }
  EXPECT_THAT(failed, IsError(Code::io, "job 3 failed"));
  EXPECT_THAT(w.finish(), IsError(Code::io, "job 3 failed"));
  EXPECT_EQ(ran.load(), 4);  // jobs 0-3; nothing after the failure
  EXPECT_THAT(w.push(9), IsError(Code::io, "job 3 failed"));
}

}  // namespace
}  // namespace fwseal
