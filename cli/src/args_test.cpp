#include "args.h"

#include <gtest/gtest.h>

namespace fwseal::cli {
namespace {

const OptionSpec kSpec{{"--key", "--hw"}, {"--hw"}, {"--json"}};

TEST(Args, ParsesValuesFlagsAndPositionals) {
  auto a = Args::parse({"pkg", "--key", "k", "--hw=a", "--hw", "b", "--json", "-"}, kSpec);
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_EQ(a->positionals(), (std::vector<std::string>{"pkg", "-"}));
  EXPECT_EQ(*a->value("--key"), "k");
  EXPECT_EQ(a->values("--hw"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(a->flag("--json"));
}

TEST(Args, RefusesWhatItDoesNotKnow) {
  EXPECT_EQ(Args::parse({"--nope"}, kSpec).error().message, "unknown option --nope");
  EXPECT_EQ(Args::parse({"--key"}, kSpec).error().message, "--key needs a value");
  EXPECT_EQ(Args::parse({"--key", "a", "--key", "b"}, kSpec).error().message, "--key given more than once");
  EXPECT_EQ(Args::parse({"--json=1"}, kSpec).error().message, "--json takes no value");
}

TEST(Args, NeverTakesAPin) {
  auto r = Args::parse({"--pin", "1234"}, kSpec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::usage);
  EXPECT_EQ(r.error().message.find("1234"), std::string::npos);
  EXPECT_FALSE(Args::parse({"--so-pin=1"}, kSpec).ok());
}

}  // namespace
}  // namespace fwseal::cli
