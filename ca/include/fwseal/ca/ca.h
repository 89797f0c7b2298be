// The operations behind `fwseal ca` that are not issuing itself: reading the
// CA's certificate, choosing what a CRL revokes, and describing a result.
// Signing stays with the caller (a CertIssuer over an HSM key).
#pragma once

#include <cstdint>
#include <string>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/base/openssl.h"
#include "fwseal/format/x509.h"

namespace fwseal::ca {

// The first certificate of a PEM file (at most 64 KiB).
Result<ossl::X509Ptr> load_certificate(const std::string& path);

// The serial to revoke for `cert`, which `ca_cert` must have issued (issuer
// name and signature checked); Code::usage naming `where` otherwise.
Result<std::string> serial_to_revoke(const X509* cert, const X509* ca_cert, const std::string& where);

// A serial given as hex (1 to 20 bytes, not zero), as big-endian bytes.
// Code::usage naming `where` otherwise.
Result<std::string> serial_from_hex(const std::string& hex, const std::string& where);

struct CertificateSummary {
  std::string subject, issuer, serial_hex;
  std::int64_t not_before = 0, not_after = 0;
  KeyId key_id{};
};
Result<CertificateSummary> describe_certificate(const std::string& der);

// The subject of a certificate, as name_text writes it.
std::string subject_of(const X509* cert);

}  // namespace fwseal::ca
