#include "scan_match.h"

#include <gtest/gtest.h>

namespace fwseal::inventory {
namespace {

// A components row as components_to_match reads it.
Row component_row(const std::string& id, const std::string& purl, const std::string& purl_name, const Cell& cpe) {
  return {id, purl_name, "", purl.empty() ? Cell() : Cell(purl), Cell(), purl_name, Cell(), cpe};
}

// An advisory entry row as advisory_entries reads it.
Row entry_row(const std::string& type, const std::string& ns, const std::string& name, const std::string& distro,
              const std::string& ranges) {
  return {type, ns, name, distro, "generic", ranges, "[]", "the rule", "7", "ADV-1", "", "", "[]"};
}

std::vector<std::string> matched_ids(const std::vector<Match>& matches, const ComponentIndex& index) {
  std::vector<std::string> ids;
  for (const auto& m : matches) ids.push_back(index.components[m.component].id);
  return ids;
}

TEST(MatchEntries, DistributionReleaseNamespaceAndVersion) {
  const std::string busybox = "pkg:apk/alpine/busybox@1.36.1-r1";
  const ComponentIndex index = index_components({
      component_row("1", busybox + "?distro=alpine-3.18", "busybox", Cell()),
      component_row("2", busybox + "?distro=alpine-3.18.4", "busybox", Cell()),
      component_row("3", busybox + "?distro=alpine-3.180", "busybox", Cell()),  // another release
      component_row("4", busybox, "busybox", Cell()),  // built for no release it says
      component_row("5", "pkg:apk/alpine/busybox@1.36.1-r2?distro=alpine-3.18", "busybox", Cell()),  // fixed
      component_row("6", "pkg:apk/other/busybox@1.36.1-r1?distro=alpine-3.18", "busybox", Cell()),
  });
  const auto matches = match_entries({entry_row("apk", "alpine", "busybox", "alpine-3.18", R"([{"lt":"1.36.1-r2"}])")}, index);
  EXPECT_EQ(matched_ids(matches, index), (std::vector<std::string>{"1", "2"}));
  ASSERT_FALSE(matches.empty());
  EXPECT_EQ(matches[0].fixed, "1.36.1-r2");
  EXPECT_EQ(matches[0].rule, "the rule (distro alpine-3.18)");
  EXPECT_EQ(matches[0].advisory, "ADV-1");
}

TEST(MatchEntries, CpeVendorAndVersion) {
  const ComponentIndex index = index_components({
      component_row("1", "", "", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"),
      component_row("2", "", "", "cpe:2.3:a:other:busybox:1.35.0:*:*:*:*:*:*:*"),
      component_row("3", "", "", "cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"),  // no version
  });
  const auto matches = match_entries({entry_row("cpe", "busybox", "busybox", "", R"([{"lt":"1.36.0"}])")}, index);
  EXPECT_EQ(matched_ids(matches, index), (std::vector<std::string>{"1"}));
}

}  // namespace
}  // namespace fwseal::inventory
