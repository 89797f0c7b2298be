// Accuracy on real firmware content: Debian 12 packages fetched and unpacked
// by testdata/fetch_debian_packages.sh (the ctest fixture sbom_debian_fetch).
// Without them these tests fail: they are the evidence that the fingerprint
// table works on real binaries.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "fwseal/sbom/sbom.h"
#include "fwseal/sbom/validate.h"
#include "test_util.h"

namespace fwseal::sbom {
namespace {

using nlohmann::json;

const std::string kDir = FWSEAL_SBOM_DEBIAN_DIR;

struct Package {
  std::string version, arch;
};

std::map<std::string, Package> expected_packages() {
  std::map<std::string, Package> out;
  std::istringstream in(testing::read_text(kDir + "/expected.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    auto t1 = line.find('\t'), t2 = line.rfind('\t');
    out[line.substr(0, t1)] = {line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1)};
  }
  return out;
}

// Written independently of the code under test: Debian versions only hold
// [A-Za-z0-9.+~:-], of which purl-spec percent-encodes '+'.
std::string expected_purl(const std::string& name, const Package& p) {
  std::string v;
  for (char c : p.version) v += c == '+' ? std::string("%2B") : std::string(1, c);
  return "pkg:deb/debian/" + name + "@" + v + "?arch=" + p.arch;
}

std::string upstream(std::string v) {
  if (auto colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
  v = v.substr(0, v.rfind('-'));
  for (const char* repack : {"+dfsg", ".dfsg"})
    if (auto at = v.find(repack); at != std::string::npos) v = v.substr(0, at);
  return v;
}

json generate(const std::string& path, std::vector<std::string>* warnings = nullptr) {
  std::string bom = testing::generate_rootfs_bom(path, warnings);
  return bom.empty() ? json::object() : json::parse(bom);
}

class Debian : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kDir + "/expected.tsv"))
        << kDir << " is missing: run ctest (fixture sbom_debian_fetch runs testdata/fetch_debian_packages.sh)";
    packages_ = expected_packages();
    ASSERT_EQ(packages_.size(), 11u);  // the list in fetch_debian_packages.sh and a kernel
  }
  std::map<std::string, Package> packages_;
};

TEST_F(Debian, EveryDpkgPackageExactlyAndNothingElse) {
  std::vector<std::string> warnings;
  json bom = generate(kDir + "/rootfs-dpkg", &warnings);
  std::map<std::string, json> found;
  for (const auto& c : bom["components"])
    if (c["bom-ref"] != "image:rootfs") found[c["name"].get<std::string>()] = c;
  EXPECT_EQ(found.size(), packages_.size());
  for (const auto& [name, p] : packages_) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(found.contains(name));
    const json& c = found[name];
    EXPECT_EQ(c["version"], p.version);
    // The purl may add the source package (purl-spec's deb `upstream`).
    std::string purl = c["purl"];
    EXPECT_TRUE(purl == expected_purl(name, p) || purl.starts_with(expected_purl(name, p) + "&upstream=")) << purl;
    // Every one of these packages carries a binary the fingerprint table
    // knows, so each also gets the CPE a vulnerability database matches on.
    ASSERT_TRUE(c.contains("cpe"));
    EXPECT_NE(c["cpe"].get<std::string>().find(":" + upstream(p.version) + ":"), std::string::npos) << c["cpe"];
  }
  EXPECT_EQ(found["libssl3"]["purl"], expected_purl("libssl3", packages_["libssl3"]) + "&upstream=openssl");
  EXPECT_TRUE(found["linux-image-6.1.0-57-cloud-amd64"]["purl"].get<std::string>().ends_with(
      "&upstream=linux-signed-amd64%406.1.192%2B3"));
  // Licences as a person reads them from each copyright file: every Files
  // paragraph, names without an SPDX id as LicenseRef- (Text-Template's
  // "Artistic or GPL-1+" in OpenSSL's, the OpenSSH licence).
  EXPECT_EQ(found["libssl3"]["licenses"],
            json::parse(R"j([{"acknowledgement":"declared","expression":"Apache-2.0 AND (LicenseRef-Artistic OR GPL-1.0-or-later)"}])j"));
  EXPECT_EQ(found["zlib1g"]["licenses"], json::parse(R"([{"license":{"acknowledgement":"declared","id":"Zlib"}}])"));
  EXPECT_NE(found["openssh-client"]["licenses"][0]["expression"].get<std::string>().find("LicenseRef-OpenSSH"),
            std::string::npos);
  // BusyBox's copyright file is free text naming /usr/share/common-licenses/GPL-2.
  EXPECT_EQ(found["busybox-static"]["licenses"],
            json::parse(R"([{"license":{"acknowledgement":"declared","id":"GPL-2.0-only"}}])"));
  // ... and the BOM says the licence was identified that way, and may not be all the file says.
  auto properties = [&](const std::string& name) {
    std::map<std::string, std::string> out;
    for (const auto& p : found[name]["properties"]) out[p["name"]] = p["value"];
    return out;
  };
  auto busybox = properties("busybox-static");
  EXPECT_EQ(busybox["fwseal:licence-source"], "debian-common-licenses-reference");
  EXPECT_EQ(busybox["fwseal:licence-source-file"], "/usr/share/doc/busybox-static/copyright");
  EXPECT_TRUE(busybox.contains("fwseal:licence-may-be-incomplete"));
  auto ssl = properties("libssl3");
  EXPECT_EQ(ssl["fwseal:licence-source"], "debian-copyright-dep5");
  EXPECT_FALSE(ssl.contains("fwseal:licence-may-be-incomplete"));
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST_F(Debian, TarImageGivesTheSameComponents) {
  json dir = generate(kDir + "/rootfs-dpkg");
  json tar = generate(kDir + "/rootfs-dpkg.tar");
  auto strip = [](json bom) {
    for (auto& c : bom["components"]) {
      c.erase("hashes");
      c.erase("properties");
    }
    return bom["components"];
  };
  EXPECT_EQ(strip(dir), strip(tar));
}

TEST_F(Debian, FingerprintsAloneFindTheSameSoftware) {
  std::vector<std::string> warnings;
  json bom = generate(kDir + "/rootfs-bare", &warnings);
  const std::map<std::string, std::string> from_package = {
      {"busybox", "busybox-static"}, {"openssl", "libssl3"},       {"zlib", "zlib1g"},
      {"dropbear", "dropbear-bin"},  {"openssh", "openssh-client"}, {"curl", "curl"},
      {"libcurl", "libcurl4"},       {"lighttpd", "lighttpd"},     {"u-boot", "u-boot-qemu"},
      {"u-boot-tools", "u-boot-tools"}};
  std::map<std::string, json> found;
  for (const auto& c : bom["components"])
    if (c["bom-ref"] != "image:rootfs") found[c["name"].get<std::string>()] = c;
  EXPECT_EQ(found.size(), from_package.size() + 1);  // and the kernel
  for (const auto& [component, package] : from_package) {
    SCOPED_TRACE(component);
    ASSERT_TRUE(found.contains(component));
    EXPECT_EQ(found[component]["version"], upstream(packages_[package].version));
    EXPECT_EQ(found[component]["evidence"]["identity"][0]["methods"][0]["technique"], "binary-analysis");
  }
  std::string kernel_package;
  for (const auto& [name, p] : packages_)
    if (name.starts_with("linux-image-")) kernel_package = name;
  ASSERT_TRUE(found.contains("linux"));
  EXPECT_EQ(found["linux"]["version"], upstream(packages_[kernel_package].version));
  // Anchoring: BusyBox only in its binary, OpenSSL only in libcrypto/libssl
  // (not in curl, libcurl or ssh, which carry OpenSSL's strings too).
  EXPECT_EQ(found["busybox"]["evidence"]["occurrences"],
            json::parse(R"([{"additionalContext":"image rootfs","location":"/bin/busybox"}])"));
  for (const auto& o : found["openssl"]["evidence"]["occurrences"]) {
    std::string location = o["location"];
    EXPECT_TRUE(location.find("/libcrypto.so") != std::string::npos || location.find("/libssl.so") != std::string::npos)
        << location;
  }
  for (const auto& o : found["u-boot"]["evidence"]["occurrences"])
    EXPECT_NE(o["location"].get<std::string>().find("/usr/lib/u-boot/"), std::string::npos) << o["location"];
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

}  // namespace
}  // namespace fwseal::sbom
