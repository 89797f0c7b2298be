// Invariant 5, end to end: a package made by the packager and signed in a
// SoftHSM2 token, then more than 2,000 single-bit flips spread over every
// region (each tar header, the manifest, padding, every image, both
// signature entries, the end of the archive). fwseal-verify must refuse each
// one with a code from 10 to 15: never accept, never crash.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

struct Region {
  std::string name;
  std::size_t begin, end, stride;
};

// Flips bits all over `pkg` (valid for `trust`, checked with `extra` device
// arguments) and checks that fwseal-verify refuses every one.
void sweep(const Workspace& ws, const std::string& pkg, const std::string& trust, const std::vector<std::string>& extra) {
  auto verify_args = [&](const std::string& file) {
    std::vector<std::string> a{file, "--trust", trust};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  ASSERT_EQ(ws.verify(verify_args(pkg)).exit_code, 0);
  const std::string good = read_bytes(pkg);

  // Where every entry sits, from the format's own layout of this manifest.
  auto header = parse_tar_header(good.substr(0, 512), "t");
  ASSERT_TRUE(header.ok());
  auto manifest = parse_manifest(good.substr(512, header->size));
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  auto layout = compute_layout(manifest->content, header->size);
  ASSERT_TRUE(layout.ok());

  std::vector<Region> regions;
  for (const auto& e : *layout) {
    regions.push_back({e.name + " header", e.header_offset, e.data_offset, 2});
    regions.push_back({e.name + " data", e.data_offset, e.data_offset + e.data_size, e.data_size > 4000 ? std::size_t{97} : std::size_t{3}});
    if (e.data_offset + e.data_size < e.end_offset)  // signatures.json is whole blocks: no padding
      regions.push_back({e.name + " padding", e.data_offset + e.data_size, e.end_offset, 3});
  }
  // Version 1 only: signature entries, each one header block, the envelope,
  // its padding. (Version 2's signatures.json is in the layout above.)
  std::size_t at = layout->back().end_offset;
  const bool entries_last = layout->at(1).kind != EntryLayout::Kind::signatures;
  for (int s = 0; entries_last && s < 2; ++s) {
    auto h = parse_tar_header(good.substr(at, 512), "sig");
    ASSERT_TRUE(h.ok()) << h.error().message;
    regions.push_back({h->name + " header", at, at + 512, 2});
    regions.push_back({h->name + " data", at + 512, at + 512 + h->size, 1});
    regions.push_back({h->name + " padding", at + 512 + h->size, at + 512 + padded_size(h->size), 3});
    at += 512 + padded_size(h->size);
  }
  regions.push_back({"end of archive", at, good.size(), 2});
  ASSERT_EQ(at + 1024, good.size());

  // Every flip, then each checked by its own fwseal-verify run, a few at a
  // time (a sanitizer build starts each run slowly).
  struct Flip {
    const Region* region;
    std::size_t offset;
    RunResult result;
  };
  std::vector<Flip> all;
  for (const auto& r : regions)
    for (std::size_t off = r.begin; off < r.end; off += r.stride) all.push_back({&r, off, {}});
  std::atomic<std::size_t> next{0};
  auto worker = [&](int id) {
    const std::string victim = ws.path("victim-" + std::to_string(id) + ".fwpkg");
    for (std::size_t i; (i = next.fetch_add(1)) < all.size();) {
      std::string bytes = good;
      const std::size_t off = all[i].offset;
      bytes[off] = static_cast<char>(bytes[off] ^ (1 << (off % 8)));
      write_bytes(victim, bytes);
      all[i].result = ws.verify(verify_args(victim));
    }
  };
  std::vector<std::thread> pool;
  for (int id = 0; id < 4; ++id) pool.emplace_back(worker, id);
  for (auto& t : pool) t.join();

  std::map<int, int> by_code;
  std::map<std::string, int> per_region;
  int flips = 0;
  for (const auto& f : all) {
    const RunResult& v = f.result;
    ASSERT_GE(v.exit_code, 10) << f.region->name << " offset " << f.offset << " accepted or crashed: " << v.err;
    ASSERT_LE(v.exit_code, 15) << f.region->name << " offset " << f.offset << ": " << v.err;
    ASSERT_FALSE(v.err.empty()) << f.region->name << " offset " << f.offset;
    ++by_code[v.exit_code];
    ++per_region[f.region->name];
    ++flips;
  }
  for (const auto& r : regions) EXPECT_GT(per_region[r.name], 0) << r.name;
  EXPECT_GE(flips, 2000);
  EXPECT_GT(by_code[10], 0);
  EXPECT_GT(by_code[11], 0);  // image data
  std::string summary;
  for (auto [code, n] : by_code) summary += " exit " + std::to_string(code) + ": " + std::to_string(n) + ";";
  std::printf("%d flips refused:%s\n", flips, summary.c_str());
}

TEST(Tamper, EverySingleBitFlipIsRefused) {
  Workspace ws("tamper");
  ws.keygen("ed", "ed25519");
  ws.keygen("p256", "ecdsa-p256");
  std::string pkg = ws.signed_package({"ed", "p256"});
  std::string trust = ws.trust({"ed", "p256"}, {"--threshold", "2"});
  sweep(ws, pkg, trust, {});
}

// The same over a package whose rootfs is encrypted (docs/FORMAT.md
// "Encrypted images"), checked with the device class's key so that every
// flip that got past the package's own rules would meet decryption too.
TEST(Tamper, EverySingleBitFlipOfAnEncryptedPackageIsRefused) {
  Workspace ws("tamper");
  ws.keygen("ed", "ed25519");
  ws.keygen("p256", "ecdsa-p256");
  const std::string spec = ws.write_spec();
  auto g = run({"openssl", "genpkey", "-algorithm", "X25519", "-out", ws.path("device.pem")});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  ASSERT_EQ(run({"openssl", "pkey", "-in", ws.path("device.pem"), "-pubout", "-out", ws.path("device.pub.pem")}).exit_code, 0);
  std::string text = read_bytes(spec);
  const std::string plain_rootfs = R"({"name": "rootfs", "type": "rootfs", "path": "b.bin"})";
  ASSERT_NE(text.find(plain_rootfs), std::string::npos);
  text.replace(text.find(plain_rootfs), plain_rootfs.size(),
               R"({"name": "rootfs", "type": "rootfs", "path": "b.bin",
                   "encryption": {"recipients": ["device.pub.pem"], "chunk_size": 4096}})");
  write_bytes(spec, text);
  write_bytes(ws.path("secret"), std::string(32, 's'));
  ASSERT_EQ(::chmod(ws.path("secret").c_str(), 0600), 0);
  const std::string pkg = ws.path("enc.fwpkg");
  auto p = ws.fwseal({"package", "--spec", spec, "-o", pkg, "--encryption-secret", ws.path("secret")});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const char* key : {"ed", "p256"}) ASSERT_EQ(ws.fwseal({"sign", pkg, "--key", ws.key_uri(key)}).exit_code, 0);
  std::string trust = ws.trust({"ed", "p256"}, {"--threshold", "2"});
  sweep(ws, pkg, trust, {"--decrypt-key", ws.path("device.pem")});
}

}  // namespace
}  // namespace fwseal::test
