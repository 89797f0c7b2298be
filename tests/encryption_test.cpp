// Encrypted images from the command line (docs/FORMAT.md "Encrypted images"):
// a release secret and a recipient key inside a real SoftHSM2 token, an
// X25519 device key in a PEM file made by the openssl command, packages
// verified without keys and decrypted with them, and each way a package can
// be wrong after it was signed (so that only R27 or R28 can catch it).
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fwseal/base/digest.h"
#include "fwseal/format/encryption.h"
#include "fwseal/format/layout.h"
#include "fwseal/format/manifest.h"
#include "support/workspace.h"

namespace fwseal::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::uint32_t kChunk = 4096;

class Encryption : public ::testing::Test {
 protected:
  void SetUp() override {
    w.keygen("rel", "ed25519");
    w.keygen("fleet-a", "ecdh-p256");  // derive-only, inside the token
    auto s = w.fwseal({"hsm", "keygen", "--key", w.key_uri("secret"), "--alg", "hmac-sha256"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    for (const auto& name : {std::string("fleet-b"), std::string("stranger")}) {
      auto g = run({"openssl", "genpkey", "-algorithm", "X25519", "-out", w.path(name + ".pem")});
      ASSERT_EQ(g.exit_code, 0) << g.err;
      auto p = run({"openssl", "pkey", "-in", w.path(name + ".pem"), "-pubout", "-out", w.path(name + ".pub.pem")});
      ASSERT_EQ(p.exit_code, 0) << p.err;
    }
    plain = random_bytes(5 * kChunk + 100, 9);
    write_bytes(w.path("rootfs.bin"), plain);
    write_bytes(w.path("boot.bin"), std::string(1000, 'b'));
    trust = w.trust({"rel"});
  }

  // The spec, with `version`; rootfs encrypted for fleet-a (token) and fleet-b (file).
  std::string spec(const std::string& version = "1.0") {
    write_bytes(w.path("spec.json"), R"({"product": "cam", "version": ")" + version + R"(", "security_version": 1,
      "hardware": ["rev-b"], "created": 1790000000,
      "images": [{"name": "boot", "type": "bootloader", "path": "boot.bin"},
                 {"name": "rootfs", "type": "rootfs", "path": "rootfs.bin",
                  "encryption": {"recipients": ["fleet-a.pub.pem", "fleet-b.pub.pem"], "chunk_size": 4096}}]})");
    return w.path("spec.json");
  }
  std::string package(const std::string& name, const std::string& version = "1.0") {
    auto r = w.fwseal({"package", "--spec", spec(version), "-o", w.path(name), "--force", "--encryption-key",
                       w.key_uri("secret")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return w.path(name);
  }
  void sign(const std::string& pkg) {
    auto r = w.fwseal({"sign", pkg, "--key", w.key_uri("rel")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // A fresh directory to extract into.
  std::string dir(const std::string& name) {
    auto r = run({"mkdir", "-p", w.path(name)});
    EXPECT_EQ(r.exit_code, 0);
    return w.path(name);
  }

  Workspace w;
  std::string plain;
  std::string trust;
};

// The unsigned package's manifest and the offset of its rootfs entry's data.
struct Parsed {
  Manifest m;
  std::string manifest_bytes;
  std::uint64_t rootfs_offset = 0;
};
Parsed parse(const std::string& file) {
  const std::uint64_t size = std::stoull(file.substr(124, 11), nullptr, 8);
  auto um = parse_manifest(file.substr(512, static_cast<std::size_t>(size)));
  EXPECT_TRUE(um.ok()) << um.error().message;
  auto layout = compute_layout(um->content, um->bytes.size());
  EXPECT_TRUE(layout.ok());
  return {um->content, um->bytes, (*layout)[3].data_offset};
}

// Replaces `from` by `to` (same length) in the manifest of the unsigned package at `path`.
void edit_manifest(const std::string& path, const std::string& from, const std::string& to) {
  ASSERT_EQ(from.size(), to.size());
  std::string file = read_bytes(path);
  const std::size_t at = file.find(from, 512);
  ASSERT_NE(at, std::string::npos);
  ASSERT_LT(at, 512 + parse(file).manifest_bytes.size());
  file.replace(at, from.size(), to);
  write_bytes(path, file);
}

TEST_F(Encryption, VerifiesWithoutAKeyAndDecryptsForEachRecipient) {
  const std::string pkg = package("p.fwpkg");
  // Same spec, images and token secret: the same bytes.
  EXPECT_EQ(read_bytes(package("again.fwpkg")), read_bytes(pkg));
  const Parsed p = parse(read_bytes(pkg));
  ASSERT_TRUE(p.m.images[1].encryption);
  EXPECT_EQ(p.m.images[1].encryption->plaintext_sha256, sha256(plain));
  EXPECT_EQ(p.m.images[1].size, enc::ciphertext_size(plain.size(), kChunk));
  EXPECT_FALSE(p.m.images[0].encryption);
  sign(pkg);

  auto inspect = w.fwseal({"inspect", pkg});
  EXPECT_EQ(inspect.exit_code, 0);
  EXPECT_THAT(inspect.out, HasSubstr("    encrypted      aes-256-gcm-chunked-v1, chunks of 4096; plaintext 20580 bytes"));
  EXPECT_THAT(inspect.out, HasSubstr("    recipient      ecdh-p256 key "));
  EXPECT_THAT(inspect.out, HasSubstr("    recipient      x25519    key "));

  auto v = w.verify({pkg, "--trust", trust});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_THAT(v.out, StartsWith("VALID: cam 1.0"));
  auto vk = w.verify({pkg, "--trust", trust, "--decrypt-key", w.path("fleet-b.pem")});
  EXPECT_EQ(vk.exit_code, 0) << vk.err;
  EXPECT_THAT(vk.out, HasSubstr("decrypted: image/rootfs with " + w.path("fleet-b.pem")));
  auto vj = w.verify({pkg, "--trust", trust, "--decrypt-key", w.path("fleet-b.pem"), "--json"});
  EXPECT_EQ(nlohmann::json::parse(vj.out)["decrypted"], nlohmann::json::array({"rootfs"}));
  // fwseal verify also takes the key in its token; fwseal-verify, which loads
  // no PKCS#11 module, says where to take one.
  auto vt = w.fwseal({"verify", pkg, "--trust", trust, "--decrypt-key", w.key_uri("fleet-a")});
  EXPECT_EQ(vt.exit_code, 0) << vt.err;
  EXPECT_THAT(vt.out, HasSubstr("decrypted: image/rootfs with " + w.key_uri("fleet-a") +
                                ", plaintext sha256 as the manifest states\n"));
  auto vu = w.verify({pkg, "--trust", trust, "--decrypt-key", w.key_uri("fleet-a")});
  EXPECT_EQ(vu.exit_code, 2);
  EXPECT_THAT(vu.err, StartsWith("fwseal-verify: --decrypt-key names a key in a token, and fwseal-verify loads no "
                                 "PKCS#11 module: give a PEM key file, or check with `fwseal verify --decrypt-key "
                                 "URI` or `fwseal extract --decrypt-key URI`\n"));
  EXPECT_EQ(vu.out, "");

  const std::string by_token = dir("by-token"), by_file = dir("by-file");
  auto e1 = w.fwseal({"extract", pkg, "-C", by_token, "--trust", trust, "--decrypt-key", w.key_uri("fleet-a")});
  EXPECT_EQ(e1.exit_code, 0) << e1.err;
  EXPECT_THAT(e1.out, HasSubstr("  rootfs (20580 bytes, decrypted)"));
  EXPECT_EQ(read_bytes(by_token + "/rootfs"), plain);
  EXPECT_EQ(read_bytes(by_token + "/boot"), std::string(1000, 'b'));
  auto e2 = w.fwseal({"extract", pkg, "-C", by_file, "--trust", trust, "--decrypt-key", w.path("fleet-b.pem")});
  EXPECT_EQ(e2.exit_code, 0) << e2.err;
  EXPECT_EQ(read_bytes(by_file + "/rootfs"), plain);
}

TEST_F(Encryption, NoKeyOrAnotherKeyWritesNothing) {
  const std::string pkg = package("p.fwpkg");
  sign(pkg);
  const std::string out = dir("out");
  auto none = w.fwseal({"extract", pkg, "-C", out, "--trust", trust});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err, "fwseal: image/rootfs is encrypted: give the device class's key with --decrypt-key URI|FILE to "
                      "extract its plaintext; nothing was written\n");
  auto stranger = w.fwseal({"extract", pkg, "-C", out, "--trust", trust, "--decrypt-key", w.path("stranger.pem")});
  EXPECT_EQ(stranger.exit_code, 17);
  EXPECT_THAT(stranger.err, StartsWith("fwseal: R27: image/rootfs: not encrypted for key "));
  EXPECT_THAT(stranger.err, HasSubstr("(" + w.path("stranger.pem") + "); its recipients are "));
  EXPECT_TRUE(list_dir(out).empty());
  auto v = w.verify({pkg, "--trust", trust, "--decrypt-key", w.path("stranger.pem")});
  EXPECT_EQ(v.exit_code, 17);
  // The package itself is valid: without a key it verifies.
  EXPECT_EQ(w.verify({pkg, "--trust", trust}).exit_code, 0);
  // A secret that others may read is refused before anything is read.
  write_bytes(w.path("loose.secret"), std::string(32, 's'));
  auto loose = w.fwseal({"package", "--spec", spec(), "-o", w.path("x.fwpkg"), "--encryption-secret",
                         w.path("loose.secret")});
  EXPECT_EQ(loose.exit_code, 2);
  EXPECT_THAT(loose.err, HasSubstr("is open to group or others (mode 0644); make it readable by its owner only"));
}

// Issue 13, point 5: the SBOM of an encrypted image is made from its
// plaintext, and is signed inside the package with everything else.
TEST_F(Encryption, TheSbomDescribesThePlaintext) {
  write_bytes(w.path("components.json"),
              R"({"components": [{"name": "busybox", "version": "1.36.1", "license": "GPL-2.0-only", "image": "rootfs"}]})");
  std::string text = read_bytes(spec());
  text.insert(text.rfind('}'), R"(, "sbom": {"supplier": "Acme", "components": ["components.json"]})");
  write_bytes(w.path("spec.json"), text);
  const std::string pkg = w.path("s.fwpkg");
  auto r = w.fwseal({"package", "--spec", w.path("spec.json"), "-o", pkg, "--sbom-out", w.path("written.cdx.json"),
                     "--encryption-key", w.key_uri("secret")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  sign(pkg);
  auto x = w.fwseal({"sbom", "extract", pkg, "--trust", trust});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(x.out, read_bytes(w.path("written.cdx.json")));
  const Parsed p = parse(read_bytes(pkg));
  std::map<std::string, std::string> digest;  // component name -> its SHA-256
  const auto sbom = nlohmann::json::parse(x.out);
  for (const auto& c : sbom["components"])
    if (c.contains("hashes")) digest[c["name"].get<std::string>()] = c["hashes"][0]["content"].get<std::string>();
  EXPECT_EQ(digest["rootfs"], sha256_hex(plain));
  EXPECT_NE(digest["rootfs"], to_hex(p.m.images[1].sha256));  // not the ciphertext's
  EXPECT_EQ(digest["boot"], sha256_hex(std::string(1000, 'b')));
  EXPECT_THAT(x.out, HasSubstr(R"("name": "busybox")"));
  // A changed SBOM fails the signature like any other byte of the package.
  std::string file = read_bytes(pkg);
  const std::size_t at = file.find("busybox", 512 + p.manifest_bytes.size());
  ASSERT_NE(at, std::string::npos);
  file[at] = 'B';
  write_bytes(pkg, file);
  auto bad = w.fwseal({"sbom", "extract", pkg, "--trust", trust});
  EXPECT_EQ(bad.exit_code, 11) << bad.err;
}

TEST_F(Encryption, ATamperedChunkIsADigestMismatchBeforeDecryption) {
  const std::string pkg = package("p.fwpkg");
  sign(pkg);
  std::string file = read_bytes(pkg);
  const Parsed p = parse(file);
  file[p.rootfs_offset + 2 * (kChunk + enc::kChunkOverhead) + 40] ^= 1;
  write_bytes(pkg, file);
  EXPECT_THAT(w.verify({pkg, "--trust", trust}).err, StartsWith("fwseal-verify: R19: "));
  const std::string out = dir("out");
  auto e = w.fwseal({"extract", pkg, "-C", out, "--trust", trust, "--decrypt-key", w.path("fleet-b.pem")});
  EXPECT_EQ(e.exit_code, 11) << e.err;  // the package's own rule comes first
  EXPECT_TRUE(list_dir(out).empty());
}

// Signed packages whose manifest states what the packager never would: only
// decryption can tell.
TEST_F(Encryption, SignedButWrongEncryptionFailsR27OrR28) {
  const std::string out = dir("out");
  auto extract = [&](const std::string& pkg) {
    auto r = w.fwseal({"extract", pkg, "-C", out, "--trust", trust, "--decrypt-key", w.path("fleet-b.pem")});
    EXPECT_TRUE(list_dir(out).empty()) << pkg;
    return r;
  };
  // A wrapped key taken from the package of another version.
  {
    const Parsed other = parse(read_bytes(package("other.fwpkg", "1.1")));
    // Version 1.1's wrapped keys (same recipients, same lengths) put into version 1.0's manifest.
    const std::string target = package("p.fwpkg");
    const Parsed mine = parse(read_bytes(target));
    for (std::size_t r = 0; r < 2; ++r) {
      const auto& from = mine.m.images[1].encryption->recipients[r];
      const auto& to = other.m.images[1].encryption->recipients[r];
      edit_manifest(target, to_hex(from.wrapped), to_hex(to.wrapped));
      edit_manifest(target, to_hex(from.ephemeral_public), to_hex(to.ephemeral_public));
    }
    sign(target);
    EXPECT_EQ(w.verify({target, "--trust", trust}).exit_code, 0);  // signed as it is: valid without a key
    auto r = extract(target);
    EXPECT_EQ(r.exit_code, 17) << r.err;
    EXPECT_THAT(r.err, HasSubstr("R27: image/rootfs: the data key wrapped for "));
    EXPECT_THAT(r.err, HasSubstr(" does not unwrap: it was wrapped for another image or package, or altered"));
  }
  // A plaintext digest that is not the plaintext's.
  {
    const std::string pkg = package("digest.fwpkg");
    edit_manifest(pkg, sha256_hex(plain), std::string(64, '0'));
    sign(pkg);
    auto r = extract(pkg);
    EXPECT_EQ(r.exit_code, 11) << r.err;
    EXPECT_EQ(r.err, "fwseal: R28: image/rootfs: the decrypted image's SHA-256 is " + sha256_hex(plain) +
                         ", the manifest's plaintext_sha256 is " + std::string(64, '0') + "\n");
  }
  // Chunks 2 and 3 swapped, the ciphertext digest made to match: each chunk is
  // genuine, but not at its place.
  {
    const std::string pkg = package("swapped.fwpkg");
    std::string file = read_bytes(pkg);
    const Parsed p = parse(file);
    const std::size_t stored = kChunk + enc::kChunkOverhead;
    const std::size_t c1 = static_cast<std::size_t>(p.rootfs_offset) + stored;
    std::swap_ranges(file.begin() + static_cast<std::ptrdiff_t>(c1), file.begin() + static_cast<std::ptrdiff_t>(c1 + stored),
                     file.begin() + static_cast<std::ptrdiff_t>(c1 + stored));
    const std::string ct = file.substr(static_cast<std::size_t>(p.rootfs_offset), static_cast<std::size_t>(p.m.images[1].size));
    write_bytes(pkg, file);
    edit_manifest(pkg, to_hex(p.m.images[1].sha256), sha256_hex(ct));
    sign(pkg);
    EXPECT_EQ(w.verify({pkg, "--trust", trust}).exit_code, 0);
    auto r = extract(pkg);
    EXPECT_EQ(r.exit_code, 17) << r.err;
    EXPECT_EQ(r.err, "fwseal: R27: image/rootfs: chunk 2 of 6 does not authenticate (altered, moved, cut short, or "
                     "from another image or package)\n");
    auto v = w.verify({pkg, "--trust", trust, "--decrypt-key", w.path("fleet-b.pem"), "--json"});
    EXPECT_EQ(v.exit_code, 17);
    EXPECT_EQ(nlohmann::json::parse(v.out)["code"], "decryption");
  }
}

// Issue 13, point 4: a release file marks images encrypted and names the
// secret; `pipeline run` packages with it, and its reproducibility rebuild,
// in another environment from copies of the inputs, gives the same bytes.
class PipelineEncryption : public Encryption {
 protected:
  // rootfs encrypted for fleet-a (token) and fleet-b (file); `secret` is the
  // release's "encryption" member (empty: none).
  std::string release(const std::string& name, const std::string& secret, bool encrypted = true) {
    const std::string enc = encrypted ? R"(, "encryption": {"recipients": ["fleet-a.pub.pem", "fleet-b.pub.pem"], "chunk_size": 4096})" : "";
    write_bytes(w.path(name + ".json"), R"({"product": "cam", "version": "2.0", "security_version": 1,
      "created": 1790000000, "hardware": ["rev-b"],
      "images": [{"name": "boot", "type": "bootloader", "path": "boot.bin"},
                 {"name": "rootfs", "type": "rootfs", "path": "rootfs.bin")" + enc + R"(}],
      "signing": {"keys": [{"uri": ")" + w.key_uri("rel") + R"("}]},)" +
                                            (secret.empty() ? "" : R"( "encryption": )" + secret + ",") +
                                            R"( "output": "out/)" + name + R"("})");
    return w.path(name + ".json");
  }
  std::string token_secret() const { return R"({"key": ")" + w.key_uri("secret") + R"("})"; }
};

TEST_F(PipelineEncryption, RunWithATokenSecretIsReproducibleAndDecrypts) {
  auto r = w.fwseal({"pipeline", "run", release("tok", token_secret())});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const std::string pkg = w.path("out/tok/cam-2.0.fwpkg");
  auto report = nlohmann::json::parse(read_bytes(w.path("out/tok/report.json")));
  const auto& v = report["variants"][0];
  EXPECT_EQ(v["reproducibility"]["result"], "pass");
  EXPECT_EQ(v["reproducibility"]["manifest_sha256"]["released"], v["reproducibility"]["manifest_sha256"]["rebuilt"]);
  // The published package: rootfs stored encrypted, the manifest saying for whom.
  ASSERT_EQ(v["images"].size(), 2u);
  EXPECT_FALSE(v["images"][0].contains("encryption"));
  const auto& e = v["images"][1]["encryption"];
  EXPECT_EQ(e["plaintext_sha256"], sha256_hex(plain));
  EXPECT_EQ(e["plaintext_size"], plain.size());
  EXPECT_EQ(e["recipients"].size(), 2u);
  EXPECT_NE(v["images"][1]["sha256"], sha256_hex(plain));
  EXPECT_THAT(read_bytes(w.path("out/tok/report.html")),
              HasSubstr("encrypted (aes-256-gcm-chunked-v1) for 2 recipient keys; plaintext"));
  // The provenance names the image the build read: its plaintext's digest.
  auto envelope = nlohmann::json::parse(read_bytes(pkg + ".intoto.jsonl"));
  auto statement = nlohmann::json::parse(base64_decode(envelope["payload"].get<std::string>(), "payload").value());
  bool found = false;
  for (const auto& d : statement["predicate"]["buildDefinition"]["resolvedDependencies"])
    if (d["name"] == "rootfs.bin") {
      found = true;
      EXPECT_EQ(d["digest"]["sha256"], sha256_hex(plain));
    }
  EXPECT_TRUE(found);
  // A device of fleet-b decrypts what was released.
  auto x = w.fwseal({"extract", pkg, "-C", dir("x"), "--trust", trust, "--decrypt-key", w.path("fleet-b.pem")});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(read_bytes(w.path("x/rootfs")), plain);

  // A second run into another directory: the same bytes, signatures aside
  // (the manifest is what they sign).
  auto again = w.fwseal({"pipeline", "run", release("tok2", token_secret())});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto report2 = nlohmann::json::parse(read_bytes(w.path("out/tok2/report.json")));
  EXPECT_EQ(report2["variants"][0]["package"]["manifest_sha256"], v["package"]["manifest_sha256"]);
}

TEST_F(PipelineEncryption, RunWithASecretFileAndAChangedImageIsCaughtByTheRebuild) {
  write_bytes(w.path("release.secret"), std::string(32, 'k'));
  ASSERT_EQ(::chmod(w.path("release.secret").c_str(), 0600), 0);
  auto r = w.fwseal({"pipeline", "run", release("file", R"({"secret": "release.secret"})")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto report = nlohmann::json::parse(read_bytes(w.path("out/file/report.json")));
  EXPECT_EQ(report["variants"][0]["reproducibility"]["result"], "pass");
  auto x = w.fwseal({"extract", w.path("out/file/cam-2.0.fwpkg"), "-C", dir("xf"), "--trust", trust, "--decrypt-key",
                     w.path("fleet-b.pem")});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_EQ(read_bytes(w.path("xf/rootfs")), plain);

  // A rebuild whose rootfs differs by one byte: the encrypted entry and the
  // plaintext digest differ, and the run fails naming them.
  std::string text = read_bytes(w.path("file.json"));
  text.insert(text.rfind('}'), R"(, "reproducibility": {"rebuild_images": "cp \"$FWSEAL_RELEASE_DIR/boot.bin\" \"$FWSEAL_RELEASE_DIR/rootfs.bin\" \"$FWSEAL_REBUILD_DIR/\" && printf Z | dd of=\"$FWSEAL_REBUILD_DIR/rootfs.bin\" bs=1 seek=5000 conv=notrunc 2>/dev/null"})");
  write_bytes(w.path("file.json"), text);
  auto changed = w.fwseal({"pipeline", "run", w.path("file.json")});
  EXPECT_EQ(changed.exit_code, 10) << changed.err;
  EXPECT_THAT(changed.err, StartsWith("fwseal: repro: not reproducible: manifest sha256 "));
  EXPECT_THAT(changed.err, HasSubstr("image/rootfs"));
}

TEST_F(PipelineEncryption, ReleaseFileMistakesAreNamed) {
  auto missing = w.fwseal({"pipeline", "run", release("m", "")});
  EXPECT_EQ(missing.exit_code, 10);  // malformed
  EXPECT_EQ(missing.err, "fwseal: release.encryption: missing: an image is to be encrypted; name the release's "
                         "encryption secret, {\"key\": URI} or {\"secret\": FILE}\n");
  auto unused = w.fwseal({"pipeline", "run", release("u", token_secret(), false)});
  EXPECT_EQ(unused.exit_code, 10);  // malformed
  EXPECT_THAT(unused.err, HasSubstr("release.encryption: no image is to be encrypted"));
  auto both = w.fwseal({"pipeline", "run", release("b", R"({"key": "pkcs11:object=x", "secret": "boot.bin"})")});
  EXPECT_EQ(both.exit_code, 10);  // malformed
  EXPECT_THAT(both.err, HasSubstr("release.encryption: give the release's encryption secret as \"key\": URI"));
  write_bytes(w.path("loose.secret"), std::string(32, 's'));
  ASSERT_EQ(::chmod(w.path("loose.secret").c_str(), 0644), 0);
  auto loose = w.fwseal({"pipeline", "run", release("l", R"({"secret": "loose.secret"})")});
  EXPECT_NE(loose.exit_code, 0);
  EXPECT_THAT(loose.err, HasSubstr("release.encryption.secret: "));
  EXPECT_THAT(loose.err, HasSubstr("loose.secret"));
  auto recipient = w.fwseal({"pipeline", "run", [&] {
                               std::string f = release("r", token_secret());
                               std::string t = read_bytes(f);
                               t.replace(t.find("fleet-b.pub.pem"), 15, "boot.bin");
                               write_bytes(f, t);
                               return f;
                             }()});
  EXPECT_EQ(recipient.exit_code, 10);  // malformed
  EXPECT_THAT(recipient.err, HasSubstr("release.images[1].encryption.recipients[1]: "));
  auto wrong_key = w.fwseal({"pipeline", "run", release("k", R"({"key": ")" + w.key_uri("rel") + R"("})")});
  EXPECT_NE(wrong_key.exit_code, 0);
  EXPECT_THAT(wrong_key.err, StartsWith("fwseal: release.encryption.key: "));
  for (const char* name : {"m", "u", "b", "l", "r", "k"}) EXPECT_FALSE(std::filesystem::exists(w.path(std::string("out/") + name)));
}

}  // namespace
}  // namespace fwseal::test
