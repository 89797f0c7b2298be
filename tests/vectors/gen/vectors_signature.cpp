// R15-R16: signature entries. R17-R22: the decision (step 7 of FORMAT.md).
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include <tuple>

#include "catalogue.h"
#include "fwseal/base/digest.h"

namespace fwseal::vectors {

Entry fake_signature(unsigned n, std::int64_t mtime) {
  SignatureEnvelope env;
  env.algorithm = Algorithm::ed25519;
  env.key_id = sha256("fwseal conformance vectors: made-up key " + std::to_string(n));
  env.signature = pattern(64, 100 + n);
  return entry(signature_entry_name(to_hex(env.key_id)), serialize_envelope(env).value(), mtime);
}

namespace {

std::string does_not_verify(const Keys& keys, const std::string& key,
                            const std::string& detail = "the manifest or signature was changed") {
  return "signature by " + key_label(keys, key) + " does not verify: " + detail;
}

std::string envelope_of(Algorithm alg, const KeyId& id, std::string signature) {
  SignatureEnvelope env;
  env.algorithm = alg;
  env.key_id = id;
  env.signature = std::move(signature);
  return serialize_envelope(env).value();
}

// The base package with the data of its Ed25519 signature entry replaced.
Pkg with_envelope(Ctx& c, const std::string& text, const std::string& name = {}) {
  Spec s = base_spec();
  Pkg p = assemble(s, c.keys);
  const std::string sig = c.keys.entry_name("ed25519");
  p.at(sig) = entry(name.empty() ? sig : name, text, s.manifest.created);
  return p;
}

void envelope_vectors(Ctx& c) {
  const std::string mb = base_spec().manifest_bytes();
  const std::string env = c.keys.envelope("ed25519", mb);
  const std::string where = c.keys.entry_name("ed25519");
  const std::string b64 = base64_encode(c.keys.sign("ed25519", signed_bytes(mb)));
  const std::string id = to_hex(c.keys.id("ed25519"));

  auto edit = [&](const std::string& id_, const std::string& description, std::string_view from, std::string_view to,
                  const std::string& message, const std::string& rule = "R15") {
    c.out.invalid(rule, id_, description, with_envelope(c, replaced(env, from, to)).bytes(), 10, message);
  };
  auto not_canonical = [&](const std::string& id_, const std::string& description, std::string_view from,
                           std::string_view to) {
    edit(id_, description, from, to,
         where + ": not canonical JSON (RFC 8785): first difference at byte " +
             std::to_string(first_difference(env, replaced(env, from, to))));
  };
  not_canonical("r15-space", "a space after a colon", R"("algorithm":"ed25519")", R"("algorithm": "ed25519")");
  not_canonical("r15-member-order", "format before algorithm", R"("algorithm":"ed25519","format":"fwseal-signature")",
                R"("format":"fwseal-signature","algorithm":"ed25519")");
  not_canonical("r15-newline-at-end", "a newline after the closing brace", "\"}", "\"}\n");
  edit("r15-unknown-member", "an envelope with a comment member", R"("format":)", R"("comment":"x","format":)",
       where + ".comment: unknown member");
  edit("r15-duplicate-member", "format twice", R"("format":"fwseal-signature")",
       R"("format":"fwseal-signature","format":"fwseal-signature")", where + ": duplicate member name \"format\"");
  edit("r15-format-wrong", "format \"fwseal-manifest\"", R"("format":"fwseal-signature")",
       R"("format":"fwseal-manifest")", where + ".format: expected \"fwseal-signature\"");
  edit("r15-format-missing", "no format member", R"("format":"fwseal-signature",)", "", where + ".format: missing");
  edit("r15-algorithm-unknown", "algorithm \"ed448\"", R"("algorithm":"ed25519")", R"("algorithm":"ed448")",
       where + ".algorithm: unknown algorithm \"ed448\"");
  edit("r15-algorithm-uppercase", "algorithm \"Ed25519\"", R"("algorithm":"ed25519")", R"("algorithm":"Ed25519")",
       where + ".algorithm: unknown algorithm \"Ed25519\"");
  std::string upper = id;
  for (auto& ch : upper) ch = static_cast<char>(ch >= 'a' && ch <= 'f' ? ch - 'a' + 'A' : ch);
  edit("r15-key-id-uppercase", "key_id in uppercase hex", id, upper,
       where + ".key_id: not lowercase hex at character " + std::to_string(id.find_first_of("abcdef")));
  edit("r15-key-id-short", "key_id of 63 hex digits", id, id.substr(0, 63),
       where + ".key_id: expected 64 lowercase hex digits, found 63 characters");
  edit("r15-base64-bad-character", "a '!' in the base64 signature", b64, "!" + b64.substr(1),
       where + ".signature: invalid base64 (character outside the alphabet)");
  edit("r15-base64-url-safe", "base64url '-' instead of the standard alphabet", b64, "-" + b64.substr(1),
       where + ".signature: invalid base64 (character outside the alphabet)");
  edit("r15-base64-no-padding", "the base64 padding left out", b64, b64.substr(0, b64.find('=')),
       where + ".signature: invalid base64 (length is not a multiple of 4)");
  edit("r15-base64-line-break", "a line break in the base64 after 64 characters", b64,
       b64.substr(0, 64) + "\\n" + b64.substr(64), where + ".signature: invalid base64");
  // 64 bytes end in one byte and two '=': the last character carries 4 unused bits.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string loose = b64;
  loose[loose.size() - 3] = alphabet[alphabet.find(loose[loose.size() - 3]) | 1];
  edit("r15-base64-not-canonical", "base64 with a non-zero unused bit", b64, loose,
       where + ".signature: invalid base64 (not the canonical encoding)");
  edit("r15-signature-empty", "signature \"\"", "\"" + b64 + "\"", "\"\"",
       where + ".signature: 0 bytes is not a plausible signature");
  edit("r15-signature-too-long", "a signature of 1025 bytes", b64, base64_encode(pattern(1025, 9)),
       where + ".signature: 1025 bytes is not a plausible signature");
  edit("r15-signature-number", "signature 5", "\"" + b64 + "\"", "5", where + ".signature: expected a string");
  edit("r15-signature-missing", "no signature member", ",\"signature\":\"" + b64 + "\"", "",
       where + ".signature: missing");
  edit("r15-certificates-empty", "certificates []", R"("format":)", R"("certificates":[],"format":)",
       where + ".certificates: empty (leave the member out instead)");
  // R5: at most 8 certificates in one envelope and 16 KiB of DER in each,
  // counted before any certificate is parsed.
  std::string nine;
  for (int i = 0; i < 9; ++i) nine += std::string(i ? "," : "") + "\"" + base64_encode("cert") + "\"";
  edit("r05-9-certificates", "an envelope carrying 9 certificates", R"("format":)",
       "\"certificates\":[" + nine + "],\"format\":", where + ".certificates: 9 items, more than the limit of 8", "R5");
  edit("r05-certificate-too-large", "an envelope carrying a certificate of 16 KiB and one byte", R"("format":)",
       "\"certificates\":[\"" + base64_encode(pattern(16385, 3)) + "\"],\"format\":",
       where + ".certificates[0]: implausible certificate size", "R5");
  c.out.invalid("R15", "r15-not-json", "the envelope is not JSON", with_envelope(c, "ed25519 " + b64).bytes(), 10,
                where + ": invalid JSON");
  c.out.invalid("R15", "r15-empty", "a signature entry of 0 bytes", with_envelope(c, "").bytes(), 10,
                where + ": invalid JSON");
  c.out.invalid("R15", "r15-array", "the envelope is []", with_envelope(c, "[]").bytes(), 10,
                where + ": expected a JSON object");

  // R16: the entry name and the envelope agree; one entry per key.
  const std::string p256 = c.keys.entry_name("ecdsa-p256");
  c.out.invalid("R16", "r16-key-id-mismatch", "an Ed25519 envelope in the entry named for the P-256 key",
                with_envelope(c, env, p256).bytes(), 10,
                p256 + ": the envelope's key_id " + id + " is not the one in the entry name");
  Pkg p = with_envelope(c, env);
  const std::uint64_t at = p.offset(where);
  const std::uint64_t second = p.end_offset();  // where the copy goes
  p.entries.push_back(p.at(where));
  c.out.invalid("R16", "r16-duplicate-key", "the same signature entry twice", p.bytes(), 10,
                where + ": a second signature by the same key (offset " + std::to_string(second) + ")");
  for (auto [id_, description, name] :
       {std::tuple<std::string, std::string, std::string>{
            "r16-name-uppercase", "the key id in the entry name in uppercase", "signature/" + upper + ".json"},
        {"r16-name-no-suffix", "an entry name without .json", "signature/" + id},
        {"r16-name-other-suffix", "an entry name ending in .sig", "signature/" + id + ".sig"},
        {"r16-name-short-id", "an entry name with 63 hex digits", "signature/" + id.substr(1) + ".json"},
        {"r16-name-in-subdirectory", "signature/ed25519/<key id>.json", "signature/ed25519/" + id + ".json"}})
    c.out.invalid(
        "R16", id_, description, with_envelope(c, env, name).bytes(), 10,
        "offset " + std::to_string(at) + ": entry \"" + name +
            "\" where a signature entry (signature/<64 lowercase hex digits>.json) or the end of the archive must be");
}

// R17: a signature by a trusted key that does not verify.
void bad_signature_vectors(Ctx& c) {
  const Spec base = base_spec();
  const std::string mb = Spec(base).manifest_bytes();
  const std::int64_t t = base.manifest.created;
  auto signed_by = [&](const std::string& key, const std::string& signature, Algorithm alg) {
    Spec s = base;
    s.signers.clear();
    Pkg p = assemble(s, c.keys);
    p.entries.push_back(entry(c.keys.entry_name(key), envelope_of(alg, c.keys.id(key), signature), t));
    return p;
  };
  auto flipped = [&](const std::string& key) {
    std::string sig = c.keys.sign(key, signed_bytes(mb));
    sig.back() = static_cast<char>(sig.back() ^ 1);
    return sig;
  };
  for (const char* key : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096"})
    c.out.invalid("R17", std::string("r17-bad-signature-") + key,
                  std::string("the last bit of the ") + key + " signature flipped",
                  signed_by(key, flipped(key), c.keys.algorithm(key)).bytes(), 12, does_not_verify(c.keys, key));

  Spec changed = base;
  changed.manifest.version = "1.4.3";
  changed.signers.clear();
  Pkg p = assemble(changed, c.keys);
  p.entries.push_back(entry(c.keys.entry_name("ed25519"), c.keys.envelope("ed25519", mb), t));
  c.out.invalid("R17", "r17-manifest-changed-after-signing", "version 1.4.3 in a manifest signed as 1.4.2", p.bytes(),
                12, does_not_verify(c.keys, "ed25519"));

  const Algorithm ed = Algorithm::ed25519;
  c.out.invalid("R17", "r17-no-domain-prefix", "Ed25519 over the manifest bytes alone, without the prefix",
                signed_by("ed25519", c.keys.sign("ed25519", mb), ed).bytes(), 12, does_not_verify(c.keys, "ed25519"));
  c.out.invalid("R17", "r17-other-domain-prefix", "Ed25519 over \"fwseal/manifest-signature/v2\\n\" || manifest",
                signed_by("ed25519", c.keys.sign("ed25519", "fwseal/manifest-signature/v2\n" + mb), ed).bytes(), 12,
                does_not_verify(c.keys, "ed25519"));

  const std::string tbs = signed_bytes(mb);
  c.out.invalid("R17", "r17-envelope-algorithm-mismatch", "a P-256 signature in an envelope saying ecdsa-p384",
                signed_by("ecdsa-p256", c.keys.sign("ecdsa-p256", tbs), Algorithm::ecdsa_p384).bytes(), 12,
                does_not_verify(c.keys, "ecdsa-p256",
                                "signature algorithm ecdsa-p384 does not match the key, which is ecdsa-p256"));
  c.out.invalid(
      "R17", "r17-ecdsa-p256-with-sha384", "ECDSA P-256 over SHA-384 instead of SHA-256",
      signed_by("ecdsa-p256", c.keys.sign("ecdsa-p256", tbs, Variant::other_digest), Algorithm::ecdsa_p256).bytes(), 12,
      does_not_verify(c.keys, "ecdsa-p256"));
  c.out.invalid(
      "R17", "r17-ecdsa-p384-with-sha256", "ECDSA P-384 over SHA-256 instead of SHA-384",
      signed_by("ecdsa-p384", c.keys.sign("ecdsa-p384", tbs, Variant::other_digest), Algorithm::ecdsa_p384).bytes(), 12,
      does_not_verify(c.keys, "ecdsa-p384"));

  // The same P-256 signature as raw r || s instead of DER.
  const std::string der = c.keys.sign("ecdsa-p256", tbs);
  const auto* d = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &d, static_cast<long>(der.size()));
  std::string rs(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(es), reinterpret_cast<unsigned char*>(rs.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(es), reinterpret_cast<unsigned char*>(rs.data()) + 32, 32);
  ECDSA_SIG_free(es);
  c.out.invalid("R17", "r17-ecdsa-raw-r-s", "a valid P-256 signature stored as raw r || s, not DER",
                signed_by("ecdsa-p256", rs, Algorithm::ecdsa_p256).bytes(), 12, does_not_verify(c.keys, "ecdsa-p256"));
  c.out.invalid(
      "R17", "r17-rsa-pkcs1-v15", "RSA-3072 with PKCS #1 v1.5 padding instead of PSS",
      signed_by("rsa-pss-3072", c.keys.sign("rsa-pss-3072", tbs, Variant::rsa_pkcs1_v15), Algorithm::rsa_pss_3072)
          .bytes(),
      12, does_not_verify(c.keys, "rsa-pss-3072"));
  c.out.invalid(
      "R17", "r17-rsa-pss-salt-64", "RSA-PSS-4096 with a 64-byte salt instead of 32",
      signed_by("rsa-pss-4096", c.keys.sign("rsa-pss-4096", tbs, Variant::rsa_pss_salt64), Algorithm::rsa_pss_4096)
          .bytes(),
      12, does_not_verify(c.keys, "rsa-pss-4096"));

  // OpenSSL accepts an RSA signature whose leading zero byte was dropped; a
  // strict bootloader does not, and the format says modulus-sized.
  const std::string zero_first = c.keys.sign("rsa-pss-3072", tbs, Variant::leading_zero);
  c.out.invalid("R17", "r17-rsa-pss-one-byte-short",
                "a valid RSA-3072 signature starting with a zero byte, stored without it (383 bytes)",
                signed_by("rsa-pss-3072", zero_first.substr(1), Algorithm::rsa_pss_3072).bytes(), 12,
                does_not_verify(c.keys, "rsa-pss-3072",
                                "RSA-PSS signature of 383 bytes; it must be exactly as long as the modulus, 384 bytes"));

  p = assemble(base, c.keys);
  p.entries.push_back(entry(c.keys.entry_name("ecdsa-p256"),
                            envelope_of(Algorithm::ecdsa_p256, c.keys.id("ecdsa-p256"), flipped("ecdsa-p256")), t));
  c.out.invalid("R17", "r17-bad-beside-valid", "a valid Ed25519 signature and a P-256 signature with a flipped bit",
                p.bytes(), 12, does_not_verify(c.keys, "ecdsa-p256"));
}

// R22: ECDSA signatures in low-S form only.
void high_s_vectors(Ctx& c) {
  const Spec base = base_spec();
  const std::string tbs = signed_bytes(Spec(base).manifest_bytes());
  for (const char* key : {"ecdsa-p256", "ecdsa-p384"}) {
    const Algorithm alg = c.keys.algorithm(key);
    const std::string low = c.keys.sign(key, tbs);
    const auto* d = reinterpret_cast<const unsigned char*>(low.data());
    ECDSA_SIG* es = d2i_ECDSA_SIG(nullptr, &d, static_cast<long>(low.size()));
    EC_GROUP* group = EC_GROUP_new_by_curve_name(alg == Algorithm::ecdsa_p256 ? NID_X9_62_prime256v1 : NID_secp384r1);
    BIGNUM* high_s = BN_new();
    BN_sub(high_s, EC_GROUP_get0_order(group), ECDSA_SIG_get0_s(es));
    ECDSA_SIG_set0(es, BN_dup(ECDSA_SIG_get0_r(es)), high_s);
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(es, &der);
    std::string high(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    EC_GROUP_free(group);
    Spec s = base;
    s.signers.clear();
    Pkg p = assemble(s, c.keys);
    p.entries.push_back(entry(c.keys.entry_name(key), envelope_of(alg, c.keys.id(key), high), base.manifest.created));
    c.out.invalid("R22", std::string("r22-high-s-") + key,
                  std::string("a valid ") + key + " signature (r, s) stored as (r, n - s), which verifies too", p.bytes(),
                  12,
                  does_not_verify(c.keys, key,
                                  "ECDSA signature with a high S (s > n/2): fwseal stores only the low-S form"));
  }
}

// R18-R21: trust, digests, rollback, hardware.
void decision_vectors(Ctx& c) {
  auto package = [&](auto change) {
    Spec s = base_spec();
    change(s);
    return assemble(s, c.keys);
  };
  auto required = [&](int have, int need, const std::string& why) {
    return std::to_string(have) + " of " + std::to_string(need) + " required signatures: " + why;
  };

  c.out.invalid("R18", "r18-unsigned", "no signature entries", package([](Spec& s) { s.signers.clear(); }).bytes(), 13,
                "package is not signed");
  c.out.invalid("R18", "r18-unknown-key", "signed by a key trust.json does not list",
                package([](Spec& s) { s.signers = {"unknown-ed25519"}; }).bytes(), 13,
                required(0, 1, key_label(c.keys, "unknown-ed25519", false) + " is not in trust.json"));
  c.out.invalid("R18", "r18-revoked-key", "signed by a key trust.json lists and revokes",
                package([](Spec& s) { s.signers = {"revoked-ed25519"}; }).bytes(), 13,
                required(0, 1, key_label(c.keys, "revoked-ed25519") + " is revoked by trust.json"));
  c.out.invalid(
      "R18", "r18-algorithm-not-allowed", "signed with ECDSA P-256; the trust file allows Ed25519 only",
      package([](Spec& s) { s.signers = {"ecdsa-p256"}; }).bytes(), 13,
      required(0, 1, key_label(c.keys, "ecdsa-p256") + " signs with ecdsa-p256, which trust.json does not allow"),
      {"trust-ed25519-only.json", {}});
  c.out.invalid("R18", "r18-threshold-not-met", "one trusted and one unknown signature; two required",
                package([](Spec& s) {
                  s.signers = {"ed25519", "unknown-ed25519"};
                }).bytes(),
                13, required(1, 2, key_label(c.keys, "unknown-ed25519", false) + " is not in trust.json"),
                {"trust-threshold-2.json", {}});

  auto mismatch = [](const std::string& label, std::string_view expected, std::string_view actual) {
    return label + ": SHA-256 mismatch (manifest " + sha256_hex(expected).substr(0, 16) + "\xe2\x80\xa6, content " +
           sha256_hex(actual).substr(0, 16) + "\xe2\x80\xa6): the content was changed";
  };
  Spec s = base_spec();
  Pkg p = assemble(s, c.keys);
  p.at("image/kernel").data[10] ^= 0x20;
  c.out.invalid("R19", "r19-image-changed", "one bit of image/kernel flipped", p.bytes(), 11,
                mismatch("image kernel", s.images[0], p.at("image/kernel").data));
  p = assemble(s, c.keys);
  p.at("image/rootfs").data.back() ^= 0x01;
  c.out.invalid("R19", "r19-last-image-changed", "the last bit of image/rootfs flipped", p.bytes(), 11,
                mismatch("image rootfs", s.images[1], p.at("image/rootfs").data));
  Spec sb = base_spec();
  sb.sbom = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"version\":1,\"components\":[]}\n";
  p = assemble(sb, c.keys);
  p.at("sbom.cdx.json").data[1] = '\'';
  c.out.invalid("R19", "r19-sbom-changed", "one byte of sbom.cdx.json changed", p.bytes(), 11,
                mismatch("sbom", *sb.sbom, p.at("sbom.cdx.json").data));
  Spec two = base_spec();
  two.images[1] = pattern(100, 3);
  p = assemble(two, c.keys);
  std::swap(p.at("image/kernel").data, p.at("image/rootfs").data);
  c.out.invalid("R19", "r19-images-swapped", "the data of two images of the same size swapped", p.bytes(), 11,
                mismatch("image kernel", two.images[0], two.images[1]));

  c.out.invalid("R20", "r20-below-trust-minimum", "security version 1; trust.json's minimum is 2",
                package([](Spec& x) { x.manifest.security_version = 1; }).bytes(), 14,
                "security version 1 is below the minimum 2 (trust.json min_security_version 2): refusing a rollback");
  c.out.again(
      "R20", "r20-below-installed", "security version 3 on a device that has 4 installed", "valid/ed25519.fwpkg", 14,
      "security version 3 is below the minimum 4 (trust.json min_security_version 2, installed security version 4): "
      "refusing a rollback",
      {"trust.json", {"--installed-security-version", "4"}});
  c.out.again("R20", "r20-installed-maximum", "a device that has the largest security version installed",
              "valid/ed25519.fwpkg", 14, "security version 3 is below the minimum 18446744073709551615",
              {"trust.json", {"--installed-security-version", "18446744073709551615"}});

  for (auto [id, hw] : {std::pair<std::string, std::string>{"other-hardware", "acme-doorbell-v1"},
                        {"longer-id", "acme-cam-v2-beta"},
                        {"case-differs", "ACME-CAM-V2"}})
    c.out.invalid("R21", "r21-" + id, "the package is for " + hw + "; the device is acme-cam-v2",
                  package([hw = hw](Spec& x) { x.manifest.hardware = {hw}; }).bytes(), 15,
                  "package is for hardware \"" + hw + "\", not for this device (\"acme-cam-v2\")");
  c.out.again("R21", "r21-hw-option", "--hw acme-cam-v3 overrides trust.json's acme-cam-v2", "valid/ed25519.fwpkg", 15,
              "package is for hardware \"acme-cam-v1\", \"acme-cam-v2\", not for this device (\"acme-cam-v3\")",
              {"trust.json", {"--hw", "acme-cam-v3"}});
}

}  // namespace

void signature_vectors(Ctx& c) {
  envelope_vectors(c);
  bad_signature_vectors(c);
  decision_vectors(c);
  high_s_vectors(c);
}

}  // namespace fwseal::vectors
