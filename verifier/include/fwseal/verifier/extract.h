// `fwseal extract`: verify, then write the images; nothing is written unless the
// whole package is valid.
#pragma once

#include <string>

#include "fwseal/base/error.h"
#include "fwseal/format/encryption.h"
#include "fwseal/format/trust.h"
#include "fwseal/verifier/verify.h"

namespace fwseal::verifier {

// Verifies the package read from `fd` and, only if it is valid, puts its images
// into the existing directory `dir` under their manifest names. Images are
// staged while the package streams past, in a fresh directory
// "dir/.fwseal-extract-XXXXXX" (files created relative to it with O_EXCL and
// O_NOFOLLOW), then renamed into `dir` and fsynced once everything verified.
// On any failure the staging directory is removed and `dir` is left exactly as
// it was. Nothing is ever written outside `dir`.
//
// Code::io if `dir` is not a directory, an image's name already exists in
// `dir` (checked before any image is written), or writing fails; otherwise the
// codes of verify_package. `report` may be null; if not, it receives the
// verification report.
//
// Encrypted images are written as plaintext, decrypted with `decrypt_key`
// while they stream past and checked (R27, R28: decrypt.h) before anything is
// moved into `dir`; without a key, a package with an encrypted image is
// refused (Code::usage) before anything is written.
Status extract_package(int fd, const TrustPolicy& trust, const VerifyOptions& options, const std::string& dir,
                       VerifyReport* report, const enc::RecipientKey* decrypt_key = nullptr);

}  // namespace fwseal::verifier
