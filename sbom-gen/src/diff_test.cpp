#include "fwseal/sbom/diff.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace fwseal::sbom {
namespace {

using nlohmann::json;

json comp(const std::string& name, const std::string& version, const std::string& purl, const std::string& licence = "",
          const std::string& sha = "") {
  json c = {{"type", "library"}, {"name", name}, {"version", version}};
  if (!purl.empty()) c["purl"] = purl;
  if (!licence.empty()) c["licenses"] = json::array({{{"license", {{"id", licence}}}}});
  if (!sha.empty()) c["hashes"] = json::array({{{"alg", "SHA-256"}, {"content", std::string(64, sha[0])}}});
  return c;
}

std::string bom(std::vector<json> components) {
  return json{{"bomFormat", "CycloneDX"}, {"specVersion", "1.6"}, {"components", components}}.dump();
}

TEST(Diff, ReportsEachKindOfChange) {
  std::string old_bom = bom({comp("rootfs", "1.0", "", "", "a"), comp("zlib1g", "1:1.2.13-1", "pkg:deb/debian/zlib1g@1:1.2.13-1?arch=amd64", "Zlib"),
                             comp("busybox", "1.35.0", "pkg:generic/busybox@1.35.0", "GPL-2.0-only"),
                             comp("gone", "1", "pkg:generic/gone@1")});
  std::string new_bom = bom({comp("rootfs", "1.0", "", "", "b"), comp("zlib1g", "1:1.3-1", "pkg:deb/debian/zlib1g@1:1.3-1?arch=amd64", "Zlib"),
                             comp("busybox", "1.35.0", "pkg:generic/busybox@1.35.0", "GPL-2.0-or-later"),
                             comp("new", "2", "pkg:generic/new@2")});
  auto d = diff_sbom(old_bom, new_bom);
  ASSERT_TRUE(d.ok()) << d.error().message;
  ASSERT_EQ(d->added.size(), 1u);
  EXPECT_EQ(d->added[0].name, "new");
  ASSERT_EQ(d->removed.size(), 1u);
  EXPECT_EQ(d->removed[0].name, "gone");
  ASSERT_EQ(d->version_changed.size(), 1u);
  EXPECT_EQ(d->version_changed[0].old_version, "1:1.2.13-1");
  EXPECT_EQ(d->version_changed[0].new_version, "1:1.3-1");
  ASSERT_EQ(d->licence_changed.size(), 1u);
  EXPECT_EQ(d->licence_changed[0].old_licence, "GPL-2.0-only");
  ASSERT_EQ(d->hash_changed.size(), 1u);
  EXPECT_EQ(d->hash_changed[0].name, "rootfs");
  EXPECT_EQ(diff_to_text(*d),
            "+ new 2\n- gone 1\n~ zlib1g 1:1.2.13-1 -> 1:1.3-1\n"
            "licence busybox 1.35.0: GPL-2.0-only -> GPL-2.0-or-later\n"
            "hash rootfs 1.0 SHA-256: aaaaaaaaaaaaaaaa... -> bbbbbbbbbbbbbbbb...\n"
            "1 added, 1 removed, 1 version changed, 1 licence changed, 1 hash changed\n");
  json j = json::parse(diff_to_json(*d));
  EXPECT_EQ(j["version_changed"][0]["new_purl"], "pkg:deb/debian/zlib1g@1:1.3-1?arch=amd64");
  EXPECT_EQ(j["added"][0]["purl"], "pkg:generic/new@2");
  EXPECT_FALSE(d->empty());
}

TEST(Diff, TwoVersionsOfOneComponentPairBySameVersionFirst) {
  std::string old_bom = bom({comp("busybox", "1.35.0", "pkg:generic/busybox@1.35.0"), comp("busybox", "1.36.1", "pkg:generic/busybox@1.36.1")});
  std::string new_bom = bom({comp("busybox", "1.36.1", "pkg:generic/busybox@1.36.1")});
  auto d = diff_sbom(old_bom, new_bom);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->removed.size(), 1u);
  EXPECT_EQ(d->removed[0].version, "1.35.0");
  EXPECT_TRUE(d->version_changed.empty());
  auto same = diff_sbom(new_bom, new_bom);
  EXPECT_TRUE(same->empty());
  EXPECT_EQ(diff_to_text(*same), "0 added, 0 removed, 0 version changed, 0 licence changed, 0 hash changed\n");
}

TEST(Diff, InvalidInputNamesTheSide) {
  auto d = diff_sbom(bom({}), "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.3\"}");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message,
            "new sbom: $.specVersion: CycloneDX \"1.3\" is not supported; fwseal validates CycloneDX 1.4, 1.5 and 1.6");
}

TEST(Diff, ComponentListsCompareLikeSboms) {
  std::vector<json> a = {comp("busybox", "1.36.1", "pkg:generic/busybox@1.36.1", "GPL-2.0-only"),
                         comp("zlib", "1.2.13", "pkg:deb/debian/zlib1g@1.2.13")};
  std::vector<json> b = {comp("busybox", "1.36.2", "pkg:generic/busybox@1.36.2", "GPL-2.0-only"),
                         comp("openssl", "3.0.15", "")};
  auto from_boms = diff_sbom(bom(a), bom(b));
  auto from_lists = diff_components(json(a).dump(), json(b).dump());
  ASSERT_TRUE(from_boms.ok() && from_lists.ok());
  EXPECT_EQ(diff_to_json(*from_lists), diff_to_json(*from_boms));
  EXPECT_EQ(diff_to_text(*from_lists), "+ openssl 3.0.15\n- zlib 1.2.13\n~ busybox 1.36.1 -> 1.36.2\n"
                                       "1 added, 1 removed, 1 version changed, 0 licence changed, 0 hash changed\n");
}

TEST(Diff, ComponentListsOfAnotherShapeAreRefusedNotRead) {
  for (const char* bad : {"{}", "not json", R"([{"version":"1"}])", R"([{"name":1}])",
                          R"([{"name":"a","licenses":[{"license":"MIT"}]}])", R"([{"name":"a","licenses":[{}]}])",
                          R"([{"name":"a","hashes":[{"alg":"SHA-256"}]}])"}) {
    auto d = diff_components("[]", bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.error().code, Code::malformed) << bad;
    EXPECT_TRUE(d.error().message.starts_with("new: ")) << d.error().message;
  }
}

TEST(Diff, TextHasNoControlCharacters) {
  auto d = diff_sbom(bom({}), bom({comp("evil\x1b[2J", "1", "")}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(diff_to_text(*d).substr(0, 15), "+ evil?[2J 1\n1 ");
}

}  // namespace
}  // namespace fwseal::sbom
