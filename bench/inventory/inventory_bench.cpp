// The release inventory's benchmark data and query timings (bench/inventory/run.sh
// runs it; not part of ctest).
//
//   fwseal-bench-inventory generate DIR [PRODUCTS VERSIONS COMPONENTS]
//     Writes DIR/trust.json, DIR/pkgs/pNNN-vNNN.fwpkg (signed, version 2) and
//     the same SBOMs as DIR/sboms/pNNN-vNNN.json, from the Debian packages of
//     this machine (/var/lib/dpkg/status: real names, versions, source
//     packages and architectures). Each product carries COMPONENTS of them;
//     each new version of a product moves about one component in ten to a
//     newer revision, as a firmware line does between releases. Also writes
//     DIR/queries.txt: 100 queries (a purl and a vers: range each) over
//     components the inventory holds.
//   fwseal-bench-inventory advisories DIR COUNT FIRST POOL_PERMILLE
//     Writes COUNT OSV records (DIR/DEBIAN-CVE-2099-NNNNNN.json, numbered from
//     FIRST) for Debian 12 source packages, as a distribution's advisory feed
//     has them: POOL_PERMILLE in 1000 name a source package of this machine
//     (so of the inventory generated here), the rest other packages. Of each
//     kind, 8 in 10 are fixed before any version shipped (they match nothing
//     but are compared), 1 in 10 fixed after every version (a match), 1 in 10
//     not fixed (a match); half carry a CVSS v3.1 vector.
//   fwseal-bench-inventory query DB DIR/queries.txt
//     Runs each query once through the library (as `fwseal inventory query`
//     does, output formatting aside) and prints hits, p50, p95 and max in ms.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fwseal/format/trust.h"
#include "fwseal/inventory/query.h"
#include "fwseal/inventory/store.h"
#include "fwseal/testing/package_builder.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct DebPackage {
  std::string name, version, source, arch;
};

std::vector<DebPackage> dpkg_status() {
  std::ifstream in("/var/lib/dpkg/status");
  std::vector<DebPackage> out;
  DebPackage p;
  bool installed = false;
  std::string line;
  auto flush = [&] {
    if (installed && !p.name.empty() && !p.version.empty()) {
      if (p.source.empty()) p.source = p.name;
      out.push_back(p);
    }
    p = {};
    installed = false;
  };
  while (std::getline(in, line)) {
    if (line.empty()) {
      flush();
      continue;
    }
    auto field = [&](const char* key) -> std::optional<std::string> {
      std::string k = std::string(key) + ": ";
      if (line.rfind(k, 0) == 0) return line.substr(k.size());
      return std::nullopt;
    };
    if (auto v = field("Package")) p.name = *v;
    else if (auto v2 = field("Version")) p.version = *v2;
    else if (auto v3 = field("Architecture")) p.arch = *v3;
    else if (auto v4 = field("Source")) p.source = v4->substr(0, v4->find(' '));
    else if (auto v5 = field("Status")) installed = v5->find(" installed") != std::string::npos;
  }
  flush();
  return out;
}

const char* kLicences[] = {"GPL-2.0-only", "GPL-2.0-or-later", "LGPL-2.1-or-later", "MIT", "BSD-3-Clause",
                           "Apache-2.0", "Zlib", "OpenSSL", "ISC", "GPL-3.0-or-later"};

std::string purl_of(const DebPackage& p, const std::string& version) {
  std::string purl = "pkg:deb/debian/" + p.name + "@" + version + "?arch=" + p.arch + "&distro=debian-12";
  if (p.source != p.name) purl += "&upstream=" + p.source;
  // purl percent-encoding: ':' in an epoch, '+' in a version.
  std::string out;
  for (char c : purl) {
    if (c == '+') out += "%2B";
    else out += c;
  }
  auto at = out.find('@');
  auto colon = out.find(':', at);
  if (colon != std::string::npos && colon < out.find('?')) out.replace(colon, 1, "%3A");
  return out;
}

int generate(const fs::path& dir, int products, int versions, int components) {
  auto pool = dpkg_status();
  if (pool.size() < static_cast<std::size_t>(components)) {
    std::fprintf(stderr, "only %zu installed packages in /var/lib/dpkg/status\n", pool.size());
    return 1;
  }
  fs::create_directories(dir / "pkgs");
  fs::create_directories(dir / "sboms");
  const auto& key = fwseal::test::test_key(fwseal::Algorithm::ed25519);
  auto trust = fwseal::serialize_trust(fwseal::test::trust_for({&key}));
  std::ofstream(dir / "trust.json") << *trust;
  std::mt19937 rng(20261203);
  std::map<std::string, int> seen_versions;  // component -> newest revision bump
  for (int p = 0; p < products; ++p) {
    std::vector<std::size_t> picked(pool.size());
    for (std::size_t i = 0; i < picked.size(); ++i) picked[i] = i;
    std::shuffle(picked.begin(), picked.end(), rng);
    picked.resize(static_cast<std::size_t>(components));
    std::vector<int> bump(picked.size(), 0);
    for (int v = 0; v < versions; ++v) {
      if (v > 0)
        for (auto& b : bump)
          if (rng() % 10 == 0) ++b;
      json comps = json::array(), deps = json::array();
      for (std::size_t i = 0; i < picked.size(); ++i) {
        const DebPackage& d = pool[picked[i]];
        std::string version = d.version + (bump[i] ? "+fw" + std::to_string(bump[i]) : "");
        std::string ref = "c" + std::to_string(i);
        comps.push_back({{"bom-ref", ref},
                         {"type", "library"},
                         {"name", d.name},
                         {"version", version},
                         {"purl", purl_of(d, version)},
                         {"licenses", json::array({{{"license", {{"id", kLicences[picked[i] % 10]}}}}})}});
        deps.push_back(ref);
      }
      comps.push_back({{"bom-ref", "image:rootfs"}, {"type", "firmware"}, {"name", "rootfs"}});
      char name[32];
      std::snprintf(name, sizeof name, "p%03d-v%03d", p, v);
      json bom = {{"bomFormat", "CycloneDX"},
                  {"specVersion", "1.6"},
                  {"version", 1},
                  {"metadata", {{"component", {{"type", "firmware"}, {"name", "product-" + std::to_string(p)}}}}},
                  {"components", comps},
                  {"dependencies", json::array({{{"ref", "image:rootfs"}, {"dependsOn", deps}}})}};
      std::string sbom = bom.dump();
      std::ofstream(dir / "sboms" / (std::string(name) + ".json")) << sbom;
      fwseal::test::PackageBuilder b(64, 64);
      b.use_version_2();
      b.manifest.product = "product-" + std::to_string(p);
      b.manifest.version = "1." + std::to_string(v) + ".0";
      b.sbom = sbom;
      b.sign_with(key);
      std::ofstream(dir / "pkgs" / (std::string(name) + ".fwpkg"), std::ios::binary) << b.build();
    }
    if (p == 0) {
      // 100 queries: components of product 0, each with a range ending at its
      // newest version there, so every query has hits.
      std::ofstream q(dir / "queries.txt");
      for (int i = 0; i < 100; ++i) {
        const DebPackage& d = pool[picked[static_cast<std::size_t>(i)]];
        std::string version = d.version + (bump[static_cast<std::size_t>(i)] ? "+fw" + std::to_string(bump[static_cast<std::size_t>(i)]) : "");
        std::string escaped;
        for (char c : version) escaped += c == '+' ? std::string("%2B") : c == ':' ? std::string("%3A") : std::string(1, c);
        q << "pkg:deb/debian/" << d.name << " vers:deb/<" << escaped << "\n";
      }
    }
    if ((p + 1) % 10 == 0 || p + 1 == products) std::fprintf(stderr, "generated %d/%d products\n", p + 1, products);
  }
  return 0;
}

int query(const std::string& db_spec, const std::string& queries_path) {
  auto db = fwseal::inventory::open_inventory(db_spec);
  if (!db.ok()) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  std::ifstream in(queries_path);
  std::string purl, range;
  std::vector<double> ms;
  std::size_t hits = 0;
  while (in >> purl >> range) {
    fwseal::inventory::Query q;
    q.purl = fwseal::inventory::PurlQuery::parse(purl).value();
    q.range = fwseal::inventory::VersionRange::parse(range).value();
    auto t0 = std::chrono::steady_clock::now();
    auto r = fwseal::inventory::run_query(**db, q);
    auto t1 = std::chrono::steady_clock::now();
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.error().message.c_str());
      return 1;
    }
    hits += r->size();
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double f) { return ms[static_cast<std::size_t>(f * static_cast<double>(ms.size() - 1))]; };
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("queries %zu hits %zu p50_ms %.2f p95_ms %.2f max_ms %.2f peak_rss_mib %.1f\n", ms.size(), hits, at(0.5),
              at(0.95), ms.back(), static_cast<double>(ru.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace

int advisories(const fs::path& dir, int count, int first, int pool_permille) {
  auto pool = dpkg_status();
  std::map<std::string, std::string> sources;  // source package -> a version of it
  for (const auto& p : pool) sources.emplace(p.source, p.version);
  std::vector<std::pair<std::string, std::string>> names(sources.begin(), sources.end());
  const char* kVectors[] = {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N",
                            "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"};
  fs::create_directories(dir);
  std::mt19937 rng(static_cast<unsigned>(first) * 7919u + 13u);
  for (int i = 0; i < count; ++i) {
    const int n = first + i;
    std::string source, version;
    if (static_cast<int>(rng() % 1000) < pool_permille) {
      const auto& pick = names[rng() % names.size()];
      source = pick.first;
      version = pick.second;
    } else {
      source = "bench-src-" + std::to_string(rng() % 4000);
      version = "1.0-1";
    }
    json events = json::array({{{"introduced", "0"}}});
    const auto kind = rng() % 10;
    if (kind < 8) events.push_back({{"fixed", "0.0.1"}});
    else if (kind == 8) events.push_back({{"fixed", version + "+fw99"}});
    char id[32], cve[32];
    std::snprintf(id, sizeof id, "DEBIAN-CVE-2099-%06d", n);
    std::snprintf(cve, sizeof cve, "CVE-2099-%06d", n);
    json record = {{"schema_version", "1.6.0"},
                   {"id", id},
                   {"modified", "2099-01-01T00:00:00Z"},
                   {"aliases", json::array({cve})},
                   {"summary", source + " - benchmark advisory"},
                   {"affected", json::array({{{"package", {{"ecosystem", "Debian:12"}, {"name", source}}},
                                              {"ranges", json::array({{{"type", "ECOSYSTEM"}, {"events", events}}})}}})}};
    if (rng() % 2) record["severity"] = json::array({{{"type", "CVSS_V3"}, {"score", kVectors[rng() % 4]}}});
    std::ofstream(dir / (std::string(id) + ".json")) << record.dump();
  }
  return 0;
}

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() >= 2 && a[0] == "generate") {
    int products = a.size() > 2 ? std::stoi(a[2]) : 100;
    int versions = a.size() > 3 ? std::stoi(a[3]) : 100;
    int components = a.size() > 4 ? std::stoi(a[4]) : 300;
    return generate(a[1], products, versions, components);
  }
  if (a.size() == 3 && a[0] == "query") return query(a[1], a[2]);
  if (a.size() == 5 && a[0] == "advisories") return advisories(a[1], std::stoi(a[2]), std::stoi(a[3]), std::stoi(a[4]));
  std::fprintf(stderr,
               "usage: fwseal-bench-inventory generate DIR [PRODUCTS VERSIONS COMPONENTS]\n"
               "       fwseal-bench-inventory query DB QUERIES\n"
               "       fwseal-bench-inventory advisories DIR COUNT FIRST POOL_PERMILLE\n");
  return 2;
}
