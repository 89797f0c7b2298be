#include "fwseal/base/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fwseal {
namespace {

TEST(ParallelFor, RunsEveryJobExactlyOnce) {
  std::vector<std::atomic<int>> calls(100);
  parallel_for(calls.size(), [&](std::size_t i) { ++calls[i]; });
  for (std::size_t i = 0; i < calls.size(); ++i) EXPECT_EQ(calls[i].load(), 1) << "job " << i;
}

TEST(ParallelFor, UsesSeveralThreadsWhenThereAreSeveralCpus) {
  if (worker_count(8) < 2) GTEST_SKIP() << "one CPU online";
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::atomic<int> waiting{0};
  parallel_for(2, [&](std::size_t) {
    {
      std::lock_guard lock(mu);
      ids.insert(std::this_thread::get_id());
    }
    // Both jobs must be running at once for either to finish.
    ++waiting;
    while (waiting.load() < 2) std::this_thread::yield();
  });
  EXPECT_EQ(ids.size(), 2u);
}

TEST(ParallelFor, NoJobsIsNothing) {
  bool called = false;
  parallel_for(0, [&](std::size_t) { called = true; });
  EXPECT_FALSE(called);
}

TEST(ParallelFor, RethrowsTheFirstFailureByIndex) {
  try {
    parallel_for(6, [](std::size_t i) {
      if (i == 2 || i == 4) throw std::runtime_error("job " + std::to_string(i));
    }, 1);
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "job 2");
  }
}

TEST(WorkerCount, IsBoundedByJobsAndCap) {
  EXPECT_EQ(worker_count(0), 1u);
  EXPECT_EQ(worker_count(1), 1u);
  EXPECT_LE(worker_count(100, 3), 3u);
  EXPECT_GE(worker_count(100, 3), 1u);
}

}  // namespace
}  // namespace fwseal
