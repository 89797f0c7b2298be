// Adding signatures to a package. A signature covers signed_bytes(manifest);
// signing reads the manifest and the tar headers, never the images, and
// appends the signature entry in place, so a 1 GiB package signs in
// milliseconds.
#pragma once

#include <memory>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fwseal/base/error.h"
#include "fwseal/format/manifest.h"
#include "fwseal/format/package_reader.h"
#include "fwseal/format/signature.h"
#include "fwseal/format/signing_key.h"

namespace fwseal::signer {

// The exact bytes a signature covers (for `fwseal sign --export-tbs`).
Result<std::string> to_be_signed(const std::string& path);

struct SignResult {
  KeyId key_id{};
  Algorithm algorithm = Algorithm::ecdsa_p256;
  Sha256 manifest_digest{};
  std::size_t signature_count = 0;  // after this one
};

// Signs the package's manifest with `key` and appends the signature entry.
// The signature is checked against the key's public key before anything is
// written. Code::usage (2) if the key already signed this package, or the
// package has the maximum number of signatures; errors of key.sign() pass
// through (Code::hsm, Code::login).
Result<SignResult> sign_package(const std::string& path, const SigningKey& key,
                                const std::vector<std::string>& certificate_chain_der = {});

// Embeds a signature made elsewhere over to_be_signed(path). Code::signature
// (12) if it does not verify with `public_key`.
Result<SignResult> import_signature(const std::string& path, const EVP_PKEY* public_key, std::string_view signature,
                                    const std::vector<std::string>& certificate_chain_der = {});

// `fwseal sign PKG -o OUT`: `package` is copied to a temporary file beside
// `output` (AtomicFile: ".OUT.tmp-<16 hex>", removed if SIGINT, SIGTERM or
// SIGHUP ends the run, and by the next run for OUT after a SIGKILL), `sign`
// signs that copy (sign_package_audited or import_signature_audited with its
// path), and the copy is fsynced and renamed to `output`. `package` is only
// read; `output` is either as it was or the complete signed package.
// Code::usage if `output` is `package` itself, or exists and
// `replace_existing` is false (checked before anything is copied, and again
// at the rename); Code::io if the package cannot be read or the copy
// written; otherwise the errors of `sign`.
Result<SignResult> sign_to_output(const std::string& package, const std::string& output, bool replace_existing,
                                  const std::function<Result<SignResult>(const std::string& copy)>& sign);

// The CERTIFICATE blocks of a PEM chain file, signer first, as DER (at most
// kMaxChainCertificates; Code::malformed naming the file otherwise).
Result<std::vector<std::string>> load_certificate_chain(const std::string& path);

// The public key an imported signature is checked with: the PEM file at
// `pubkey_path`, else the first certificate of `chain_der`. Code::usage if
// neither is given.
Result<ossl::PKey> import_public_key(const std::optional<std::string>& pubkey_path,
                                     const std::vector<std::string>& chain_der);

}  // namespace fwseal::signer
