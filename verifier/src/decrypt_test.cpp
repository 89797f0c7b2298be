// DecryptingSink on its own: an image of several decryption jobs fed in
// pieces of any size, decrypted on the sink's thread; a chunk that fails to
// authenticate after the first job; an inner sink that fails mid-image.
#include "fwseal/verifier/decrypt.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <mutex>
#include <set>
#include <thread>

#include "fwseal/base/openssl.h"
#include "fwseal/testing/matchers.h"
#include "fwseal/testing/temp_dir.h"

namespace fwseal::verifier {
namespace {

using test::IsError;
using test::IsOk;

constexpr std::uint32_t kChunk = 64 * 1024;

// What reaches the inner sink, and from which threads; fails with Code::io
// once `fail_after` bytes have come, if set.
class Recorder final : public PackageSink {
 public:
  Status begin(const UnverifiedManifest&) override { return ok_status(); }
  Status begin_image(const ImageInfo&) override { return ok_status(); }
  Status image_data(std::string_view chunk) override {
    std::lock_guard lock(mu);
    threads.insert(std::this_thread::get_id());
    if (fail_after && data.size() + chunk.size() > *fail_after)
      return make_error(Code::io, "out/rootfs: write failed: No space left on device");
    data.append(chunk);
    return ok_status();
  }
  Status end_image() override { return ok_status(); }

  std::mutex mu;
  std::string data;
  std::set<std::thread::id> threads;
  std::optional<std::size_t> fail_after;
};

struct Encrypted {
  std::unique_ptr<enc::RecipientKey> device;
  UnverifiedManifest manifest;
  std::string plain;
  std::string ciphertext;
};

Encrypted make_encrypted(std::size_t size) {
  Encrypted e;
  test::TempDir dir;
  ossl::PKey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
  ossl::Bio bio(BIO_new_file((dir / "device.pem").c_str(), "w"));
  EXPECT_EQ(PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr), 1);
  bio = ossl::Bio();
  e.device = std::move(enc::load_recipient_private_pem(dir / "device.pem").value());

  e.plain = test::random_bytes(size, 4);
  Manifest& m = e.manifest.content;
  m.product = "cam";
  m.version = "1.0";
  const enc::ImageContext c{m.product, m.version, "rootfs", size, kChunk};
  auto secret = enc::SoftwareSecret::create(std::string(32, 's'), "test secret").value();
  const enc::DataKey data_key = enc::derive_data_key(*secret, c).value();
  auto encryptor = enc::ChunkEncryptor::create(data_key, c, [&](std::span<const std::uint8_t> b) {
    e.ciphertext.append(reinterpret_cast<const char*>(b.data()), b.size());
    return ok_status();
  });
  EXPECT_THAT(encryptor->update({reinterpret_cast<const std::uint8_t*>(e.plain.data()), size}), IsOk());
  enc::ImageEncryption enc_info;
  enc_info.chunk_size = kChunk;
  enc_info.plaintext_size = size;
  enc_info.plaintext_sha256 = encryptor->finish().value();
  enc_info.recipients.push_back(
      enc::wrap_data_key(data_key, enc::recipient_from_public_key(key.get(), "device").value(), c).value());
  m.images.push_back(ImageInfo{"rootfs", "rootfs", e.ciphertext.size(), sha256(e.ciphertext)});
  m.images[0].encryption = std::move(enc_info);
  return e;
}

// Feeds `ciphertext` through `sink` in pieces of the given sizes, in turn.
Status feed(DecryptingSink& sink, const Encrypted& e, std::string_view ciphertext) {
  FWSEAL_TRY(sink.begin(e.manifest));
  FWSEAL_TRY(sink.begin_image(e.manifest.content.images[0]));
  const std::size_t pieces[] = {1, 4095, 100000, 1u << 20, 333};
  for (std::size_t i = 0; !ciphertext.empty(); ++i) {
    const std::size_t n = std::min(ciphertext.size(), pieces[i % std::size(pieces)]);
    FWSEAL_TRY(sink.image_data(ciphertext.substr(0, n)));
    ciphertext.remove_prefix(n);
  }
  return sink.end_image();
}

TEST(DecryptingSink, DecryptsManyJobsOnItsOwnThread) {
  const Encrypted e = make_encrypted(3 * DecryptingSink::kJobBytes + 12345);
  Recorder inner;
  DecryptingSink sink(e.device.get(), &inner);
  ASSERT_THAT(feed(sink, e, e.ciphertext), IsOk());
  EXPECT_THAT(sink.result(), IsOk());
  EXPECT_EQ(sink.decrypted(), std::vector<std::string>{"rootfs"});
  EXPECT_TRUE(inner.data == e.plain);
  ASSERT_EQ(inner.threads.size(), 1u);
  EXPECT_NE(*inner.threads.begin(), std::this_thread::get_id());
}

TEST(DecryptingSink, AChunkAfterTheFirstJobFailsR27AndNothingOfItIsReleased) {
  static_assert(DecryptingSink::kJobBytes <= (std::size_t{2} << 20), "chunk 41 must lie beyond the first jobs");
  const Encrypted e = make_encrypted(std::size_t{3} << 20);  // 48 chunks
  // A byte of the 41st chunk (2.5 MiB in, several jobs on) flipped.
  std::string ct = e.ciphertext;
  const std::size_t stored = kChunk + enc::kChunkOverhead;
  ct[40 * stored + 100] = static_cast<char>(ct[40 * stored + 100] ^ 1);
  Recorder inner;
  DecryptingSink sink(e.device.get(), &inner);
  ASSERT_THAT(feed(sink, e, ct), IsOk());  // recorded, not returned: the package's verdict comes first
  EXPECT_THAT(sink.result(), IsError(Code::decryption, "R27: image/rootfs: chunk 41 of 48 does not authenticate "
                                                       "(altered, moved, cut short, or from another image or package)"));
  EXPECT_TRUE(sink.decrypted().empty());
  EXPECT_TRUE(inner.data == e.plain.substr(0, 40 * kChunk));  // the chunks before it, and not a byte more
}

TEST(DecryptingSink, TheInnerSinksFailureIsReturnedNotTakenForR27) {
  const Encrypted e = make_encrypted(3 * DecryptingSink::kJobBytes);
  Recorder inner;
  inner.fail_after = 2 * DecryptingSink::kJobBytes;
  DecryptingSink sink(e.device.get(), &inner);
  EXPECT_THAT(feed(sink, e, e.ciphertext), IsError(Code::io, "out/rootfs: write failed: No space left on device"));
  EXPECT_THAT(sink.result(), IsOk());
  EXPECT_LE(inner.data.size(), 2 * DecryptingSink::kJobBytes);
}

TEST(DecryptingSink, WithoutAKeyTheImageIsNotDecrypted) {
  const Encrypted e = make_encrypted(100000);
  DecryptingSink sink(nullptr, nullptr);  // fwseal-verify without --decrypt-key
  ASSERT_THAT(feed(sink, e, e.ciphertext), IsOk());
  EXPECT_THAT(sink.result(), IsOk());
  EXPECT_TRUE(sink.decrypted().empty());
}

}  // namespace
}  // namespace fwseal::verifier
