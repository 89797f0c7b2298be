#include "fwseal/format/x509.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <ctime>

#include "fwseal/base/digest.h"

namespace fwseal {
namespace {

Error bad(std::string_view where, const std::string& why) {
  return make_error(Code::malformed, std::string(where) + ": " + why);
}

std::string_view trim(std::string_view s) {
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

// The PEM blocks of `text` labelled `label`, decoded. Only whitespace may sit
// between blocks: OpenSSL's readers skip text before a block and ignore what
// follows, which would let other material hide in a trust file.
Result<std::vector<std::string>> pem_blocks(std::string_view text, std::string_view label, std::string_view where,
                                            std::size_t max) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  std::vector<std::string> out;
  std::string_view rest = trim(text);
  while (!rest.empty()) {
    if (!rest.starts_with(begin))
      return bad(where, "expected only " + begin + " blocks (found other text or another block type)");
    std::size_t stop = rest.find(end);
    if (stop == std::string_view::npos) return bad(where, "PEM block without " + end);
    std::string_view block = rest.substr(0, stop + end.size());
    if (out.size() >= max) return bad(where, "more than " + std::to_string(max) + " PEM blocks");
    ossl::Bio bio(BIO_new_mem_buf(block.data(), static_cast<int>(block.size())));
    if (!bio) return make_error(Code::internal, "out of memory");
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    int ok = PEM_read_bio(bio.get(), &name, &header, &data, &len);
    std::string decoded =
        ok == 1 && len > 0 ? std::string(reinterpret_cast<char*>(data), static_cast<std::size_t>(len)) : std::string();
    const bool plain = ok == 1 && name && label == name && header && header[0] == '\0';
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    if (!plain || decoded.empty()) return bad(where, "unreadable PEM block: " + ossl::last_error());
    out.push_back(std::move(decoded));
    rest = trim(rest.substr(block.size()));
  }
  if (out.empty()) return bad(where, "no " + begin + " block");
  return out;
}

template <class T, auto I2d>
Result<std::string> to_der(const T* obj, std::string_view what) {
  unsigned char* der = nullptr;
  int len = I2d(obj, &der);
  if (len <= 0) return make_error(Code::internal, "cannot encode " + std::string(what) + ": " + ossl::last_error());
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace

void ossl::X509StackFree::operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
void ossl::X509CrlStackFree::operator()(STACK_OF(X509_CRL) * s) const { sk_X509_CRL_pop_free(s, X509_CRL_free); }

Result<ossl::X509Ptr> certificate_from_der(std::string_view der, std::string_view where) {
  if (der.empty() || der.size() > kMaxCertificateDerBytes)
    return bad(where, std::to_string(der.size()) + " bytes is not a plausible certificate");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return bad(where, "not a DER X.509 certificate: " + ossl::last_error());
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size())
    return bad(where, "data after the certificate");
  // BER that OpenSSL tolerates would make two encodings of one certificate.
  auto again = certificate_to_der(cert.get());
  if (!again.ok() || *again != der) return bad(where, "certificate is not in canonical DER");
  if (X509_get_extension_flags(cert.get()) & EXFLAG_INVALID)
    return bad(where, "certificate has an extension that cannot be decoded");
  if (!X509_get0_pubkey(cert.get())) return bad(where, "certificate's public key cannot be read");
  return cert;
}

Result<std::string> certificate_to_der(const X509* cert) { return to_der<X509, i2d_X509>(cert, "certificate"); }

Result<std::string> certificate_to_pem(const X509* cert) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    return make_error(Code::internal, "cannot write PEM certificate: " + ossl::last_error());
  return bio_text(bio.get());
}

Result<std::vector<std::string>> certificates_from_pem(std::string_view pem, std::string_view where, std::size_t max) {
  FWSEAL_ASSIGN(std::vector<std::string> ders, pem_blocks(pem, "CERTIFICATE", where, max));
  for (std::size_t i = 0; i < ders.size(); ++i) {
    std::string w = ders.size() == 1 ? std::string(where) : std::string(where) + " block " + std::to_string(i + 1);
    FWSEAL_TRY(certificate_from_der(ders[i], w));
  }
  return ders;
}

Result<std::string> crl_der_from_text(std::string_view text, std::string_view where) {
  std::string der;
  if (trim(text).starts_with("-----BEGIN")) {
    FWSEAL_ASSIGN(std::vector<std::string> blocks, pem_blocks(text, "X509 CRL", where, 1));
    der = std::move(blocks[0]);
  } else {
    der = std::string(text);
  }
  FWSEAL_TRY(crl_from_der(der, where));
  return der;
}

Result<ossl::X509Crl> crl_from_der(std::string_view der, std::string_view where) {
  if (der.empty() || der.size() > kMaxCrlBytes)
    return bad(where, std::to_string(der.size()) + " bytes is not a plausible CRL");
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ossl::X509Crl crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
  if (!crl) return bad(where, "not an X.509 CRL (PEM -----BEGIN X509 CRL----- or DER): " + ossl::last_error());
  if (p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) return bad(where, "data after the CRL");
  return crl;
}

Result<std::string> crl_to_der(const X509_CRL* crl) { return to_der<X509_CRL, i2d_X509_CRL>(crl, "CRL"); }

Result<std::string> crl_to_pem(const X509_CRL* crl) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_X509_CRL takes a non-const CRL but only encodes it.
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), const_cast<X509_CRL*>(crl)) != 1)  // NOLINT
    return make_error(Code::internal, "cannot write PEM CRL: " + ossl::last_error());
  return bio_text(bio.get());
}

std::string name_text(const X509_NAME* name) {
  if (!name || X509_NAME_entry_count(name) == 0) return "(empty name)";
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return "(unprintable name)";
  std::string out = bio_text(bio.get());
  if (out.size() > 200) {
    out.resize(197);
    out += "...";
  }
  return out;
}

Result<ossl::X509Name> parse_name(std::string_view text, std::string_view where) {
  auto usage = [&](const std::string& why) { return make_error(Code::usage, std::string(where) + ": " + why); };
  std::vector<std::pair<std::string, std::string>> rdns;  // as written: most specific first
  std::string cur;
  bool escaped = false;
  auto finish = [&]() -> Status {
    std::size_t eq = cur.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == cur.size())
      return usage("\"" + cur + "\" is not TYPE=value (e.g. CN=release A,O=Acme)");
    rdns.emplace_back(std::string(trim(cur.substr(0, eq))), std::string(trim(cur.substr(eq + 1))));
    cur.clear();
    return ok_status();
  };
  for (char c : text) {
    if (escaped) {
      cur.push_back(c);
      escaped = false;
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '+') {
      return usage("multi-valued names (+) are not supported");
    } else if (c == ',') {
      FWSEAL_TRY(finish());
    } else {
      cur.push_back(c);
    }
  }
  if (escaped) return usage("ends with a lone backslash");
  FWSEAL_TRY(finish());
  ossl::X509Name name(X509_NAME_new());
  if (!name) return make_error(Code::internal, "out of memory");
  for (auto it = rdns.rbegin(); it != rdns.rend(); ++it) {
    if (OBJ_txt2nid(it->first.c_str()) == NID_undef) return usage("unknown attribute type \"" + it->first + "\"");
    if (it->second.size() > 64) return usage(it->first + " is longer than 64 characters");
    if (X509_NAME_add_entry_by_txt(name.get(), it->first.c_str(), MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(it->second.data()),
                                   static_cast<int>(it->second.size()), -1, 0) != 1)
      return usage("bad value for " + it->first + ": " + ossl::last_error());
  }
  return name;
}

Result<std::int64_t> time_of(const ASN1_TIME* t, std::string_view where) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return bad(where, "unreadable time");
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string serial_hex(const ASN1_INTEGER* serial) {
  std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>> bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "(unreadable)";
  char* hex = BN_bn2hex(bn.get());
  if (!hex) return "(unreadable)";
  std::string out(hex);
  OPENSSL_free(hex);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<KeyId> certificate_key_id(const X509* cert) {
  // key_id_of, so that a certified key and the same key pinned in trust.json
  // have one id whatever encoding each came in.
  const EVP_PKEY* key = X509_get0_pubkey(cert);
  if (!key) return make_error(Code::malformed, "certificate without a usable public key: " + ossl::last_error());
  return key_id_of(key);
}

bool self_signed(const X509* cert) {
  // X509_check_issued and X509_verify take non-const certificates in OpenSSL 3.0.
  X509* c = const_cast<X509*>(cert);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  EVP_PKEY* key = X509_get0_pubkey(c);
  bool ok = key && X509_check_issued(c, c) == X509_V_OK && X509_verify(c, key) == 1;
  ossl::last_error();
  return ok;
}

}  // namespace fwseal
