// The trust file (docs/FORMAT.md section 4, T1-T10): trust files that break
// one rule each, checked against a valid package, and trust files at the
// edges of the rules that a verifier must accept. The package is always
// valid/v2-ed25519.fwpkg (or v2-ecdsa-p256): only the trust file is wrong.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "catalogue.h"
#include "fwseal/base/digest.h"
#include "fwseal/format/trust.h"
#include "fwseal/ca/issue.h"
#include "fwseal/format/x509.h"

namespace fwseal::vectors {
namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* kPackage = "valid/v2-ed25519.fwpkg";
constexpr std::int64_t kJan2026 = 1767225600;

// A P-521 key: EC, but not one of fwseal's curves (test data, no private half kept).
constexpr const char* kP521Pem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQAwoNaSjZOPS9kyK4s/xQnqn+digy5\n"
    "y5NL4UNfs/rPP+GEpCdvlKdeAlRgZCpP/Db4hSrQUvqGBvvvCGd2OjaiHCMASP6Y\n"
    "/XXzecqpHkW4mQjEshxxTc+ttsVort3CmuaBzagAwgIYwZK2AxF9RI9M1Q+A4SR9\n"
    "xxNIB94/+D+3L6IJhfg=\n"
    "-----END PUBLIC KEY-----\n";

// A self-signed end-entity certificate (CA:FALSE), made once with
// `openssl req -x509 -newkey ed25519 -subj "/O=Acme/CN=not a CA"
// -addext basicConstraints=critical,CA:FALSE`:
// fwseal's own issuer refuses to self-sign anything but a CA.
constexpr const char* kNotACaPem =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBQjCB9aADAgECAgEBMAUGAytlcDAiMQ0wCwYDVQQKDARBY21lMREwDwYDVQQD\n"
    "DAhub3QgYSBDQTAeFw0yNjEyMDQwOTE4MTNaFw00NjExMjkwOTE4MTNaMCIxDTAL\n"
    "BgNVBAoMBEFjbWUxETAPBgNVBAMMCG5vdCBhIENBMCowBQYDK2VwAyEAqz5GNyvZ\n"
    "Z+wDsgC3Rrdg+yuSmKrMhl4j86LP8DcvQTajUDBOMB0GA1UdDgQWBBTJVWgK4LCQ\n"
    "DbR8wWSliCG90z43mDAfBgNVHSMEGDAWgBTJVWgK4LCQDbR8wWSliCG90z43mDAM\n"
    "BgNVHRMBAf8EAjAAMAUGAytlcANBAC0kv/pmieiIhOKOQQDNiovF86GqgGnlwGWj\n"
    "fkKEKZJenavHUGcAdfuF0Z25oEyZvOgPGBOfdDk7zMknhmib+Qk=\n"
    "-----END CERTIFICATE-----\n";

std::string pem_of(const EVP_PKEY* key) { return must(public_key_to_pem(key), "public key PEM"); }

// The same P-256 key as a SubjectPublicKeyInfo with a compressed point: one
// key, a second encoding (T5 defines the key id over the uncompressed one).
std::string compressed_pem(const EVP_PKEY* key) {
  ossl::PKey copy(EVP_PKEY_dup(const_cast<EVP_PKEY*>(key)));
  if (!copy || EVP_PKEY_set_utf8_string_param(copy.get(), OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                              OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_COMPRESSED) != 1)
    throw std::runtime_error("cannot compress the P-256 point");
  std::string pem = pem_of(copy.get());
  if (pem.size() > 200) throw std::runtime_error("the P-256 point was not compressed");
  return pem;
}

// A CA certificate for `subject_key`, signed by the generator's fixed key
// `issuer_key` (Ed25519, so the bytes are the same on every run).
std::string certificate_pem(Keys& keys, const std::string& subject, const EVP_PKEY* subject_key,
                            const std::string& issuer_key, const X509* issuer_cert, std::string serial) {
  CertificateSpec s;
  s.subject = subject;
  s.public_key = subject_key;
  s.not_before = kJan2026;
  s.not_after = kJan2026 + 20 * 365 * 86400;
  s.ca = true;
  s.serial = std::move(serial);
  const CertIssuer issuer{issuer_cert, &keys.signing_key(issuer_key)};
  const std::string der = must(issue_certificate(s, issuer), subject);
  ossl::X509Ptr x509 = must(certificate_from_der(der, subject), subject);
  return must(certificate_to_pem(x509.get()), subject);
}

class TrustVectors {
 public:
  explicit TrustVectors(Ctx& c) : c_(c) {}

  ojson key(const std::string& name) const { return {{"name", name}, {"public_key", pem_of(c_.keys.public_key(name))}}; }
  // The device of most vectors: version 1, the package's Ed25519 key, threshold 1.
  ojson base(int version = 1) const {
    return {{"format", "fwseal-trust"}, {"format_version", version}, {"keys", {key("ed25519")}}, {"threshold", 1}};
  }
  ojson role(const std::string& name, const std::string& key_name) const {
    return {{"name", name}, {"keys", {key(key_name)}}};
  }

  void refused(const std::string& rule, const std::string& id, const std::string& description, const ojson& trust,
               const std::string& message) {
    c_.out.bad_trust(rule, id, description, trust.dump(2) + "\n", kPackage, message);
  }
  void refused_text(const std::string& rule, const std::string& id, const std::string& description,
                    const std::string& text, const std::string& message) {
    c_.out.bad_trust(rule, id, description, text, kPackage, message);
  }

  void roots();       // T1
  void key_sets();    // T2
  void settings();    // T3
  void document();    // T4
  void keys();        // T5
  void names();       // T6
  void thresholds();  // T7
  void lists();       // T8, T9
  void limits();      // T10
  void accepted();    // edges every verifier must accept

 private:
  Ctx& c_;
};

void TrustVectors::roots() {
  Keys& k = c_.keys;
  ojson t = base(2);
  t.erase("keys");
  t.erase("threshold");
  t["roots"] = {{{"name", "fleet"}, {"certificate", kNotACaPem}}};
  refused("T1", "t01-root-not-a-ca", "a self-signed certificate without CA:TRUE listed as a root", t,
          "trust.roots[0].certificate: 'CN=not a CA,O=Acme' is not a CA certificate (basicConstraints CA:TRUE and "
          "keyCertSign are required)");

  const std::string root_pem = certificate_pem(k, "CN=Acme Root,O=Acme", k.public_key("unknown-ed25519"),
                                               "unknown-ed25519", nullptr, std::string("\x02", 1));
  ossl::X509Ptr root = must(certificate_from_der(must(certificates_from_pem(root_pem, "root", 1), "root")[0], "root"),
                            "root");
  const std::string intermediate = certificate_pem(k, "CN=Acme Intermediate,O=Acme", k.public_key("ed25519"),
                                                   "unknown-ed25519", root.get(), std::string("\x03", 1));
  t["roots"] = {{{"name", "fleet"}, {"certificate", intermediate}}};
  refused("T1", "t01-root-not-self-signed", "an intermediate CA listed as a root", t,
          "trust.roots[0].certificate: 'CN=Acme Intermediate,O=Acme' is not a self-signed root certificate (issuer "
          "'CN=Acme Root,O=Acme'); list the root CA, intermediates travel in the signature envelope");
}

void TrustVectors::key_sets() {
  ojson t = base(2);
  t.erase("keys");
  t.erase("threshold");
  t["roles"] = {role("Release", "ed25519")};
  refused("T2", "t02-role-name-uppercase", "a role named \"Release\"", t,
          "trust.roles[0].name: role name \"Release\" must be 1 to 32 of [a-z0-9-], starting with a letter");
  t["roles"] = {role("release", "ed25519"), role("release", "ecdsa-p256")};
  refused("T2", "t02-role-named-twice", "two roles named \"release\"", t,
          "trust.roles[1].name: \"release\" names two roles");
  t["roles"] = {role("release", "ed25519"), role("officer", "ed25519")};
  refused("T2", "t02-key-in-two-roles", "one key in two roles", t,
          "trust.roles[1].keys[0].public_key: the same key as trust.roles[0].keys[0]: a key belongs to one role only");
}

void TrustVectors::settings() {
  ojson t = base(2);
  t["validity"] = "none";
  refused("T3", "t03-validity-without-roots", "validity set in a file without roots", t,
          "trust.validity: certificate validity is only used with roots (no roots in this file)");
  t.erase("validity");
  t["required_eku"] = "1.3.6.1.5.5.7.3.1";
  refused("T3", "t03-eku-without-roots", "required_eku set in a file without roots", t,
          "trust.required_eku: certificate settings are only used with roots (no roots in this file)");
  t = base(1);
  t["roots"] = ojson::array();
  refused("T4", "t04-roots-in-version-1", "roots in a version-1 file", t,
          "trust.roots: needs \"format_version\": 2 (this file says 1)");
}

void TrustVectors::document() {
  ojson t = base();
  t["format"] = "fwseal-trust-v1";
  refused("T4", "t04-format-wrong", "format \"fwseal-trust-v1\"", t, "trust.format: expected \"fwseal-trust\"");
  t = base();
  t["format_version"] = 3;
  refused("T4", "t04-format-version-3", "format_version 3", t,
          "trust.format_version: version 3 is not supported (this fwseal reads versions 1 and 2)");
  t = base();
  t["thresold"] = 1;
  refused("T4", "t04-unknown-member", "a misspelt member", t, "trust.thresold: unknown member");
  t = base();
  t["threshold"] = "1";
  refused("T4", "t04-threshold-string", "threshold as a string", t,
          "trust.threshold: expected a non-negative integer");
  refused("T4", "t04-not-an-object", "a JSON array", ojson::array(), "trust: expected a JSON object");
  std::string text = base().dump();
  text.insert(text.size() - 1, ",\"threshold\":1");
  refused_text("T4", "t04-duplicate-member", "threshold twice", text, "duplicate member name \"threshold\"");
  text = base().dump();
  text.replace(text.find("\"ed25519\""), 9, "\"ed\xff\"");
  refused_text("T4", "t04-invalid-utf8", "a key name with the byte 0xff", text, "ill-formed UTF-8 byte");
  text = base().dump(2) + "\n";
  text.append(kMaxTrustBytes + 1 - text.size(), ' ');
  refused_text("T4", "t04-larger-than-1-mib", "1 MiB and one byte (spaces after the JSON)", text,
               "larger than the limit of 1048576 bytes for a trust file");
}

void TrustVectors::keys() {
  ojson t = base();
  t["keys"][0]["public_key"] = "ed25519";
  refused("T5", "t05-not-pem", "a public key that is not PEM", t,
          "trust.keys[0].public_key: not a PEM public key (expected exactly one -----BEGIN PUBLIC KEY----- block)");
  t = base();
  t["keys"][0]["public_key"] = pem_of(c_.keys.public_key("ed25519")) + pem_of(c_.keys.public_key("ecdsa-p256"));
  refused("T5", "t05-two-pem-blocks", "two PEM blocks in one public_key", t,
          "trust.keys[0].public_key: not a PEM public key (expected exactly one -----BEGIN PUBLIC KEY----- block)");
  t = base();
  t["keys"][0]["public_key"] = kP521Pem;
  refused("T5", "t05-p521-key", "an EC key on P-521, not one of the five algorithms", t,
          "trust.keys[0].public_key: EC curve secp521r1 is not supported (P-256 or P-384)");
  t = base();
  t["keys"][0]["key_id"] = to_hex(c_.keys.id("ecdsa-p256"));
  refused("T5", "t05-key-id-mismatch", "a key_id that is another key's", t,
          "trust.keys[0].key_id: does not match the public key, whose key id (SHA-256 of its SubjectPublicKeyInfo) "
          "is " +
              to_hex(c_.keys.id("ed25519")));
  t = base();
  t["keys"].push_back(key("ed25519"));
  t["keys"][1]["name"] = "again";
  refused("T5", "t05-same-key-twice", "one key listed twice under two names", t,
          "trust.keys[1].public_key: the same key as trust.keys[0]");
  t = base();
  t["keys"].push_back(key("ecdsa-p256"));
  t["keys"].push_back({{"name", "compressed"}, {"public_key", compressed_pem(c_.keys.public_key("ecdsa-p256"))}});
  refused("T5", "t05-same-key-compressed", "a P-256 key listed again with its point compressed", t,
          "trust.keys[2].public_key: the same key as trust.keys[1]");
}

void TrustVectors::names() {
  ojson t = base();
  t["keys"][0]["name"] = "rel\x01";
  refused("T6", "t06-name-control-character", "a key name with U+0001", t,
          "trust.keys[0].name: \"rel\\x01\" contains a control character");
  t["keys"][0]["name"] = "rel\xc2\x85";
  refused("T6", "t06-name-c1-control", "a key name with U+0085", t,
          "trust.keys[0].name: \"rel\\u{0085}\" contains a control character");
  t = base();
  t["keys"].push_back(key("ecdsa-p256"));
  t["keys"][1]["name"] = "ed25519";
  refused("T6", "t06-name-twice", "two keys named \"ed25519\"", t, "trust.keys[1].name: \"ed25519\" names two keys");
}

void TrustVectors::thresholds() {
  ojson t = base();
  t["threshold"] = 0;
  refused("T7", "t07-threshold-zero", "threshold 0", t, "trust.threshold: must be at least 1");
  t["threshold"] = 2;
  refused("T7", "t07-threshold-above-keys", "threshold 2 with one key", t,
          "trust.threshold: 2 signatures required but only 1 usable keys (listed in keys, not revoked, with an "
          "allowed algorithm)");
}

void TrustVectors::lists() {
  ojson t = base();
  t["algorithms"] = ojson::array();
  refused("T8", "t08-algorithms-empty", "an empty algorithms list", t,
          "trust.algorithms: at least one algorithm is required");
  t["algorithms"] = {"ed448"};
  refused("T8", "t08-algorithm-unknown", "the algorithm ed448", t,
          "trust.algorithms[0]: unknown algorithm \"ed448\" (one of ecdsa-p256, ecdsa-p384, ed25519, rsa-pss-3072, "
          "rsa-pss-4096)");
  t["algorithms"] = {"ed25519", "ed25519"};
  refused("T8", "t08-algorithm-twice", "ed25519 listed twice", t,
          "trust.algorithms[1]: \"ed25519\" is listed twice");
  t = base();
  t["revoked_key_ids"] = {to_hex(c_.keys.id("ecdsa-p256"))};
  for (char& ch : t["revoked_key_ids"][0].get_ref<std::string&>()) ch = static_cast<char>(std::toupper(ch));
  refused("T8", "t08-revoked-id-uppercase", "a revoked key id in upper case", t,
          "trust.revoked_key_ids[0]: not lowercase hex at character 0");
  t["revoked_key_ids"] = {to_hex(c_.keys.id("ecdsa-p256")), to_hex(c_.keys.id("ecdsa-p256"))};
  refused("T8", "t08-revoked-id-twice", "one revoked key id listed twice", t,
          "trust.revoked_key_ids[1]: " + to_hex(c_.keys.id("ecdsa-p256")) + " is listed twice");

  t = base();
  t["hardware"] = ojson::array();
  refused("T9", "t09-hardware-empty", "an empty hardware list", t,
          "trust.hardware: empty list (leave the member out instead)");
  t["hardware"] = {"acme-cam-v1", "acme-cam-v1"};
  refused("T9", "t09-hardware-twice", "one hardware id listed twice", t,
          "trust.hardware[1]: \"acme-cam-v1\" is listed twice");
  t["hardware"] = {"acme cam"};
  refused("T9", "t09-hardware-space", "a hardware id with a space", t,
          "trust.hardware[0]: hardware id \"acme cam\" has a space, control or non-ASCII character at position 4");
}

void TrustVectors::limits() {
  ojson t = base();
  t["keys"] = ojson::array();
  for (int i = 0; i < 65; ++i) t["keys"].push_back(key("ed25519"));
  refused("T10", "t10-65-keys", "65 keys in one key set", t, "trust.keys: 65 items, more than the limit of 64");
  t = base(2);
  t.erase("keys");
  t.erase("threshold");
  t["roles"] = ojson::array();
  for (int i = 0; i < 9; ++i) t["roles"].push_back(role("role-" + std::to_string(i), "ed25519"));
  refused("T10", "t10-9-roles", "nine roles", t, "trust.roles: 9 items, more than the limit of 8");
  t = base();
  t["revoked_key_ids"] = ojson::array();
  for (int i = 0; i < 1025; ++i) {
    std::string id(64, '0');
    const std::string n = std::to_string(i);
    id.replace(64 - n.size(), n.size(), n);
    t["revoked_key_ids"].push_back(id);
  }
  refused("T8", "t08-1025-revoked-ids", "1,025 revoked key ids (T8 sets this limit)", t,
          "trust.revoked_key_ids: 1025 items, more than the limit of 1024");
}

void TrustVectors::accepted() {
  std::string text = "\xEF\xBB\xBF// the device's trust policy\n" + base().dump(2) + "\n/* end */\n";
  c_.out.good_trust("t04-byte-order-mark-and-comments", "a byte-order mark and both kinds of comment", text,
                    kPackage, "VALID: acme-cam 1.4.2");
  ojson t = base();
  t["keys"] = {{{"name", "ecdsa-p256"},
                {"public_key", compressed_pem(c_.keys.public_key("ecdsa-p256"))},
                {"key_id", to_hex(c_.keys.id("ecdsa-p256"))}}};
  c_.out.good_trust("t05-compressed-point", "the P-256 key with a compressed point; key_id is the canonical one",
                    t.dump(2) + "\n", "valid/v2-ecdsa-p256.fwpkg", "VALID: acme-cam 1.4.2");
}

}  // namespace

void trust_vectors(Ctx& c) {
  TrustVectors v(c);
  v.roots();
  v.key_sets();
  v.settings();
  v.document();
  v.keys();
  v.names();
  v.thresholds();
  v.lists();
  v.limits();
  v.accepted();
}

}  // namespace fwseal::vectors
