#include "fwseal/verifier/decrypt.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "fwseal/format/rule.h"

namespace fwseal::verifier {

Status DecryptingSink::begin(const UnverifiedManifest& manifest) {
  product_ = manifest.content.product;
  version_ = manifest.content.version;
  for (const auto& img : manifest.content.images) {
    if (!img.encryption) continue;
    any_encrypted_ = true;
    if (!key_ && inner_)
      return make_error(Code::usage, "image/" + img.name +
                                         " is encrypted: give the device class's key with --decrypt-key URI|FILE "
                                         "to extract its plaintext; nothing was written");
  }
  return inner_ ? inner_->begin(manifest) : ok_status();
}

Status DecryptingSink::push_pending() {
  auto r = worker_->push(std::move(pending_));
  if (!r.ok()) return stopped(std::move(r).error());
  pending_ = std::move(r).value();
  pending_.len = 0;
  return ok_status();
}

Status DecryptingSink::stopped(Error e) {
  worker_.reset();
  decryptor_.reset();
  pending_.len = 0;
  if (e.code != Code::decryption) return e;  // the inner sink's (I/O) error
  record(with_rule("R27", std::move(e)));
  return ok_status();
}

Status DecryptingSink::begin_image(const ImageInfo& img) {
  worker_.reset();
  decryptor_.reset();
  pending_.len = 0;
  where_ = "image/" + img.name;
  if (img.encryption && key_ && !failure_) {
    const enc::ImageContext c{product_, version_, img.name, img.encryption->plaintext_size,
                              img.encryption->chunk_size};
    expected_ = img.encryption->plaintext_sha256;
    auto data_key = enc::unwrap_data_key(img.encryption->recipients, *key_, c, where_);
    if (!data_key.ok()) {
      // A token's failure (login, PKCS#11) is its own error, not the package's.
      if (data_key.error().code != Code::decryption) return std::move(data_key).error();
      record(with_rule("R27", std::move(data_key).error()));
    } else {
      auto d = enc::ChunkDecryptor::create(*data_key, c, where_, [this](std::span<const std::uint8_t> plain) {
        return inner_ ? inner_->image_data(std::string_view(reinterpret_cast<const char*>(plain.data()), plain.size()))
                      : ok_status();
      });
      if (!d.ok()) return std::move(d).error();
      decryptor_.emplace(std::move(d).value());
      worker_.emplace([this](Job& job) { return decryptor_->update({job.bytes.get(), job.len}); }, 1);
    }
  }
  return inner_ ? inner_->begin_image(img) : ok_status();
}

Status DecryptingSink::image_data(std::string_view chunk) {
  if (!decryptor_) {
    // A plain image (or an encrypted one after a failure: nothing more of it is written).
    if (inner_ && !failure_) return inner_->image_data(chunk);
    return ok_status();
  }
  // The chunk's memory is the reader's again once this returns: copied.
  while (!chunk.empty()) {
    if (!pending_.bytes) pending_.bytes = std::make_unique_for_overwrite<std::uint8_t[]>(kJobBytes);
    const std::size_t n = std::min(chunk.size(), kJobBytes - pending_.len);
    std::memcpy(pending_.bytes.get() + pending_.len, chunk.data(), n);
    pending_.len += n;
    chunk.remove_prefix(n);
    if (pending_.len == kJobBytes) {
      FWSEAL_TRY(push_pending());
      if (!decryptor_) return ok_status();  // it failed: the rest of the image is dropped
    }
  }
  return ok_status();
}

Status DecryptingSink::end_image() {
  if (decryptor_ && pending_.len > 0) FWSEAL_TRY(push_pending());
  if (worker_) {
    Status done = worker_->finish();
    if (!done.ok()) FWSEAL_TRY(stopped(std::move(done).error()));
    worker_.reset();
  }
  if (decryptor_) {
    auto digest = decryptor_->finish();
    decryptor_.reset();
    if (!digest.ok()) {
      if (digest.error().code != Code::decryption) return std::move(digest).error();
      record(with_rule("R27", std::move(digest).error()));
    } else if (*digest != expected_) {
      record(make_error(Code::digest, "R28: " + where_ + ": the decrypted image's SHA-256 is " + to_hex(*digest) +
                                          ", the manifest's plaintext_sha256 is " + to_hex(expected_)));
    } else {
      decrypted_.push_back(where_.substr(6));
    }
  }
  return inner_ ? inner_->end_image() : ok_status();
}

Status DecryptingSink::result() const {
  if (failure_) return *failure_;
  if (key_ && !any_encrypted_)
    return make_error(Code::usage, "--decrypt-key was given, but no image of this package is encrypted");
  return ok_status();
}

}  // namespace fwseal::verifier
