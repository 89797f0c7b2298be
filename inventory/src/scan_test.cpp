#include "fwseal/inventory/scan.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "fwseal/inventory/add.h"
#include "fwseal/inventory/advisory.h"
#include "fwseal/sbom/purl.h"
#include "fwseal/testing/temp_dir.h"
#include "test_inventory.h"

namespace fwseal::inventory {
namespace {

// An SBOM of one release holding the given purls.
std::string sbom_of(const std::vector<std::string>& purls, int serial) {
  std::string components;
  for (std::size_t i = 0; i < purls.size(); ++i) {
    auto parts = sbom::parse_purl(purls[i], "test").value();
    components += std::string(i ? "," : "") + R"({"bom-ref":"c)" + std::to_string(i) +
                  R"(","type":"library","name":")" + parts.name + R"(","version":")" + parts.version +
                  R"(","purl":")" + purls[i] + "\"}";
  }
  char tail[13];
  std::snprintf(tail, sizeof tail, "%012d", serial);
  return R"({"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-)" +
         std::string(tail) + R"(","version":1,"metadata":{"timestamp":"2026-01-01T00:00:00Z"},"components":[)" +
         components + "]}";
}

// An SBOM of one release holding the given component objects.
std::string sbom_with(const std::string& components, int serial) {
  char tail[13];
  std::snprintf(tail, sizeof tail, "%012d", serial);
  return R"({"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-)" +
         std::string(tail) + R"(","version":1,"components":[)" + components + "]}";
}

// A Debian security advisory as OSV publishes it: keyed by the source
// package, for one Debian release, no score of its own.
constexpr const char* kDsa = R"({"id":"DSA-5678-1","modified":"2024-01-31T00:00:00Z",
  "aliases":["CVE-2023-5678"],"summary":"openssl - security update",
  "affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"3.0.13-1~deb12u1"}]}]}]})";
// The CVE's own record carries the CVSS vector.
constexpr const char* kCve = R"({"id":"CVE-2023-5678","modified":"2024-02-01T00:00:00Z",
  "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}]})";
// Alpine's busybox: fixed in 1.36.1-r2, so 1.36.1-r18 is not affected.
constexpr const char* kAlpine = R"({"id":"ALPINE-CVE-2022-48174","modified":"2024-01-01T00:00:00Z",
  "affected":[{"package":{"ecosystem":"Alpine:v3.18","name":"busybox"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.36.1-r2"}]}]}]})";

class ScanTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = inventory_.open();
    ASSERT_NE(db_, nullptr);
    const std::string deb = "pkg:deb/debian/libssl3@";
    // gw 1.0: vulnerable; gw 2.0: fixed; cam 1.0: no distro on the purl;
    // sensor 1.0: Alpine's busybox after the fix.
    add("gw", "1.0", {deb + "3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"}, 1);
    add("gw", "2.0", {deb + "3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"}, 2);
    add("cam", "1.0", {deb + "3.0.11-1~deb12u2?arch=amd64&upstream=openssl"}, 3);
    add("sensor", "1.0", {"pkg:apk/alpine/busybox@1.36.1-r18?arch=aarch64&distro=alpine-3.18.4"}, 4);
  }
  void add(const std::string& product, const std::string& version, const std::vector<std::string>& purls, int serial) {
    auto r = add_sbom(*db_, sbom_of(purls, serial), "sbom", product, version, false);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  Result<ImportResult> import(const std::string& name, const std::string& json) {
    return import_advisories(*db_, inventory_.dir().write(name, json));
  }
  std::string count(const char* table) {
    auto rows = db_->query(std::string("SELECT count(*) FROM ") + table);
    return rows.ok() ? *(*rows)[0][0] : "error";
  }
  TestInventory inventory_{GetParam()};
  std::unique_ptr<Connection> db_;
};

TEST_P(ScanTest, DistributionAdvisoriesMatchBySourcePackageAndRelease) {
  ASSERT_TRUE(import("dsa.json", kDsa).ok());
  ASSERT_TRUE(import("cve.json", kCve).ok());
  ASSERT_TRUE(import("alpine.json", kAlpine).ok());
  auto findings = scan(*db_, {});
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  // Only gw 1.0: gw 2.0 is past the fix; cam's purl does not say it was built
  // for Debian 12; 1.36.1-r18 is after 1.36.1-r2.
  ASSERT_EQ(findings->size(), 1u);
  const Finding& f = (*findings)[0];
  EXPECT_EQ(f.product, "gw");
  EXPECT_EQ(f.version, "1.0");
  EXPECT_EQ(f.advisory, "DSA-5678-1");
  EXPECT_EQ(f.aliases, std::vector<std::string>{"CVE-2023-5678"});
  ASSERT_TRUE(f.cvss.has_value());
  EXPECT_DOUBLE_EQ(*f.cvss, 5.3);  // computed from the alias's vector
  EXPECT_EQ(f.cvss_source, "CVE-2023-5678");
  EXPECT_EQ(f.severity, "medium");
  EXPECT_EQ(f.fixed, "3.0.13-1~deb12u1");
  EXPECT_EQ(f.rule, "OSV Debian:12 openssl: < 3.0.13-1~deb12u1 (distro debian-12)");
  EXPECT_EQ(f.evidence,
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl (source package "
            "openssl 3.0.11-1~deb12u2)");
  EXPECT_TRUE(at_or_above(f, Severity::medium));
  EXPECT_FALSE(at_or_above(f, Severity::high));

  ScanOptions only;
  only.release = std::make_pair(std::string("gw"), std::string("2.0"));
  auto none = scan(*db_, only);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  only.release = std::make_pair(std::string("gw"), std::string("9.9"));
  auto missing = scan(*db_, only);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, Code::usage);
}

TEST_P(ScanTest, ReimportUpdatesAndWithdraws) {
  auto first = import("dsa.json", kDsa);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->added, 1u);
  auto again = import("dsa.json", kDsa);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 1u);
  EXPECT_EQ(again->sha256, first->sha256);
  EXPECT_EQ(count("advisory_imports"), "2");
  // Now fixed only in a later revision than gw 1.0 carries: still affected.
  std::string changed = kDsa;
  changed.replace(changed.find("2024-01-31"), 10, "2024-03-01");
  auto updated = import("dsa.json", changed);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->updated, 1u);
  EXPECT_EQ(scan(*db_, {})->size(), 1u);
  std::string withdrawn = changed;
  withdrawn.replace(withdrawn.find("\"modified\""), 0, "\"withdrawn\":\"2024-03-02T00:00:00Z\",");
  auto gone = import("dsa.json", withdrawn);
  ASSERT_TRUE(gone.ok()) << gone.error().message;
  EXPECT_EQ(gone->withdrawn, 1u);
  EXPECT_TRUE(scan(*db_, {})->empty());
  EXPECT_EQ(count("advisories"), "1");
}

TEST_P(ScanTest, ABadRecordImportsNothingOfItsDirectory) {
  std::string dir = inventory_.dir().mkdir("osv");
  inventory_.dir().write("osv/a.json", kDsa);
  inventory_.dir().write("osv/b.json", R"({"id":"X-1","modified":"2024-01-01T00:00:00Z",
    "affected":[{"package":{"ecosystem":"Bitnami","name":"openssl"},"versions":["3.0.0"]}]})");
  auto r = import_advisories(*db_, dir);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::malformed);
  EXPECT_EQ(r.error().message.find(dir + "/b.json (X-1).affected[0].package.ecosystem: unknown ecosystem \"Bitnami\""),
            0u)
      << r.error().message;
  EXPECT_EQ(count("advisories"), "0");
  EXPECT_EQ(count("advisory_imports"), "0");

  const std::pair<const char*, const char*> bad[] = {
      {R"({"modified":"2024-01-01T00:00:00Z"})", "\"id\" is missing"},
      {R"({"id":"X-2"})", "\"modified\" is missing"},
      {R"({"id":"X-3","modified":"t","affected":[{"package":{"ecosystem":"Debian:12","name":"openssl"},
          "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"not a version"}]}]}]})",
       ".events[1].fixed"},
      {R"({"id":"X-4","modified":"t","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N"}]})",
       "base metric AC is missing"},
      {R"({"id":"X-5","modified":"t","affected":[{"package":{"ecosystem":"npm","name":"x"},
          "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"patched":"1.0.0"}]}]}]})",
       "unknown event \"patched\""},
      {"[1,2]", "an OSV record is a JSON object"},
      // An id with a terminal escape in it is shown escaped.
      {"{\"id\":\"X\\u001b[2J\",\"modified\":\"t\",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"x\"}]}",
       "bad.json (\"X\\x1b[2J\").severity: CVSS vector"},
  };
  for (const auto& [text, why] : bad) {
    auto e = import("bad.json", text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.error().code, Code::malformed) << text;
    EXPECT_NE(e.error().message.find(why), std::string::npos) << e.error().message;
  }
  EXPECT_EQ(count("advisories"), "0");
}

TEST_P(ScanTest, ZipOfRecords) {
  std::string dir = inventory_.dir().mkdir("zip");
  inventory_.dir().write("zip/DSA-5678-1.json", kDsa);
  inventory_.dir().write("zip/CVE-2023-5678.json", kCve);
  std::string zip = inventory_.dir() / "all.zip";
  ASSERT_EQ(std::system(("cd '" + dir + "' && python3 -c 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1],\"w\"); "
                         "[z.write(n) for n in sys.argv[2:]]' '" + zip + "' DSA-5678-1.json CVE-2023-5678.json")
                            .c_str()),
            0);
  auto r = import_advisories(*db_, zip);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->records, 2u);
  EXPECT_EQ(r->added, 2u);
  EXPECT_EQ(scan(*db_, {})->size(), 1u);
  std::string not_zip = inventory_.dir().write("fake.zip", "PK but not really");
  auto bad = import_advisories(*db_, not_zip);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, Code::malformed);
}

// NVD records match components without a package manager's purl through
// their CPE's vendor and product: a fingerprinted BusyBox, a kernel, a
// declared ffmpeg whose version carries a distribution epoch.
TEST_P(ScanTest, NvdConfigurationsByCpe) {
  auto add_cpe = [&](const std::string& product, const std::vector<std::pair<std::string, std::string>>& parts,
                     int serial) {
    std::string components;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto& [name_version, cpe] = parts[i];
      auto at = name_version.find('@');
      std::string encoded = name_version;
      if (auto colon = encoded.find(':'); colon != std::string::npos) encoded.replace(colon, 1, "%3A");
      components += std::string(i ? "," : "") + R"({"bom-ref":"x)" + std::to_string(i) + R"(","type":"application",)" +
                    R"("name":")" + name_version.substr(0, at) + R"(","version":")" + name_version.substr(at + 1) +
                    R"(","purl":"pkg:generic/)" + encoded + R"(","cpe":")" + cpe + "\"}";
    }
    char tail[13];
    std::snprintf(tail, sizeof tail, "%012d", serial);
    auto r = add_sbom(*db_,
                      R"({"bomFormat":"CycloneDX","specVersion":"1.6","serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-)" +
                          std::string(tail) + R"(","version":1,"components":[)" + components + "]}",
                      "sbom", product, "1.0", false);
    ASSERT_TRUE(r.ok()) << r.error().message;
  };
  add_cpe("router", {{"busybox@1.36.1", "cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"},
                     {"linux@6.1.55", "cpe:2.3:o:linux:linux_kernel:6.1.55:*:*:*:*:*:*:*"}}, 11);
  add_cpe("camera", {{"busybox@1.35.0", "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"},
                     {"ffmpeg@7:5.1.6-1", "cpe:2.3:a:ffmpeg:ffmpeg:5.1.6:*:*:*:*:*:*:*"}}, 12);
  // busybox before 1.36.0; an app vulnerable only on a hardware platform; an
  // app vulnerable when running on Linux; ffmpeg before 5.1.7 and (a
  // second record) before 5.1.6.
  const std::string nvd = R"({"resultsPerPage":4,"vulnerabilities":[
    {"cve":{"id":"CVE-2022-48174","lastModified":"2023-09-01T00:00:00.000","vulnStatus":"Analyzed",
      "descriptions":[{"lang":"en","value":"stack overflow in ash"}],
      "metrics":{"cvssMetricV31":[{"source":"nvd@nist.gov","type":"Primary",
        "cvssData":{"version":"3.1","vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8}}]},
      "configurations":[{"nodes":[{"operator":"OR","negate":false,"cpeMatch":[{"vulnerable":true,
        "criteria":"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*","versionEndExcluding":"1.36.0"}]}]}]}},
    {"cve":{"id":"CVE-2099-0001","lastModified":"2024-01-01T00:00:00.000",
      "configurations":[{"operator":"AND","nodes":[
        {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"}]},
        {"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:h:acme:widget:-:*:*:*:*:*:*:*"}]}]}]}},
    {"cve":{"id":"CVE-2099-0002","lastModified":"2024-01-01T00:00:00.000",
      "configurations":[{"operator":"AND","nodes":[
        {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*",
          "versionStartIncluding":"1.36.0","versionEndIncluding":"1.36.1"}]},
        {"operator":"OR","cpeMatch":[{"vulnerable":false,"criteria":"cpe:2.3:o:linux:linux_kernel:*:*:*:*:*:*:*:*",
          "versionStartIncluding":"6.0"}]}]},
        {"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*"}]}]}]}},
    {"cve":{"id":"CVE-2099-0003","lastModified":"2024-01-01T00:00:00.000",
      "configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,
        "criteria":"cpe:2.3:a:ffmpeg:ffmpeg:*:*:*:*:*:*:*:*","versionEndExcluding":"5.1.7"}]}]}]}},
    {"cve":{"id":"CVE-2099-0004","lastModified":"2024-01-01T00:00:00.000",
      "configurations":[{"nodes":[{"operator":"OR","cpeMatch":[{"vulnerable":true,
        "criteria":"cpe:2.3:a:ffmpeg:ffmpeg:*:*:*:*:*:*:*:*","versionEndExcluding":"5.1.6"}]}]}]}}]})";
  auto imported = import("nvd.json", nvd);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->records, 5u);
  auto findings = scan(*db_, {});
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  std::vector<std::string> got;
  for (const auto& f : *findings) got.push_back(f.advisory + " " + f.product + " " + f.component + " " + f.severity);
  // CVE-2022-48174: busybox 1.35.0 only (1.36.1 is past the fix). CVE-2099-0001:
  // never (the platform is hardware, no component). CVE-2099-0002: router's
  // 1.36.1 running on Linux 6.1 (its wildcard second configuration matches
  // nothing). CVE-2099-0003: ffmpeg 7:5.1.6-1 compared as 5.1.6.
  EXPECT_EQ(got, (std::vector<std::string>{"CVE-2022-48174 camera busybox critical",
                                           "CVE-2099-0003 camera ffmpeg unknown",
                                           "CVE-2099-0002 router busybox unknown"}));
  const Finding& linux_only = findings->back();
  EXPECT_EQ(linux_only.rule, "NVD CVE-2099-0002 a:busybox:busybox >= 1.36.0, <= 1.36.1, with o:linux:linux_kernel >= 6.0");
  EXPECT_EQ(linux_only.evidence, "pkg:generic/busybox@1.36.1 (CPE cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*)");
  EXPECT_EQ((*findings)[1].evidence,
            "pkg:generic/ffmpeg@7%3A5.1.6-1 (CPE cpe:2.3:a:ffmpeg:ffmpeg:5.1.6:*:*:*:*:*:*:*, upstream version 5.1.6)");
  EXPECT_EQ((*findings)[0].fixed, "1.36.0");
}

// Real NVD records (tests/data/advisories/ORIGIN.md). CVE-2022-48174 covers
// BusyBox up to 1.36.1: a fingerprinted BusyBox 1.36.1 is affected, Alpine's
// package 1.36.1-r18 (a package manager's purl, matched by Alpine's own
// advisories, which know the fix it carries) is not. CVE-2020-13595 affects
// ESP-IDF only on the ESP32 hardware, which is no component: never a match.
TEST_P(ScanTest, RealNvdRecords) {
  const std::string dir = std::string(FWSEAL_SOURCE_DIR) + "/tests/data/advisories/";
  ASSERT_TRUE(add_sbom(*db_,
                       sbom_with(R"({"bom-ref":"b","type":"application","name":"busybox","version":"1.36.1",
    "purl":"pkg:generic/busybox@1.36.1","cpe":"cpe:2.3:a:busybox:busybox:1.36.1:*:*:*:*:*:*:*"},
    {"bom-ref":"e","type":"framework","name":"esp-idf","version":"4.1",
    "purl":"pkg:generic/esp-idf@4.1","cpe":"cpe:2.3:a:espressif:esp-idf:4.1:*:*:*:*:*:*:*"})",
                            21),
                       "sbom", "board", "3.0", false)
                  .ok());
  for (const char* f : {"nvd-CVE-2022-48174-busybox-cve-object.json", "nvd-CVE-2020-13595-espidf-on-esp32-AND.json"}) {
    auto r = import_advisories(*db_, dir + f);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->records, 1u) << f;
  }
  auto findings = scan(*db_, {});
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  ASSERT_EQ(findings->size(), 1u);
  const Finding& f = (*findings)[0];
  EXPECT_EQ(f.advisory, "CVE-2022-48174");
  EXPECT_EQ(f.product, "board");
  EXPECT_EQ(f.component, "busybox");
  ASSERT_TRUE(f.cvss.has_value());
  EXPECT_DOUBLE_EQ(*f.cvss, 9.8);
  EXPECT_EQ(f.severity, "critical");
  EXPECT_EQ(f.rule, "NVD CVE-2022-48174 a:busybox:busybox <= 1.36.1");
}

TEST_P(ScanTest, RealCve5RecordsBesideNvdsOfTheSameCve) {
  const std::string dir = std::string(FWSEAL_SOURCE_DIR) + "/tests/data/advisories/";
  auto component = [](const std::string& name, const std::string& version, const std::string& cpe) {
    return R"({"bom-ref":")" + name + version + R"(","type":"application","name":")" + name + R"(","version":")" +
           version + R"(","purl":"pkg:generic/)" + name + "@" + version + R"(","cpe":")" + cpe + "\"}";
  };
  // curl 8.9.0 is listed affected, 8.9.1 is not; Linux 6.12.5 falls in no
  // listed range under defaultStatus "affected", 6.12.10 in an unaffected
  // "6.12.*" wildcard, 6.1.100 below 6.12 (unaffected).
  ASSERT_TRUE(add_sbom(*db_,
                       sbom_with(component("curl", "8.9.0", "cpe:2.3:a:haxx:curl:8.9.0:*:*:*:*:*:*:*") + "," +
                                component("linux", "6.12.5", "cpe:2.3:o:linux:linux_kernel:6.12.5:*:*:*:*:*:*:*"),
                            31),
                       "sbom", "router", "1.0", false)
                  .ok());
  ASSERT_TRUE(add_sbom(*db_,
                       sbom_with(component("curl", "8.9.1", "cpe:2.3:a:haxx:curl:8.9.1:*:*:*:*:*:*:*") + "," +
                                component("linux", "6.12.10", "cpe:2.3:o:linux:linux_kernel:6.12.10:*:*:*:*:*:*:*") +
                                "," + component("linux", "6.1.100", "cpe:2.3:o:linux:linux_kernel:6.1.100:*:*:*:*:*:*:*"),
                            32),
                       "sbom", "router", "2.0", false)
                  .ok());
  for (const char* f : {"cve5-CVE-2024-7264-curl-lessThanOrEqual.json",
                        "cve5-CVE-2025-21631-linux-lessThan-and-lessThanOrEqual.json", "cve5-CVE-2025-4565-lessThan.json"}) {
    auto r = import_advisories(*db_, dir + f);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->records, 1u) << f;
    EXPECT_EQ(r->added, 1u) << f;
  }
  auto findings = scan(*db_, {});
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  std::vector<std::string> got;
  for (const auto& f : *findings) got.push_back(f.product + "@" + f.version + " " + f.component + "@" + f.component_version + " " + f.advisory);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"router@1.0 curl@8.9.0 CVE-2024-7264", "router@1.0 linux@6.12.5 CVE-2025-21631"}));
  for (const auto& f : *findings)
    if (f.component == "linux") {
      EXPECT_EQ(f.rule, "CVE CVE-2025-21631 linux:linux_kernel: = 6.12; > 6.12, < 6.12.10");
      EXPECT_EQ(f.fixed, "6.12.10");
      // The CISA ADP container's CVSS 3.1 vector, scored here.
      EXPECT_EQ(f.cvss_vector, "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H");
      ASSERT_TRUE(f.cvss.has_value());
      EXPECT_DOUBLE_EQ(*f.cvss, 7.8);
      EXPECT_EQ(f.severity, "high");
    }
  // The same CVE from NVD is kept beside the CVE Program's record, and one
  // finding names both rules.
  const std::string nvd = R"({"id":"CVE-2024-7264","lastModified":"2025-01-01T00:00:00","configurations":[{"nodes":[
    {"operator":"OR","cpeMatch":[{"vulnerable":true,"criteria":"cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
      "versionStartIncluding":"7.32.0","versionEndExcluding":"8.9.1"}]}]}]})";
  auto r = import("nvd-curl.json", nvd);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->added, 1u);
  EXPECT_EQ(count("advisories"), "4");
  findings = scan(*db_, {});
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  ASSERT_EQ(findings->size(), 2u);
  for (const auto& f : *findings)
    if (f.component == "curl") {
      EXPECT_NE(f.rule.find("CVE CVE-2024-7264 haxx:curl: "), std::string::npos) << f.rule;
      EXPECT_NE(f.rule.find("; NVD CVE-2024-7264 a:haxx:curl >= 7.32.0, < 8.9.1"), std::string::npos) << f.rule;
      EXPECT_EQ(f.fixed, "8.9.1");
    }
}

// --new: only what the newest import added or changed, found through the
// components' indexes.
TEST_P(ScanTest, NewestImportOnly) {
  ASSERT_TRUE(import("dsa.json", kDsa).ok());
  ASSERT_TRUE(import("cve.json", kCve).ok());
  ScanOptions fresh;
  fresh.newest_import_only = true;
  auto first = scan(*db_, fresh);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->empty());  // the newest import (the CVE record) names no package
  auto alpine = import("alpine.json", R"({"id":"ALPINE-CVE-2099-1","modified":"2099-01-01T00:00:00Z",
    "affected":[{"package":{"ecosystem":"Alpine:v3.18","name":"BusyBox"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.36.1-r20"}]}]}]})");
  ASSERT_TRUE(alpine.ok()) << alpine.error().message;
  auto second = scan(*db_, fresh);
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0].advisory, "ALPINE-CVE-2099-1");
  EXPECT_EQ((*second)[0].product, "sensor");
  auto all = scan(*db_, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);  // gw 1.0's DSA finding too
  // The same file again changes nothing: nothing is new.
  ASSERT_TRUE(import("alpine2.json", R"({"id":"ALPINE-CVE-2099-1","modified":"2099-01-01T00:00:00Z",
    "affected":[{"package":{"ecosystem":"Alpine:v3.18","name":"BusyBox"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.36.1-r20"}]}]}]})")
                  .ok());
  auto third = scan(*db_, fresh);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->empty());
}

// Real OSV records of a distribution's own: Debian 9's openssl advisory
// never matches Debian 12's openssl (gw), and Alpine's musl record matches
// by the revision fixed in the component's own Alpine release.
TEST_P(ScanTest, RealOsvDistributionRecords) {
  const std::string dir = std::string(FWSEAL_SOURCE_DIR) + "/tests/data/advisories/";
  add("router", "1.0", {"pkg:apk/alpine/musl@1.2.4-r2?arch=aarch64&distro=alpine-3.18.4"}, 41);
  add("router", "2.0", {"pkg:apk/alpine/musl@1.2.4-r3?arch=aarch64&distro=alpine-3.18.4"}, 42);
  add("old-gw", "1.0", {"pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9&upstream=openssl"}, 43);
  for (const char* f : {"osv-debian9-openssl-DLA-3008-1.json", "osv-alpine-musl-ALPINE-CVE-2025-26519.json"}) {
    auto r = import_advisories(*db_, dir + f);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->added, 1u) << f;
  }
  auto findings = scan(*db_, {});
  ASSERT_TRUE(findings.ok()) << findings.error().message;
  std::vector<std::string> got;
  for (const auto& f : *findings) got.push_back(f.product + "@" + f.version + " " + f.advisory + " fixed " + f.fixed);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"old-gw@1.0 DLA-3008-1 fixed 1.1.0l-1~deb9u6",
                                           "router@1.0 ALPINE-CVE-2025-26519 fixed 1.2.4-r3"}));
}

INSTANTIATE_TEST_SUITE_P(Engines, ScanTest, kEngines, engine_name);

TEST(Osv, OrderOfEventsAndLastAffected) {
  auto a = parse_osv(R"({"id":"G-1","modified":"t","affected":[{"package":{"ecosystem":"npm","name":"left-pad"},
    "ranges":[{"type":"SEMVER","events":[{"introduced":"2.0.0"},{"last_affected":"2.3.0"},
                                         {"introduced":"1.0.0"},{"fixed":"1.5.0"}]}],
    "versions":["3.0.0-beta.1"]}]})",
                     "g.json");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->affected.size(), 1u);
  const auto& e = a->affected[0];
  EXPECT_EQ(e.rule, "OSV npm left-pad: >= 1.0.0, < 1.5.0; >= 2.0.0, <= 2.3.0; 1 listed versions");
  for (const char* v : {"1.0.0", "1.4.9", "2.0.0", "2.3.0", "3.0.0-beta.1"}) EXPECT_TRUE(affects(e, v)) << v;
  for (const char* v : {"0.9.0", "1.5.0", "1.9.0", "2.3.1", "3.0.0"}) EXPECT_FALSE(affects(e, v)) << v;
  EXPECT_EQ(fixed_version(e, "1.2.0"), "1.5.0");
  EXPECT_EQ(fixed_version(e, "2.1.0"), "");  // last_affected: no fix known
}

TEST(Osv, DebianEpochsAndTildesInDpkgOrder) {
  auto a = parse_osv(R"({"id":"DLA-1","modified":"t","affected":[{"package":{"ecosystem":"Debian:12","name":"ffmpeg"},
    "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7:5.1.6-0+deb12u1"}]}]}]})",
                     "d.json");
  ASSERT_TRUE(a.ok()) << a.error().message;
  const auto& e = a->affected[0];
  EXPECT_EQ(e.distro, "debian-12");
  EXPECT_TRUE(affects(e, "7:5.1.5-0+deb12u1"));
  EXPECT_TRUE(affects(e, "5.1.7-1"));  // no epoch: epoch 0, older than any 7:
  EXPECT_FALSE(affects(e, "7:5.1.6-0+deb12u1"));
  EXPECT_FALSE(affects(e, "7:5.1.6-1"));
}

}  // namespace
}  // namespace fwseal::inventory

namespace fwseal::inventory {
namespace {

TEST(Cve5, ProductStatusRules) {
  auto parse = [](const std::string& affected) {
    return parse_cve5(R"({"dataType":"CVE_RECORD","cveMetadata":{"cveId":"CVE-2099-0001","state":"PUBLISHED",
      "dateUpdated":"2099-01-01T00:00:00Z"},"containers":{"cna":{"affected":[)" + affected + "]}}}",
                      "r.json");
  };
  // defaultStatus "affected" with an unaffected range and a change inside
  // an affected range.
  auto a = parse(R"({"vendor":"Acme","product":"Widget Lib","defaultStatus":"affected","versions":[
    {"version":"0","lessThan":"1.0","status":"unaffected"},
    {"version":"2.0","lessThan":"3.0","status":"affected","changes":[{"at":"2.5","status":"unaffected"}]},
    {"version":"4.0","lessThanOrEqual":"4.2.*","status":"unaffected"}]})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->affected.size(), 1u);
  const auto& e = a->affected[0];
  EXPECT_EQ(e.purl_type, "cpe");
  EXPECT_EQ(e.purl_namespace, "acme");
  EXPECT_EQ(e.name, "widget_lib");
  for (const char* v : {"1.0", "1.9", "2.0", "2.4.9", "3.0", "3.9", "4.3", "9.0"}) EXPECT_TRUE(affects(e, v)) << v;
  for (const char* v : {"0.9", "2.5", "2.9", "4.0", "4.2.7"}) EXPECT_FALSE(affects(e, v)) << v;
  // Affected in every version: left out, as it would match whatever bears the name.
  a = parse(R"({"vendor":"acme","product":"all","defaultStatus":"affected"})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->affected.empty());
  a = parse(R"({"vendor":"n/a","product":"n/a","versions":[{"version":"n/a","status":"affected"}]})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(a->affected.empty());
  // A package in a known collection is matched by purl.
  a = parse(R"({"vendor":"x","product":"y","packageName":"left-pad","collectionURL":"https://www.npmjs.com/",
    "defaultStatus":"unaffected","versions":[{"version":"0","lessThan":"1.3.0","status":"affected","versionType":"semver"}]})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_EQ(a->affected.size(), 1u);
  EXPECT_EQ(a->affected[0].purl_type, "npm");
  EXPECT_EQ(a->affected[0].name, "left-pad");
  EXPECT_TRUE(affects(a->affected[0], "1.2.9"));
  EXPECT_FALSE(affects(a->affected[0], "1.3.0"));
}

TEST(Cve5, BadRecordsNameTheMember) {
  auto parse = [](const std::string& meta, const std::string& affected) {
    return parse_cve5(R"({"cveMetadata":)" + meta + R"(,"containers":{"cna":{"affected":[)" + affected + "]}}}", "r.json");
  };
  const std::string ok_meta = R"({"cveId":"CVE-2099-0002","state":"PUBLISHED"})";
  struct Case {
    std::string meta, affected, message;
  } cases[] = {
      {R"({"cveId":"X-1","state":"PUBLISHED"})", "", "r.json.cveMetadata.cveId: not a CVE id: \"X-1\""},
      {R"({"cveId":"CVE-2099-0002","state":"RESERVED"})", "",
       "r.json (CVE-2099-0002).cveMetadata.state: must be PUBLISHED or REJECTED, not \"RESERVED\""},
      {ok_meta, R"({"vendor":"a","product":"b","versions":[{"version":"1.0","status":"broken"}]})",
       "r.json (CVE-2099-0002).containers.cna.affected[0].versions[0].status: must be \"affected\", \"unaffected\" "
       "or \"unknown\", not \"broken\""},
      {ok_meta, R"({"vendor":"a","product":"b","versions":[{"version":"1.0","lessThan":"1 2","status":"affected"}]})",
       "r.json (CVE-2099-0002).containers.cna.affected[0].versions[0].lessThan: "},
      {ok_meta, R"({"vendor":"a","product":"b","versions":[{"version":"1.0","lessThanOrEqual":"x.*","status":"affected"}]})",
       "r.json (CVE-2099-0002).containers.cna.affected[0].versions[0].lessThanOrEqual: a wildcard after something "
       "other than a number: \"x.*\""},
  };
  for (const auto& c : cases) {
    auto a = parse(c.meta, c.affected);
    ASSERT_FALSE(a.ok()) << c.affected;
    EXPECT_EQ(a.error().code, Code::malformed);
    EXPECT_EQ(a.error().message.substr(0, c.message.size()), c.message);
  }
  auto rejected = parse_cve5(R"({"cveMetadata":{"cveId":"CVE-2099-0003","state":"REJECTED","dateRejected":"2099-02-02"}})", "r.json");
  ASSERT_TRUE(rejected.ok()) << rejected.error().message;
  EXPECT_EQ(rejected->withdrawn, "2099-02-02");
}

}  // namespace
}  // namespace fwseal::inventory
