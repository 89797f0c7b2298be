#include <openssl/pem.h>

#include <cstdio>

#include "args.h"
#include "commands.h"
#include "fwseal/format/file.h"
#include "fwseal/hsm/signing_key.h"
#include "fwseal/signer/signer.h"
#include "hsm_options.h"

namespace fwseal::cli {

namespace {

constexpr const char* kSignUsage = "fwseal sign PKG --key URI [--module PATH] [--cert CHAIN.pem] [--quiet]";

// The HSM key behind signer's interface.
class HsmKey final : public signer::SigningKey {
 public:
  explicit HsmKey(std::unique_ptr<hsm::SigningKey> key) : key_(std::move(key)) {}
  Algorithm algorithm() const override { return key_->algorithm(); }
  const EVP_PKEY* public_key() const override { return key_->public_key(); }
  Result<std::string> sign(std::string_view message) const override { return key_->sign(message); }

 private:
  std::unique_ptr<hsm::SigningKey> key_;
};

// Certificates of a PEM chain file, signer first, as DER.
Result<std::vector<std::string>> load_chain(const std::string& path) {
  FWSEAL_ASSIGN(std::string pem, read_file(path, 1 << 20));
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<std::string> out;
  for (;;) {
    ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    unsigned char* der = nullptr;
    int len = i2d_X509(cert.get(), &der);
    if (len <= 0) return make_error(Code::malformed, path + ": cannot encode certificate");
    out.emplace_back(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }
  ossl::last_error();  // the end of the PEM stream leaves a "no start line" error behind
  if (out.empty()) return make_error(Code::malformed, path + ": no PEM certificate found");
  return out;
}

}  // namespace

int cmd_sign(const Argv& argv) {
  auto args = Args::parse(argv, {{"--key", "--module", "--cert"}, {}, {"--quiet"}});
  if (!args.ok()) return usage_error(args.error().message, kSignUsage);
  if (args->positionals().size() != 1) return usage_error("expected one package", kSignUsage);
  auto uri_text = args->required("--key");
  if (!uri_text.ok()) return usage_error(uri_text.error().message, kSignUsage);
  const std::string& path = args->positionals()[0];

  std::vector<std::string> chain;
  if (auto cert = args->value("--cert")) {
    auto c = load_chain(*cert);
    if (!c.ok()) return fail(c.error());
    chain = std::move(*c);
  }
  // Check the package before asking for a PIN: a typo in the path should not cost a login.
  auto head = signer::read_package_head(path);
  if (!head.ok()) return fail(head.error());

  auto uri = hsm::parse_key_uri(*uri_text);
  if (!uri.ok()) return fail(uri.error());
  auto key = hsm::open_signing_key(hsm_options(*args), *uri);
  if (!key.ok()) return fail(key.error());
  HsmKey signing_key(std::move(*key));
  auto r = signer::sign_package(path, signing_key, chain);
  if (!r.ok()) return fail(r.error());
  if (!args->flag("--quiet"))
    std::printf("signed %s with %s key %s (%zu signature%s)\nmanifest sha256 %s\n", path.c_str(),
                std::string(algorithm_name(r->algorithm)).c_str(), to_hex(r->key_id).c_str(), r->signature_count,
                r->signature_count == 1 ? "" : "s", to_hex(r->manifest_digest).c_str());
  return 0;
}

}  // namespace fwseal::cli
