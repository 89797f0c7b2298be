#include "fwseal/ca/ca.h"

#include <openssl/bn.h>
#include <openssl/x509.h>

#include <memory>
#include <vector>

#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/ca/issue.h"

namespace fwseal::ca {

Result<ossl::X509Ptr> load_certificate(const std::string& path) {
  FWSEAL_ASSIGN(std::string pem, read_file(path, 64 * 1024));
  FWSEAL_ASSIGN(std::vector<std::string> ders, certificates_from_pem(pem, path, 1));
  return certificate_from_der(ders[0], path);
}

std::string subject_of(const X509* cert) { return name_text(X509_get_subject_name(cert)); }

Result<std::string> serial_to_revoke(const X509* cert, const X509* ca_cert, const std::string& where) {
  int issued = X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca_cert)) == 0
                   ? X509_verify(const_cast<X509*>(cert), X509_get0_pubkey(ca_cert))
                   : 0;
  ossl::last_error();  // clear the queue X509_verify may have filled
  if (issued != 1)
    return make_error(Code::usage, where + ": '" + subject_of(cert) + "' was not issued by '" + subject_of(ca_cert) + "'");
  return serial_bytes(cert);
}

Result<std::string> serial_from_hex(const std::string& hex, const std::string& where) {
  auto bad = [&] {
    return make_error(Code::usage, where + ": " + quote(hex) + " is not a hex serial number of up to 20 bytes");
  };
  BIGNUM* raw = nullptr;
  if (hex.empty() || hex.size() > 40 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos ||
      BN_hex2bn(&raw, hex.c_str()) == 0)
    return bad();
  std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>> bn(raw);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  if (out.empty()) return make_error(Code::usage, where + ": serial 0 is not a certificate serial");
  return out;
}

Result<CertificateSummary> describe_certificate(const std::string& der) {
  FWSEAL_ASSIGN(ossl::X509Ptr cert, certificate_from_der(der, "certificate"));
  CertificateSummary s;
  FWSEAL_ASSIGN(s.key_id, certificate_key_id(cert.get()));
  FWSEAL_ASSIGN(s.not_before, time_of(X509_get0_notBefore(cert.get()), "notBefore"));
  FWSEAL_ASSIGN(s.not_after, time_of(X509_get0_notAfter(cert.get()), "notAfter"));
  s.subject = subject_of(cert.get());
  s.issuer = name_text(X509_get_issuer_name(cert.get()));
  s.serial_hex = serial_hex(X509_get0_serialNumber(cert.get()));
  return s;
}

}  // namespace fwseal::ca
