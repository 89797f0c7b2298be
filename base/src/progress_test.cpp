#include "fwseal/base/progress.h"

#include <gtest/gtest.h>

namespace fwseal {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

TEST(ProgressLine, ShowsStepBytesRateAndTimeLeft) {
  EXPECT_EQ(progress_line("hashing images", 100 * kMiB, 300 * kMiB, 2000, 120),
            "hashing images  100.0 MiB / 300.0 MiB  33%  50.0 MiB/s  ETA 0:04");
}

TEST(ProgressLine, NeverReachesTheLastColumn) {
  for (unsigned width : {200u, 80u, 60u, 40u, 30u, 20u, 10u, 2u, 1u, 0u}) {
    const std::string line =
        progress_line("sign a-variant-with-a-very-long-name-indeed x100", 123456789, 987654321, 12345, width);
    EXPECT_LT(line.size(), std::max(width, 1u)) << width << ": " << line;
  }
}

TEST(ProgressLine, GivesUpTheTimeLeftBeforeTheStepName) {
  const std::string line = progress_line("verifying", 100 * kMiB, 300 * kMiB, 2000, 40);
  EXPECT_EQ(line, "verifying  100.0 MiB / 300.0 MiB  33%");
}

TEST(ProgressLine, KeepsSomeOfTheStepNameAfterThePipelinesCount) {
  // The percentage goes before the name shrinks to the count alone.
  EXPECT_EQ(progress_line("[0/4 done] package p-1: packaging: reading and hashing images", 4 * kMiB, 384 * kMiB, 100, 40),
            "[0/4 done] pack...  4.0 MiB / 384.0 MiB");
  EXPECT_EQ(progress_line("[0/4 done] package p-1: packaging", 0, 384 * kMiB, 100, 40),
            "[0/4 done] pack...  0 B / 384.0 MiB  0%");
}

TEST(ProgressLine, AStepWithoutBytesShowsItsClock) {
  EXPECT_EQ(progress_line("sign x100", 0, 0, 65000, 80), "sign x100  1:05");
}

TEST(ProgressLine, ControlCharactersInTheStepNameAreNotSent) {
  EXPECT_EQ(progress_line("a\033[2Jb", 0, 0, 0, 80), "a?[2Jb  0:00");
}

TEST(ProgressEvents, ParsesTheChannelLines) {
  ProgressEvent e;
  ASSERT_TRUE(parse_progress_event("step hashing images 1048576", e));
  EXPECT_EQ(e.kind, ProgressEvent::step);
  EXPECT_EQ(e.name, "hashing images");
  EXPECT_EQ(e.value, 1048576u);
  ASSERT_TRUE(parse_progress_event("bytes 42", e));
  EXPECT_EQ(e.kind, ProgressEvent::bytes);
  EXPECT_EQ(e.value, 42u);
  EXPECT_FALSE(parse_progress_event("bytes x", e));
  EXPECT_FALSE(parse_progress_event("step 12", e));
  EXPECT_FALSE(parse_progress_event("[1/4] package", e));
}

}  // namespace
}  // namespace fwseal
