// valid/: packages every conforming verifier accepts.
#include "catalogue.h"
#include "fwseal/base/digest.h"

namespace fwseal::vectors {

namespace {

std::string valid_message(Spec& s, int valid, int signatures) {
  return "VALID: " + s.manifest.product + " " + s.manifest.version + " (security version " + std::to_string(s.manifest.security_version) +
         "), " + std::to_string(valid) + " of " + std::to_string(signatures) + " signatures, manifest sha256 " +
         sha256_hex(s.manifest_bytes());
}

}  // namespace

void valid_vectors(Ctx& c) {
  for (const char* alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096"}) {
    Spec s = base_spec();
    s.signers = {alg};
    c.out.valid(alg, std::string("two images, signed with ") + alg, assemble(s, c.keys).bytes(),
                valid_message(s, 1, 1));
  }

  Spec sbom = base_spec();
  sbom.sbom = R"({"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[)"
              R"({"type":"firmware","name":"kernel","version":"6.6.40"},)"
              R"({"type":"firmware","name":"rootfs","version":"1.4.2"}]})"
              "\n";
  c.out.valid("sbom", "with an SBOM entry between the manifest and the images", assemble(sbom, c.keys).bytes(),
              valid_message(sbom, 1, 1));

  Spec all = base_spec();
  all.signers = {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096"};
  c.out.valid("five-signatures", "signed by all five algorithms", assemble(all, c.keys).bytes(),
              valid_message(all, 5, 5));
  c.out.again("valid", "five-signatures-threshold-2", "signed by all five algorithms; two required",
              "valid/five-signatures.fwpkg", 0, valid_message(all, 5, 5), {"trust-threshold-2.json", {}});

  Spec unknown = base_spec();
  unknown.signers = {"unknown-ed25519", "ed25519"};
  c.out.valid("unknown-key-beside-trusted", "a signature by a key trust.json does not know is listed, not counted",
              assemble(unknown, c.keys).bytes(), valid_message(unknown, 1, 2));

  // 32 signature entries: the limit. 31 are by keys nobody trusts, so their
  // signature bytes are never checked.
  Spec many = base_spec();
  Pkg p = assemble(many, c.keys);
  for (unsigned i = 0; i < 31; ++i) p.entries.push_back(fake_signature(i, many.manifest.created));
  c.out.valid("32-signatures", "32 signature entries (the limit): one trusted, 31 by unknown keys", p.bytes(),
              valid_message(many, 1, 32));

  // Sizes at every padding boundary and the longest names and values.
  Spec edge = base_spec();
  edge.manifest.images.clear();
  edge.images.clear();
  edge.add_image("empty", "blob", "");
  edge.add_image("one", "blob", pattern(1, 3));
  edge.add_image("block-1", "blob", pattern(511, 4));
  edge.add_image("block", "blob", pattern(512, 5));
  edge.add_image("block.1", "blob", pattern(513, 6));
  edge.add_image(std::string(60, 'n') + "_.-9", std::string(31, 't') + "-", pattern(7, 7));
  edge.manifest.product = "acme-cam \xe2\x80\x94 " + std::string(128 - 13, 'p');  // U+2014, 128 bytes
  edge.manifest.version = "1.4.2+build.7~rc1";
  edge.manifest.security_version = 18446744073709551615u;
  edge.manifest.hardware = {"!", "acme-cam-v2", "~"};
  c.out.valid("edges", "images of 0, 1, 511, 512 and 513 bytes, the longest names, the largest security version",
              assemble(edge, c.keys).bytes(), valid_message(edge, 1, 1));

  // Version 2: signatures first.
  for (const char* alg : {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096"}) {
    Spec s = base_spec_v2();
    s.signers = {alg};
    c.out.valid(std::string("v2-") + alg, std::string("version 2, two images, signed with ") + alg,
                assemble(s, c.keys).bytes(), valid_message(s, 1, 1));
  }
  Spec v2all = base_spec_v2();
  v2all.signers = {"ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-pss-3072", "rsa-pss-4096", "unknown-ed25519"};
  v2all.sbom = *sbom.sbom;
  v2all.manifest.signature_space = 4096;
  c.out.valid("v2-five-signatures-sbom", "version 2, an SBOM, five trusted signatures and an unknown one",
              assemble(v2all, c.keys).bytes(), valid_message(v2all, 5, 6));
  Spec small = base_spec_v2();
  small.manifest.signature_space = 512;
  c.out.valid("v2-space-512", "version 2 with the smallest signature area (512 bytes), one Ed25519 signature",
              assemble(small, c.keys).bytes(), valid_message(small, 1, 1));
  Spec v2edge = edge;
  v2edge.use_version_2();
  c.out.valid("v2-edges", "version 2: images of 0, 1, 511, 512 and 513 bytes, the longest names",
              assemble(v2edge, c.keys).bytes(), valid_message(v2edge, 1, 1));

  Spec base = base_spec();
  c.out.again("valid", "device-arguments", "--hw and --installed-security-version equal to the package's",
              "valid/ed25519.fwpkg", 0, valid_message(base, 1, 1),
              {"trust.json", {"--hw", "acme-cam-v1", "--installed-security-version", "3"}});
}

}  // namespace fwseal::vectors
