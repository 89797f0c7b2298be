// Packages with encrypted images: what the manifest records, the ciphertext
// in the entry, and the same bytes on every build.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "fwseal/format/encryption.h"
#include "fwseal/format/layout.h"
#include "encrypting_copy.h"
#include "fwseal/testing/matchers.h"
#include "package_test_support.h"

namespace fwseal::packager {
namespace {

using namespace fwseal::packager::package_test;  // the shared helpers of package_test_support.h
using test::IsError;
using ::testing::HasSubstr;

// A device-class key pair: the private half as PEM in dir/NAME.pem, the public half in dir/NAME.pub.pem.
void make_recipient(const TempDir& dir, const std::string& name, const char* type, const char* curve = nullptr) {
  ossl::PKey key(curve ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, curve) : EVP_PKEY_Q_keygen(nullptr, nullptr, type));
  ASSERT_TRUE(key);
  for (bool priv : {true, false}) {
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    ASSERT_EQ(priv ? PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr)
                   : PEM_write_bio_PUBKEY(bio.get(), key.get()),
              1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    write_bytes(dir / (name + (priv ? ".pem" : ".pub.pem")), std::string(data, static_cast<std::size_t>(len)));
  }
}

struct Fixture {
  TempDir dir;
  std::vector<Image> images{{"boot", "bootloader", random_bytes(1000, 1)},
                            {"rootfs", "rootfs", random_bytes((std::size_t{5} << 20) + 7, 2)},
                            {"empty", "config", ""}};
  std::unique_ptr<enc::SoftwareSecret> secret =
      std::move(enc::SoftwareSecret::create(std::string(32, 'k'), "test secret").value());

  Fixture() {
    make_recipient(dir, "fleet-a", "X25519");
    make_recipient(dir, "fleet-b", "EC", "P-256");
  }
  Spec spec(const json& rootfs_encryption, const json& empty_encryption = nullptr) {
    for (const auto& img : images) write_bytes(dir / ("fw/" + img.name + ".bin"), img.bytes);
    json j = spec_json(images);
    j["created"] = 1700000000;
    j["images"][1]["encryption"] = rootfs_encryption;
    if (!empty_encryption.is_null()) j["images"][2]["encryption"] = empty_encryption;
    write_bytes(dir / "spec.json", j.dump(2));
    auto s = load_spec(dir / "spec.json");
    if (!s.ok()) throw std::runtime_error(s.error().message);
    return std::move(s).value();
  }
  PackageOptions options(const std::string& out) {
    PackageOptions o = to(dir / out);
    o.encryption_secret = secret.get();
    return o;
  }
};

// The bytes of image entry `i` of the package at `path`.
std::string entry_data(const std::string& path, const PackageResult& r, std::size_t i) {
  auto layout = compute_layout(r.manifest, r.manifest_bytes.size());
  EXPECT_TRUE(layout.ok());
  const EntryLayout& e = (*layout)[2 + i];  // manifest, signatures.json, then the images (no SBOM here)
  return read_bytes(path).substr(static_cast<std::size_t>(e.data_offset), static_cast<std::size_t>(e.data_size));
}

std::string decrypt_with(const std::string& pem, const Manifest& m, std::size_t i, const std::string& ciphertext) {
  const ImageInfo& img = m.images[i];
  const enc::ImageContext c{m.product, m.version, img.name, img.encryption->plaintext_size, img.encryption->chunk_size};
  auto key = enc::load_recipient_private_pem(pem);
  EXPECT_TRUE(key.ok());
  auto data_key = enc::unwrap_data_key(img.encryption->recipients, **key, c, "image/" + img.name);
  EXPECT_TRUE(data_key.ok()) << data_key.error().message;
  std::string out;
  auto d = enc::ChunkDecryptor::create(*data_key, c, "image/" + img.name, [&](std::span<const std::uint8_t> b) {
    out.append(reinterpret_cast<const char*>(b.data()), b.size());
    return Status{};
  });
  EXPECT_TRUE(d->update({reinterpret_cast<const std::uint8_t*>(ciphertext.data()), ciphertext.size()}).ok());
  auto digest = d->finish();
  EXPECT_TRUE(digest.ok());
  EXPECT_EQ(*digest, img.encryption->plaintext_sha256);
  return out;
}

TEST(PackageEncryption, EncryptedImagesDecryptForEachRecipientAndPlainOnesStayPlain) {
  Fixture f;
  Spec spec = f.spec({{"recipients", {"fleet-a.pub.pem", "fleet-b.pub.pem"}}, {"chunk_size", 4096}},
                     {{"recipients", {"fleet-b.pub.pem"}}});
  auto r = build_package(spec, f.options("enc.fwpkg"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Manifest& m = r->manifest;
  EXPECT_FALSE(m.images[0].encryption);
  const std::size_t boot = r->manifest_bytes.find("\"name\":\"boot\"");
  ASSERT_NE(boot, std::string::npos);
  const std::string boot_entry = r->manifest_bytes.substr(boot, r->manifest_bytes.find('}', boot) - boot);
  EXPECT_EQ(boot_entry.find("encryption"), std::string::npos) << boot_entry;  // a plain image: no encryption fields
  ASSERT_TRUE(m.images[1].encryption);
  const auto& e = *m.images[1].encryption;
  EXPECT_EQ(e.plaintext_size, f.images[1].bytes.size());
  EXPECT_EQ(e.plaintext_sha256, sha256(f.images[1].bytes));
  EXPECT_EQ(e.chunk_size, 4096u);
  ASSERT_EQ(e.recipients.size(), 2u);
  EXPECT_LT(e.recipients[0].recipient, e.recipients[1].recipient);
  EXPECT_EQ(m.images[1].size, enc::ciphertext_size(f.images[1].bytes.size(), 4096));

  const std::string path = f.dir / "enc.fwpkg";
  EXPECT_EQ(entry_data(path, *r, 0), f.images[0].bytes);
  const std::string ct = entry_data(path, *r, 1);
  EXPECT_EQ(sha256(ct), m.images[1].sha256);  // what any verifier checks without a key
  EXPECT_EQ(ct.find(f.images[1].bytes.substr(100, 64)), std::string::npos);
  EXPECT_EQ(decrypt_with(f.dir / "fleet-a.pem", m, 1, ct), f.images[1].bytes);
  EXPECT_EQ(decrypt_with(f.dir / "fleet-b.pem", m, 1, ct), f.images[1].bytes);
  // An empty image is one chunk of 28 bytes.
  ASSERT_TRUE(m.images[2].encryption);
  EXPECT_EQ(m.images[2].size, 28u);
  EXPECT_EQ(decrypt_with(f.dir / "fleet-b.pem", m, 2, entry_data(path, *r, 2)), "");

  // Same spec, images and secret: the same bytes.
  auto again = build_package(spec, f.options("again.fwpkg"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(read_bytes(f.dir / "again.fwpkg"), read_bytes(path));
  // The ciphertext's whole pages written with O_DIRECT (forced for this small
  // package; its entries start at offsets inside a page): the same bytes.
  PackageOptions direct = f.options("direct.fwpkg");
  direct.direct_io_minimum = 0;
  auto d = build_package(spec, direct);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(read_bytes(f.dir / "direct.fwpkg") == read_bytes(path));
  // Another secret: other data keys, other ciphertext, the same plaintext digest.
  auto other_secret = std::move(enc::SoftwareSecret::create(std::string(32, 'j'), "other").value());
  PackageOptions o = f.options("other.fwpkg");
  o.encryption_secret = other_secret.get();
  auto other = build_package(spec, o);
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->manifest.images[1].sha256, m.images[1].sha256);
  EXPECT_EQ(other->manifest.images[1].encryption->plaintext_sha256, e.plaintext_sha256);
}

// The packager's three-thread copy reads, seals and writes in pieces of its
// own size; for chunks smaller and larger than those pieces, and an image
// that ends inside a chunk, its ciphertext is byte for byte what the format
// library's one-pass ChunkEncryptor makes with the same data key.
TEST(PackageEncryption, CiphertextIsTheOnePassEncryptorsForEveryChunkSize) {
  for (const std::uint32_t chunk : {4096u, 65536u, 1u << 20, 4u << 20}) {
    SCOPED_TRACE("chunk_size " + std::to_string(chunk));
    Fixture f;
    Spec spec = f.spec({{"recipients", {"fleet-a.pub.pem"}}, {"chunk_size", chunk}});
    PackageOptions o = f.options("enc.fwpkg");
    o.direct_io_minimum = 0;
    auto r = build_package(spec, o);
    ASSERT_TRUE(r.ok()) << r.error().message;
    const Manifest& m = r->manifest;
    const enc::ImageContext c{m.product, m.version, "rootfs", f.images[1].bytes.size(), chunk};
    auto key = enc::derive_data_key(*f.secret, c);
    ASSERT_TRUE(key.ok()) << key.error().message;
    std::string expected;
    auto e = enc::ChunkEncryptor::create(*key, c, [&](std::span<const std::uint8_t> b) {
      expected.append(reinterpret_cast<const char*>(b.data()), b.size());
      return Status{};
    });
    ASSERT_TRUE(e.ok());
    const std::string& plain = f.images[1].bytes;
    ASSERT_TRUE(e->update({reinterpret_cast<const std::uint8_t*>(plain.data()), plain.size()}).ok());
    auto digest = e->finish();
    ASSERT_TRUE(digest.ok());
    EXPECT_EQ(*digest, m.images[1].encryption->plaintext_sha256);
    EXPECT_TRUE(entry_data(f.dir / "enc.fwpkg", *r, 1) == expected);
    EXPECT_EQ(m.images[1].sha256, sha256(expected));
  }
}

// An image that is not the size it was measured at, shorter or longer (it
// changed while being read), is refused as a plain image's copy refuses it.
TEST(PackageEncryption, AnImageOfAnotherSizeThanMeasuredIsAnIoError) {
  TempDir dir;
  const std::string plain = random_bytes(300000, 7);
  write_bytes(dir / "in.bin", plain);
  Fd in(::open((dir / "in.bin").c_str(), O_RDONLY | O_CLOEXEC));
  for (std::uint64_t size : {299999ull, 300001ull, 5000000ull}) {
    SCOPED_TRACE(size);
    Fd out(::open((dir / "out.bin").c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    const enc::ImageContext c{"p", "1", "rootfs", size, 4096};
    auto secret = enc::SoftwareSecret::create(std::string(32, 's'), "test secret");
    ASSERT_TRUE(secret.ok());
    auto key = enc::derive_data_key(**secret, c);
    ASSERT_TRUE(key.ok()) << key.error().message;
    auto r = encrypt_copy(in.get(), "in.bin", *key, c, out.get(), 0, "out.bin", true);
    EXPECT_THAT(r, IsError(Code::io, "in.bin: changed size while being read (it was " + std::to_string(size) +
                                         " bytes); make sure nothing writes the image during packaging"));
  }
}

TEST(PackageEncryption, NoSecretNoPackage) {
  Fixture f;
  Spec spec = f.spec({{"recipients", {"fleet-a.pub.pem"}}});
  EXPECT_THAT(build_package(spec, to(f.dir / "x.fwpkg")),
              IsError(Code::usage, "image \"rootfs\" is to be encrypted (spec images[1].encryption): give the "
                                   "release's encryption secret (--encryption-secret FILE, or --encryption-key URI "
                                   "for a secret key in a token)"));
  EXPECT_FALSE(exists(f.dir / "x.fwpkg"));
  EXPECT_TRUE(temp_files(f.dir.path()).empty());
}

TEST(PackageEncryption, SpecNamesTheWrongRecipient) {
  Fixture f;
  auto bad = [&](const json& encryption) {
    try {
      f.spec(encryption);
      return std::string("accepted");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(bad({{"recipients", json::array()}}),
            "spec.images[1].encryption.recipients: at least one recipient public key is required");
  EXPECT_EQ(bad({{"recipients", {"fleet-a.pem"}}}),
            "spec.images[1].encryption.recipients[0]: " + f.dir / "fleet-a.pem" +
                ": not a PEM public key (-----BEGIN PUBLIC KEY-----)");
  EXPECT_EQ(bad({{"recipients", {"fleet-a.pub.pem", "fleet-a.pub.pem"}}}),
            "spec.images[1].encryption.recipients[1]: \"" + f.dir / "fleet-a.pub.pem" +
                "\" is the same key as spec.images[1].encryption.recipients[0]");
  EXPECT_EQ(bad({{"recipients", {"fleet-a.pub.pem"}}, {"chunk_size", 1000}}),
            "spec.images[1].encryption.chunk_size: 1000 is not a power of two from 4096 to 16777216");
  EXPECT_EQ(bad({{"recipient", {"fleet-a.pub.pem"}}}), "spec.images[1].encryption.recipient: unknown member");
  make_recipient(f.dir, "ed", "ED25519");
  EXPECT_EQ(bad({{"recipients", {"ed.pub.pem"}}}),
            "spec.images[1].encryption.recipients[0]: " + f.dir / "ed.pub.pem" +
                ": a ED25519 key; a recipient key is P-256 or X25519");
}

}  // namespace
}  // namespace fwseal::packager
