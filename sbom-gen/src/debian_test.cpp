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

// The package that installed each regular file, from dpkg-deb -c of each .deb.
std::map<std::string, std::string> expected_owners() {
  std::map<std::string, std::string> out;
  std::istringstream in(testing::read_text(kDir + "/owners.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    out[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return out;
}

// Written independently of the code under test: Debian versions only hold
// [A-Za-z0-9.+~:-], of which purl-spec percent-encodes '+'; package names
// [a-z0-9.+-] (libstdc++6), '+' the same way. The image's
// os-release (base-files) says debian 12.
std::string expected_purl(const std::string& type, const std::string& name, const Package& p) {
  auto encode = [](const std::string& s) {
    std::string out;
    for (char c : s) out += c == '+' ? std::string("%2B") : std::string(1, c);
    return out;
  };
  return "pkg:" + type + "/debian/" + encode(name) + "@" + encode(p.version) + "?arch=" + p.arch + "&distro=debian-12";
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

std::map<std::string, json> by_name(const json& bom) {
  std::map<std::string, json> out;
  for (const auto& c : bom["components"])
    if (c["bom-ref"] != "image:rootfs") out[c["name"].get<std::string>()] = c;
  return out;
}

// The factors of a top-level AND, in any order: a person lists the licences
// of a copyright file in the file's order, the code sorts them.
std::multiset<std::string> and_factors(const std::string& expression) {
  std::multiset<std::string> out;
  int depth = 0;
  std::size_t from = 0;
  for (std::size_t i = 0; i < expression.size(); ++i) {
    if (expression[i] == '(') ++depth;
    if (expression[i] == ')') --depth;
    if (depth == 0 && expression.compare(i, 5, " AND ") == 0) {
      out.insert(expression.substr(from, i - from));
      from = i + 5;
    }
  }
  out.insert(expression.substr(from));
  return out;
}

std::string licence_of(const json& c) {
  if (!c.contains("licenses")) return "";
  const json& l = c["licenses"][0];
  return l.contains("expression") ? l["expression"].get<std::string>() : l["license"]["id"].get<std::string>();
}

class Debian : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(kDir + "/owners.tsv"))
        << kDir << " is missing: run ctest (fixture sbom_debian_fetch runs testdata/fetch_debian_packages.sh)";
    packages_ = expected_packages();
    ASSERT_EQ(packages_.size(), 62u);  // the list in fetch_debian_packages.sh and a kernel
    owners_ = expected_owners();
    ASSERT_GT(owners_.size(), 2000u);
  }

  // Every component is one of the packages, with its exact version and purl,
  // or the operating system of base-files' os-release; nothing else.
  void expect_exactly_the_packages(const std::map<std::string, json>& found, const std::string& type) {
    EXPECT_EQ(found.size(), packages_.size() + 1);
    for (const auto& [name, p] : packages_) {
      SCOPED_TRACE(name);
      ASSERT_TRUE(found.contains(name));
      const json& c = found.at(name);
      EXPECT_EQ(c["version"], p.version);
      std::string purl = c["purl"];
      // dpkg's purl may add the source package (purl-spec's deb `upstream`).
      EXPECT_TRUE(purl == expected_purl(type, name, p) ||
                  (type == "deb" && purl.starts_with(expected_purl(type, name, p) + "&upstream=")))
          << purl;
    }
    // Not an extra: base-files installs /usr/lib/os-release (and /etc/os-release
    // pointing to it), which names the system the packages make up.
    ASSERT_TRUE(found.contains("debian"));
    EXPECT_EQ(found.at("debian")["type"], "operating-system");
    EXPECT_EQ(found.at("debian")["version"], "12");
    // The ELF notes of libsystemd.so.0 and libudev.so.1 name the source
    // package systemd: they are those packages' evidence, not a component.
    EXPECT_FALSE(found.contains("systemd"));
    // The packages whose binaries the fingerprint table knows, and only they,
    // get the CPE a vulnerability database matches on.
    const std::set<std::string> fingerprinted = {
        "busybox-static", "curl",         "dropbear-bin",  "libcurl4",       "libssl3",      "lighttpd",
        "openssh-client", "openssh-server", "u-boot-qemu", "u-boot-tools",   "zlib1g",       kernel()};
    for (const auto& [name, c] : found) {
      SCOPED_TRACE(name);
      EXPECT_EQ(c.contains("cpe"), fingerprinted.contains(name));
      if (c.contains("cpe")) {
        EXPECT_NE(c["cpe"].get<std::string>().find(":" + upstream(packages_.at(name).version) + ":"), std::string::npos)
            << c["cpe"];
      }
    }
  }

  // Every file occurrence in the BOM is credited to the package that
  // installed the file.
  void expect_owners(const std::map<std::string, json>& found) {
    std::size_t checked = 0;
    for (const auto& [name, c] : found) {
      if (!c.contains("evidence") || !c["evidence"].contains("occurrences")) continue;
      for (const auto& o : c["evidence"]["occurrences"]) {
        std::string location = o["location"];
        SCOPED_TRACE(location);
        ASSERT_TRUE(owners_.contains(location)) << "not a regular file of any package";
        EXPECT_EQ(owners_.at(location), name);
        ++checked;
      }
    }
    EXPECT_GE(checked, 50u);
    // The examples of the ownership rule: a note naming systemd in libudev1's
    // file, OpenSSH's versionless sftp-server in its own package, sshd in
    // openssh-server (not openssh-client, whose ssh has the same version text).
    auto locations = [&](const std::string& name) {
      std::set<std::string> out;
      for (const auto& o : found.at(name)["evidence"]["occurrences"]) out.insert(o["location"].get<std::string>());
      return out;
    };
    EXPECT_TRUE(locations("libudev1").contains("/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5"));
    EXPECT_TRUE(locations("libsystemd0").contains("/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0"));
    EXPECT_EQ(locations("openssh-sftp-server"), std::set<std::string>{"/usr/lib/openssh/sftp-server"});
    EXPECT_TRUE(locations("openssh-server").contains("/usr/sbin/sshd"));
    EXPECT_TRUE(locations("openssh-client").contains("/usr/bin/ssh"));
  }

  std::string kernel() const {
    for (const auto& [name, p] : packages_)
      if (name.starts_with("linux-image-")) return name;
    return "";
  }

  std::map<std::string, Package> packages_;
  std::map<std::string, std::string> owners_;
};

TEST_F(Debian, EveryDpkgPackageExactlyAndNothingElse) {
  std::vector<std::string> warnings;
  std::map<std::string, json> found = by_name(generate(kDir + "/rootfs-dpkg", &warnings));
  expect_exactly_the_packages(found, "deb");
  EXPECT_EQ(found["libssl3"]["purl"], expected_purl("deb", "libssl3", packages_["libssl3"]) + "&upstream=openssl");
  EXPECT_EQ(found["libudev1"]["purl"], expected_purl("deb", "libudev1", packages_["libudev1"]) + "&upstream=systemd");
  EXPECT_TRUE(found[kernel()]["purl"].get<std::string>().ends_with("&upstream=linux-signed-amd64%406.1.192%2B3"));
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

TEST_F(Debian, EveryDpkgFileOccurrenceHasItsOwner) {
  expect_owners(by_name(generate(kDir + "/rootfs-dpkg")));
}

// The same files with opkg's database: the same packages (opkg purls), the
// same owners, and still no "systemd" beside libsystemd0 and libudev1.
TEST_F(Debian, EveryOpkgPackageExactlyAndTheSameOwners) {
  std::vector<std::string> warnings;
  std::map<std::string, json> found = by_name(generate(kDir + "/rootfs-opkg", &warnings));
  expect_exactly_the_packages(found, "opkg");
  expect_owners(found);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

// Licences as a person reads them from each package's copyright file (read
// by hand from the Debian 12 packages; every Files paragraph's licence
// ANDed, names without an SPDX id as LicenseRef-NAME).
TEST_F(Debian, LicencesAsTheCopyrightFilesStateThem) {
  std::map<std::string, json> found = by_name(generate(kDir + "/rootfs-dpkg"));
  const std::map<std::string, std::string> read_by_hand = {
      // Files: * Expat, debian/* Expat.
      {"libexpat1", "MIT"},
      {"libbrotli1", "MIT"},
      // Files: * zlib.
      {"zlib1g", "Zlib"},
      // Files: * GPL-2, debian/* GPL-2.
      {"iproute2", "GPL-2.0-only"},
      // Files: * LGPL-2.1, debian/* GPL-2+.
      {"libmnl0", "LGPL-2.1-only AND GPL-2.0-or-later"},
      // Files: * and src/libev/* GPL-2, lib/* LGPL-2.1, debian/* GPL-2.
      {"libaudit1", "GPL-2.0-only AND LGPL-2.1-only"},
      // Files: * GPL-2+, keyutils.* and debian/* LGPL-2+.
      {"libkeyutils1", "GPL-2.0-or-later AND LGPL-2.0-or-later"},
      // Two Files paragraphs (with patterns on continuation lines): GPL-2+, LGPL-2+.
      {"libacl1", "GPL-2.0-or-later AND LGPL-2.0-or-later"},
      // Files: * Expat, tests/json-patch-tests/* Apache-2.0.
      {"libcjson1", "MIT AND Apache-2.0"},
      // Files: * and examples/* "BSD-3-clause or GPL-2", zlibWrapper zlib,
      // divsufsort and debian/* Expat.
      {"libzstd1", "(BSD-3-Clause OR GPL-2.0-only) AND Zlib AND MIT"},
      // Upstream "BSD-3-clause or GPL-2"; debian/* and debian/patches/* "... or GPL-2+".
      {"libcap2", "(BSD-3-Clause OR GPL-2.0-only) AND (BSD-3-Clause OR GPL-2.0-or-later)"},
      // Files: * BSD-variant (bzip2's own terms, no SPDX id of that name), debian/* GPL-2.
      {"libbz2-1.0", "LicenseRef-BSD-variant AND GPL-2.0-only"},
      // Files: * TCP-wrappers, strcasecmp.c BSD-3-clause, a patch under "SSH".
      {"libwrap0", "TCP-wrappers AND BSD-3-Clause AND LicenseRef-SSH"},
      // Files: * public-domain, debian/* GPL-2+.
      {"libsqlite3-0", "LicenseRef-public-domain AND GPL-2.0-or-later"},
      // Files: * "Apache-2.0", Text-Template "Artistic or GPL-1+".
      {"libssl3", "Apache-2.0 AND (LicenseRef-Artistic OR GPL-1.0-or-later)"},
      // Files: * "EPL-2.0 or EDL-1.0", deps/uthash.h BSD-1-clause.
      {"mosquitto", "(EPL-2.0 OR LicenseRef-EDL-1.0) AND BSD-1-Clause"},
      // Free text naming /usr/share/common-licenses/GPL-2, "version 2".
      {"busybox-static", "GPL-2.0-only"},
  };
  for (const auto& [name, expression] : read_by_hand) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(found.contains(name));
    EXPECT_EQ(and_factors(licence_of(found[name])), and_factors(expression)) << licence_of(found[name]);
    const json& l = found[name]["licenses"][0];
    EXPECT_EQ(l.contains("expression") ? l["acknowledgement"] : l["license"]["acknowledgement"], "declared");
  }
  // A single licence is an id, not an expression.
  EXPECT_EQ(found["zlib1g"]["licenses"], json::parse(R"([{"license":{"acknowledgement":"declared","id":"Zlib"}}])"));
  // openssh-server's and openssh-sftp-server's doc directories are links to
  // openssh-client's: the same copyright file, the OpenSSH licence in it.
  for (const char* name : {"openssh-client", "openssh-server", "openssh-sftp-server"})
    EXPECT_TRUE(and_factors(licence_of(found[name])).contains("LicenseRef-OpenSSH")) << name;
  EXPECT_EQ(licence_of(found["openssh-server"]), licence_of(found["openssh-client"]));
  // ... and the BOM says how each licence was identified, and when it may not
  // be all the file says.
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
  // libgcc-s1's and libstdc++6's doc directories link to gcc-12-base, which
  // is not installed: no copyright file, so no licence (never a guess).
  EXPECT_FALSE(found["libgcc-s1"].contains("licenses"));
  EXPECT_FALSE(found["libstdc++6"].contains("licenses"));
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
  std::map<std::string, json> found = by_name(bom);
  // And the kernel, the operating system of base-files' os-release, and
  // systemd: without a package database, the ELF notes of libsystemd.so.0 and
  // libudev.so.1 (source package systemd) are all that names them.
  EXPECT_EQ(found.size(), from_package.size() + 3);
  ASSERT_TRUE(found.contains("debian"));
  ASSERT_TRUE(found.contains("systemd"));
  EXPECT_EQ(found["systemd"]["version"], packages_["libsystemd0"].version);
  EXPECT_EQ(found["systemd"]["evidence"]["occurrences"],
            json::parse(R"([{"additionalContext":"image rootfs","location":"/usr/lib/x86_64-linux-gnu/libsystemd.so.0.35.0"},
                            {"additionalContext":"image rootfs","location":"/usr/lib/x86_64-linux-gnu/libudev.so.1.7.5"}])"));
  for (const auto& [component, package] : from_package) {
    SCOPED_TRACE(component);
    ASSERT_TRUE(found.contains(component));
    EXPECT_EQ(found[component]["version"], upstream(packages_[package].version));
    EXPECT_EQ(found[component]["evidence"]["identity"][0]["methods"][0]["technique"], "binary-analysis");
  }
  ASSERT_TRUE(found.contains("linux"));
  EXPECT_EQ(found["linux"]["version"], upstream(packages_[kernel()].version));
  // Each fingerprint was read in a file of the package that carries the
  // software (OpenSSH's in its three packages).
  for (const auto& [component, package] : from_package) {
    for (const auto& o : found[component]["evidence"]["occurrences"]) {
      std::string owner = owners_[o["location"].get<std::string>()];
      SCOPED_TRACE(o["location"].get<std::string>());
      if (component == "openssh") {
        EXPECT_TRUE(owner == "openssh-client" || owner == "openssh-server" || owner == "openssh-sftp-server") << owner;
      } else {
        EXPECT_EQ(owner, package);
      }
    }
  }
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
