#include "fwseal/ca/issue.h"

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace fwseal {
namespace {

template <class T, auto Free>
using Owned = std::unique_ptr<T, ossl::Deleter<Free>>;

Error usage(const std::string& why) { return make_error(Code::usage, why); }
Error internal(const std::string& what) { return make_error(Code::internal, what + ": " + ossl::last_error()); }

EVP_PKEY* mut(const EVP_PKEY* key) {
  return const_cast<EVP_PKEY*>(key);  // NOLINT: OpenSSL 3.0 setters take non-const keys they only read
}
X509* mut(const X509* cert) {
  return const_cast<X509*>(cert);  // NOLINT: as above
}

// OpenSSL cannot sign with the issuer's key, and 3.0 has no setter for the
// TBSCertList's signature algorithm. So an ephemeral key of the same type
// signs first: that makes OpenSSL write both AlgorithmIdentifiers exactly as
// it would for the issuer's key. Its signature is then replaced by the
// issuer's over the re-encoded TBS bytes, and the result verified.
Result<ossl::PKey> donor_key(Algorithm alg) {
  EVP_PKEY* key = nullptr;
  switch (alg) {
    case Algorithm::ecdsa_p256:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
      break;
    case Algorithm::ecdsa_p384:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
      break;
    case Algorithm::ed25519:
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
    case Algorithm::rsa_pss_3072:
    case Algorithm::rsa_pss_4096:
      // The PSS parameters do not depend on the modulus size; a small key is quick.
      key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024});
      break;
  }
  if (!key) return internal("cannot make an ephemeral key");
  return ossl::PKey(key);
}

Result<ossl::MdCtx> donor_context(Algorithm alg, EVP_PKEY* donor) {
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, algorithm_digest(alg), nullptr, donor) != 1)
    return internal("cannot start signing");
  if (alg == Algorithm::rsa_pss_3072 || alg == Algorithm::rsa_pss_4096) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1)
      return internal("cannot set RSA-PSS parameters");
  }
  return ctx;
}

Status set_signature(const ASN1_BIT_STRING* bits, const std::string& sig) {
  // X509_get0_signature hands out the certificate's own bit string.
  auto* b = const_cast<ASN1_BIT_STRING*>(bits);  // NOLINT(cppcoreguidelines-pro-type-const-cast)
  if (ASN1_BIT_STRING_set(b, reinterpret_cast<unsigned char*>(const_cast<char*>(sig.data())),  // NOLINT
                          static_cast<int>(sig.size())) != 1)
    return internal("cannot set the signature");
  return ok_status();
}

Result<std::string> tbs_der(int len, unsigned char* der) {
  if (len <= 0) return internal("cannot encode the to-be-signed part");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

Status set_time(ASN1_TIME* t, std::int64_t when) {
  if (!ASN1_TIME_set(t, static_cast<std::time_t>(when))) return usage("time " + std::to_string(when) + " out of range");
  return ok_status();
}

Result<ossl::Asn1Integer> integer_from_bytes(std::string_view bytes) {
  Owned<BIGNUM, BN_free> bn(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()), nullptr));
  ossl::Asn1Integer out(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (!out) return internal("cannot encode an integer");
  return out;
}

// The key identifier of RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
Result<Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>> key_identifier(const X509* cert) {
  if (const ASN1_OCTET_STRING* skid = X509_get0_subject_key_id(mut(cert)))
    return Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>(ASN1_OCTET_STRING_dup(skid));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  Owned<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free> id(ASN1_OCTET_STRING_new());
  if (!id || X509_pubkey_digest(cert, EVP_sha1(), md, &len) != 1 ||
      ASN1_OCTET_STRING_set(id.get(), md, static_cast<int>(len)) != 1)
    return internal("cannot compute a key identifier");
  return id;
}

Status add_ext(X509* x, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) != 1)
    return internal("cannot add extension " + std::string(OBJ_nid2sn(nid)));
  return ok_status();
}

Status add_extensions(X509* x, const CertificateSpec& spec, const X509* issuer_cert) {
  Owned<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free> bc(BASIC_CONSTRAINTS_new());
  Owned<ASN1_BIT_STRING, ASN1_BIT_STRING_free> ku(ASN1_BIT_STRING_new());
  if (!bc || !ku) return internal("out of memory");
  if (spec.ca) {
    bc->ca = 0xFF;
    if (spec.path_length) {
      bc->pathlen = ASN1_INTEGER_new();
      if (!bc->pathlen || ASN1_INTEGER_set(bc->pathlen, static_cast<long>(*spec.path_length)) != 1)
        return internal("cannot set the path length");
    }
    if (ASN1_BIT_STRING_set_bit(ku.get(), 5, 1) != 1 || ASN1_BIT_STRING_set_bit(ku.get(), 6, 1) != 1)
      return internal("cannot set key usage");  // keyCertSign, cRLSign
  } else if (ASN1_BIT_STRING_set_bit(ku.get(), 0, 1) != 1) {
    return internal("cannot set key usage");  // digitalSignature
  }
  FWSEAL_TRY(add_ext(x, NID_basic_constraints, bc.get(), true));
  FWSEAL_TRY(add_ext(x, NID_key_usage, ku.get(), true));
  if (!spec.ca && !spec.extended_key_usages.empty()) {
    Owned<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free> eku(sk_ASN1_OBJECT_new_null());
    if (!eku) return internal("out of memory");
    for (const auto& oid : spec.extended_key_usages) {
      ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
      if (!obj) return usage("extended key usage \"" + oid + "\" is not a dotted OID");
      if (sk_ASN1_OBJECT_push(eku.get(), obj) <= 0) {
        ASN1_OBJECT_free(obj);
        return internal("out of memory");
      }
    }
    FWSEAL_TRY(add_ext(x, NID_ext_key_usage, eku.get(), false));
  }
  FWSEAL_ASSIGN(auto skid, key_identifier(x));
  FWSEAL_TRY(add_ext(x, NID_subject_key_identifier, skid.get(), false));
  Owned<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
  if (!akid) return internal("out of memory");
  FWSEAL_ASSIGN(auto issuer_id, key_identifier(issuer_cert ? issuer_cert : x));
  akid->keyid = issuer_id.release();
  return add_ext(x, NID_authority_key_identifier, akid.get(), false);
}

Result<Algorithm> check_issuer(const CertIssuer& issuer, bool need_certificate) {
  if (!issuer.key) return make_error(Code::internal, "issuer without a key");
  auto alg = algorithm_of(issuer.key->public_key());
  if (!alg.ok()) return usage("CA key: " + alg.error().message);
  if (need_certificate && !issuer.certificate) return make_error(Code::internal, "issuer without a certificate");
  if (issuer.certificate) {
    if (EVP_PKEY_eq(X509_get0_pubkey(issuer.certificate), issuer.key->public_key()) != 1)
      return usage("the CA certificate '" + name_text(X509_get_subject_name(issuer.certificate)) +
                   "' is not for this CA key");
    if (X509_check_ca(mut(issuer.certificate)) < 1)
      return usage("'" + name_text(X509_get_subject_name(issuer.certificate)) + "' is not a CA certificate");
  }
  ossl::last_error();
  return *alg;
}

Result<std::string> random_serial() {
  std::string s(16, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(s.size())) != 1)
    return internal("no random bytes");
  s[0] = static_cast<char>((static_cast<unsigned char>(s[0]) & 0x7f) | 0x40);  // positive, 16 bytes
  return s;
}

}  // namespace

Result<std::string> issue_certificate(const CertificateSpec& spec, const CertIssuer& issuer) {
  FWSEAL_ASSIGN(Algorithm alg, check_issuer(issuer, false));
  if (!spec.public_key) return make_error(Code::internal, "certificate without a key");
  if (auto a = algorithm_of(spec.public_key); !a.ok()) return usage("subject key: " + a.error().message);
  if (!issuer.certificate && EVP_PKEY_eq(spec.public_key, issuer.key->public_key()) != 1)
    return usage("a self-signed certificate is for the CA key itself");
  if (spec.not_after <= spec.not_before) return usage("the certificate would expire before it becomes valid");
  if (spec.path_length && !spec.ca) return usage("a path length applies to CA certificates only");
  if (!issuer.certificate && !spec.ca) return usage("a self-signed certificate must be a CA certificate");
  std::string serial = spec.serial;
  if (serial.empty()) {
    FWSEAL_ASSIGN(serial, random_serial());
  }
  if (serial.size() > 20 || serial.find_first_not_of('\0') == std::string::npos)
    return usage("serial must be 1 to 20 bytes and not zero");
  FWSEAL_ASSIGN(ossl::X509Name subject, parse_name(spec.subject, "--subject"));

  ossl::X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return internal("out of memory");
  FWSEAL_ASSIGN(ossl::Asn1Integer sn, integer_from_bytes(serial));
  if (X509_set_serialNumber(x.get(), sn.get()) != 1 || X509_set_subject_name(x.get(), subject.get()) != 1 ||
      X509_set_issuer_name(x.get(), issuer.certificate ? X509_get_subject_name(issuer.certificate) : subject.get()) !=
          1 ||
      X509_set_pubkey(x.get(), mut(spec.public_key)) != 1)
    return internal("cannot fill in the certificate");
  FWSEAL_TRY(set_time(X509_getm_notBefore(x.get()), spec.not_before));
  FWSEAL_TRY(set_time(X509_getm_notAfter(x.get()), spec.not_after));
  FWSEAL_TRY(add_extensions(x.get(), spec, issuer.certificate));

  FWSEAL_ASSIGN(ossl::PKey donor, donor_key(alg));
  FWSEAL_ASSIGN(ossl::MdCtx ctx, donor_context(alg, donor.get()));
  if (X509_sign_ctx(x.get(), ctx.get()) <= 0) return internal("cannot encode the certificate");
  unsigned char* der = nullptr;
  const int der_len = i2d_re_X509_tbs(x.get(), &der);
  FWSEAL_ASSIGN(std::string tbs, tbs_der(der_len, der));
  FWSEAL_ASSIGN(std::string sig, issuer.key->sign(tbs));
  const ASN1_BIT_STRING* bits = nullptr;
  const X509_ALGOR* algor = nullptr;
  X509_get0_signature(&bits, &algor, x.get());
  FWSEAL_TRY(set_signature(bits, sig));

  FWSEAL_ASSIGN(std::string out, certificate_to_der(x.get()));
  FWSEAL_ASSIGN(ossl::X509Ptr check, certificate_from_der(out, "issued certificate"));
  if (X509_verify(check.get(), mut(issuer.key->public_key())) != 1)
    return internal("the issued certificate does not verify with the CA key");
  return out;
}

Result<std::string> issue_crl(const CrlSpec& spec, const CertIssuer& issuer) {
  FWSEAL_ASSIGN(Algorithm alg, check_issuer(issuer, true));
  if (!(X509_get_key_usage(mut(issuer.certificate)) & KU_CRL_SIGN))
    return usage("the CA certificate's key usage does not allow signing CRLs (cRLSign)");
  if (spec.next_update <= spec.this_update) return usage("the CRL's next update must be after this update");
  ossl::X509Crl crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.certificate)) != 1)
    return internal("cannot fill in the CRL");
  Owned<ASN1_TIME, ASN1_TIME_free> t(ASN1_TIME_new());
  if (!t) return internal("out of memory");
  FWSEAL_TRY(set_time(t.get(), spec.this_update));
  if (X509_CRL_set1_lastUpdate(crl.get(), t.get()) != 1) return internal("cannot set the CRL's times");
  FWSEAL_TRY(set_time(t.get(), spec.next_update));
  if (X509_CRL_set1_nextUpdate(crl.get(), t.get()) != 1) return internal("cannot set the CRL's times");
  for (const auto& r : spec.revoked) {
    Owned<X509_REVOKED, X509_REVOKED_free> entry(X509_REVOKED_new());
    FWSEAL_ASSIGN(ossl::Asn1Integer sn, integer_from_bytes(r.serial));
    if (!entry) return internal("out of memory");
    FWSEAL_TRY(set_time(t.get(), r.when));
    if (X509_REVOKED_set_serialNumber(entry.get(), sn.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry.get(), t.get()) != 1 ||
        X509_CRL_add0_revoked(crl.get(), entry.get()) != 1)
      return internal("cannot add a revoked certificate");
    entry.release();  // owned by the CRL now
  }
  if (X509_CRL_sort(crl.get()) != 1) return internal("cannot sort the CRL");
  Owned<ASN1_INTEGER, ASN1_INTEGER_free> number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), spec.crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_REPLACE) != 1)
    return internal("cannot set the CRL number");
  Owned<AUTHORITY_KEYID, AUTHORITY_KEYID_free> akid(AUTHORITY_KEYID_new());
  FWSEAL_ASSIGN(auto issuer_id, key_identifier(issuer.certificate));
  if (!akid) return internal("out of memory");
  akid->keyid = issuer_id.release();
  if (X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, akid.get(), 0, X509V3_ADD_REPLACE) != 1)
    return internal("cannot set the CRL's authority key identifier");

  FWSEAL_ASSIGN(ossl::PKey donor, donor_key(alg));
  FWSEAL_ASSIGN(ossl::MdCtx ctx, donor_context(alg, donor.get()));
  if (X509_CRL_sign_ctx(crl.get(), ctx.get()) <= 0) return internal("cannot encode the CRL");
  unsigned char* der = nullptr;
  const int der_len = i2d_re_X509_CRL_tbs(crl.get(), &der);
  FWSEAL_ASSIGN(std::string tbs, tbs_der(der_len, der));
  FWSEAL_ASSIGN(std::string sig, issuer.key->sign(tbs));
  const ASN1_BIT_STRING* bits = nullptr;
  const X509_ALGOR* algor = nullptr;
  X509_CRL_get0_signature(crl.get(), &bits, &algor);
  FWSEAL_TRY(set_signature(bits, sig));

  FWSEAL_ASSIGN(std::string out, crl_to_der(crl.get()));
  FWSEAL_ASSIGN(ossl::X509Crl check, crl_from_der(out, "issued CRL"));
  if (X509_CRL_verify(check.get(), mut(issuer.key->public_key())) != 1)
    return internal("the issued CRL does not verify with the CA key");
  return out;
}

Result<std::string> serial_bytes(const X509* cert) {
  Owned<BIGNUM, BN_free> bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) return internal("cannot read the serial number");
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  if (out.empty()) out.push_back('\0');
  return out;
}

}  // namespace fwseal
