#include "fwseal/inventory/version.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fwseal::inventory {
namespace {

struct Case {
  Scheme scheme;
  const char* a;
  const char* b;
  int expected;  // sign of compare(a, b)
};

int sign(int v) { return (v > 0) - (v < 0); }

class OrderTest : public ::testing::TestWithParam<Case> {};

TEST_P(OrderTest, OrdersBothWays) {
  const Case& c = GetParam();
  EXPECT_EQ(sign(compare_versions(c.scheme, c.a, c.b)), c.expected) << c.a << " vs " << c.b;
  EXPECT_EQ(sign(compare_versions(c.scheme, c.b, c.a)), -c.expected) << c.b << " vs " << c.a;
}

INSTANTIATE_TEST_SUITE_P(
    Deb, OrderTest,
    ::testing::Values(Case{Scheme::deb, "1:1.0", "2.0", 1}, Case{Scheme::deb, "1.0~rc1", "1.0", -1},
                      Case{Scheme::deb, "1.0", "1.0-0", 0}, Case{Scheme::deb, "0:1.0", "1.0", 0},
                      Case{Scheme::deb, "3.0.13-1~deb12u1", "3.0.13-1", -1},
                      Case{Scheme::deb, "3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1},
                      Case{Scheme::deb, "1.0a", "1.0+", -1}, Case{Scheme::deb, "1.0~~", "1.0~", -1},
                      Case{Scheme::deb, "1.36.1-r18", "1.36.1-r2", 1}, Case{Scheme::deb, "1.001", "1.1", 0},
                      Case{Scheme::deb, "10:1", "9:99", 1}, Case{Scheme::opkg, "1.36.1-r18", "1.36.1-r2", 1}));

INSTANTIATE_TEST_SUITE_P(
    Semver, OrderTest,
    ::testing::Values(Case{Scheme::semver, "1.0.0-alpha", "1.0.0-alpha.1", -1},
                      Case{Scheme::semver, "1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
                      Case{Scheme::semver, "1.0.0-alpha.beta", "1.0.0-beta", -1},
                      Case{Scheme::semver, "1.0.0-beta.2", "1.0.0-beta.11", -1},
                      Case{Scheme::semver, "1.0.0-rc.1", "1.0.0", -1}, Case{Scheme::semver, "1.0.0+b1", "1.0.0+b2", 0},
                      Case{Scheme::semver, "2.0.0", "10.0.0", -1}, Case{Scheme::semver, "1.10.0", "1.9.9", 1}));

INSTANTIATE_TEST_SUITE_P(
    Generic, OrderTest,
    ::testing::Values(Case{Scheme::generic, "1.1.1w", "1.1.1", 1}, Case{Scheme::generic, "1.1.1w", "1.1.1v", 1},
                      Case{Scheme::generic, "1.1.1", "1.1.0zz", 1}, Case{Scheme::generic, "1.36.1-r18", "1.36.1-r2", 1},
                      Case{Scheme::generic, "1.36.1-r0", "1.36.1", 1}, Case{Scheme::generic, "1.0", "1.0.0", 0},
                      Case{Scheme::generic, "1.0-rc1", "1.0", -1}, Case{Scheme::generic, "1.0rc2", "1.0rc10", -1},
                      Case{Scheme::generic, "1.0-beta", "1.0-rc1", -1}, Case{Scheme::generic, "1.0~x", "1.0", -1},
                      Case{Scheme::generic, "2.10", "2.9", 1}, Case{Scheme::generic, "1.36.2", "1.36.1-r18", 1},
                      Case{Scheme::generic, "1.1a", "1.1.1", -1}, Case{Scheme::generic, "2024.01", "2023.12", 1}));

TEST(CheckVersion, DebSyntax) {
  EXPECT_TRUE(check_version(Scheme::deb, "1:2.3-4+deb12u1", "x").ok());
  EXPECT_TRUE(check_version(Scheme::deb, "3.0.13-1~deb12u1", "x").ok());
  auto bad = check_version(Scheme::deb, "a1.0", "q");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::usage);
  EXPECT_EQ(bad.error().message, "q: \"a1.0\" is not a deb version: the upstream version does not start with a digit");
  EXPECT_FALSE(check_version(Scheme::deb, "x:1.0", "q").ok());
  EXPECT_FALSE(check_version(Scheme::deb, "1.0-", "q").ok());
  EXPECT_FALSE(check_version(Scheme::deb, "1.0 2", "q").ok());
  EXPECT_FALSE(check_version(Scheme::deb, "1.0-a_b", "q").ok());
  EXPECT_FALSE(check_version(Scheme::deb, "", "q").ok());
}

TEST(CheckVersion, SemverSyntax) {
  EXPECT_TRUE(check_version(Scheme::semver, "1.2.3-rc.1+build.5", "x").ok());
  EXPECT_FALSE(check_version(Scheme::semver, "1.2", "x").ok());
  EXPECT_FALSE(check_version(Scheme::semver, "01.2.3", "x").ok());
  EXPECT_FALSE(check_version(Scheme::semver, "1.2.3-01", "x").ok());
  EXPECT_FALSE(check_version(Scheme::semver, "1.2.3-", "x").ok());
}

TEST(Scheme, Names) {
  EXPECT_EQ(scheme_from_name("deb"), Scheme::deb);
  EXPECT_EQ(scheme_from_name("rpm"), std::nullopt);
  EXPECT_EQ(scheme_for_purl_type("deb"), Scheme::deb);
  EXPECT_EQ(scheme_for_purl_type("opkg"), Scheme::opkg);
  EXPECT_EQ(scheme_for_purl_type("generic"), Scheme::generic);
}

// A random dpkg version: epochs, '~', '+', '.', letters, leading zeros and
// revisions, in the proportions that make ties and near-ties common.
std::string random_deb_version(std::mt19937& rng) {
  static const std::vector<std::string> kPieces = {"0", "1", "2", "9", "10", "01", "00", "a", "b", "z", "A",
                                                   "~", "~~", "+", ".", "~a", "rc", "p"};
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::string v;
  if (pick(4) == 0) v += std::to_string(pick(3)) + ":";
  v += std::to_string(pick(3));
  for (std::size_t i = 0, n = pick(5); i < n; ++i) v += kPieces[pick(kPieces.size())];
  if (pick(2) == 0) {
    v += "-";
    v += std::to_string(pick(3));
    for (std::size_t i = 0, n = pick(3); i < n; ++i) {
      const std::string& p = kPieces[pick(kPieces.size())];
      v += p;
    }
  }
  return v;
}

std::string mutate(std::string v, std::mt19937& rng) {
  static const std::string kChars = "019a~+.";
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::size_t at = 1 + pick(v.size());
  if (at >= v.size()) return v + kChars[pick(kChars.size())];
  v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), kChars[pick(kChars.size())]);
  return v;
}

// Every pair is checked by asking dpkg the relation compare_deb found; one
// dpkg run per pair, all of them in one shell.
TEST(DebOrder, AgreesWithDpkgOnGeneratedPairs) {
  std::mt19937 rng(20261203);
  std::vector<std::pair<std::string, std::string>> pairs;
  while (pairs.size() < 3000) {
    std::string a = random_deb_version(rng);
    std::string b = pairs.size() % 3 == 0 ? mutate(a, rng) : random_deb_version(rng);
    if (!check_version(Scheme::deb, a, "a").ok() || !check_version(Scheme::deb, b, "b").ok()) continue;
    pairs.emplace_back(a, b);
  }
  auto script = std::filesystem::temp_directory_path() / ("fwseal-dpkg-pairs-" + std::to_string(::getpid()) + ".sh");
  {
    std::ofstream out(script);
    for (const auto& [a, b] : pairs) {
      int d = compare_deb(a, b);
      const char* op = d < 0 ? "lt" : d > 0 ? "gt" : "eq";
      out << "dpkg --compare-versions '" << a << "' " << op << " '" << b << "' 2>&1 && echo y || echo n\n";
    }
  }
  std::string command = "sh " + script.string();
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe)) output.append(buf, n);
  int status = ::pclose(pipe);
  std::filesystem::remove(script);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(output.size(), pairs.size() * 2) << "dpkg printed something unexpected (is dpkg installed?):\n"
                                             << output.substr(0, 400);
  std::size_t disagreements = 0, lt = 0, eq = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    int d = compare_deb(pairs[i].first, pairs[i].second);
    lt += d < 0;
    eq += d == 0;
    if (output[2 * i] != 'y' && ++disagreements <= 10)
      ADD_FAILURE() << "dpkg disagrees: " << pairs[i].first << " vs " << pairs[i].second << " (ours " << d << ")";
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GT(lt, 500u);  // the generator makes every relation common
  EXPECT_GT(eq, 50u);
}

}  // namespace
}  // namespace fwseal::inventory
