// The list of conformance vectors as the generator builds it: each vector is a
// package file, the rule of docs/FORMAT.md it breaks, the trust file and
// device arguments to check it with, and the exit code and message that
// fwseal-verify must give. Expected messages are written from the format's
// rules (which entry, which offset), never copied from a verifier's output.
// An invalid vector's message is the start of fwseal-verify's, and so starts
// with the rule that refuses the package: "R2: image/kernel: padding byte ...".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "package.h"

namespace fwseal::vectors {

struct Vector {
  std::string id;    // "r02-image-padding"
  std::string rule;  // "R2", or "valid"
  std::string description;
  std::string file;  // relative to tests/vectors/
  std::string trust = "trust.json";
  std::vector<std::string> args;  // --hw, --installed-security-version
  int exit_code = 0;
  // Invalid: the start of the message on stderr after "fwseal-verify: ",
  // "R2: ..." (for R25, the rule that refuses it first). Valid: a substring of stdout.
  std::string message;
};

struct Device {
  std::string trust = "trust.json";
  std::vector<std::string> args;
};

class Catalogue {
 public:
  explicit Catalogue(std::string dir) : dir_(std::move(dir)) {}

  // Writes invalid/<id>.fwpkg. The expected message is "<rule>: <message>";
  // an R25 vector's `message` names the rule that refuses it ("R18: ...").
  void invalid(const std::string& rule, const std::string& id, const std::string& description, const std::string& bytes,
               int code, const std::string& message, const Device& device = {});
  // Writes valid/<id>.fwpkg.
  void valid(const std::string& id, const std::string& description, const std::string& bytes,
             const std::string& message, const Device& device = {});
  // A file written before, checked again for another device; a refusal's
  // message as invalid() makes it.
  void again(const std::string& rule, const std::string& id, const std::string& description, const std::string& file,
             int code, const std::string& message, const Device& device);

  // Writes trust-invalid/<id>.json: a trust file that breaks one T rule,
  // checked against `package`, a file written before; refused with 10.
  void bad_trust(const std::string& rule, const std::string& id, const std::string& description,
                 const std::string& trust_text, const std::string& package, const std::string& message);
  // Writes trust-valid/<id>.json: a trust file at the edge of the rules that
  // must be accepted.
  void good_trust(const std::string& id, const std::string& description, const std::string& trust_text,
                  const std::string& package, const std::string& message);

  const std::vector<Vector>& list() const { return list_; }

 private:
  void add(Vector v, const std::string* bytes);  // null: the file exists
  void require_written(const std::string& id, const std::string& file) const;
  std::string dir_;
  std::vector<Vector> list_;
};

struct Ctx {
  Keys& keys;
  Catalogue& out;
};

// The vectors, one function per part of docs/FORMAT.md.
void valid_vectors(Ctx& c);      // valid/
void container_vectors(Ctx& c);  // R1-R5: the tar container
void manifest_vectors(Ctx& c);   // R6-R14: the manifest
void signature_vectors(Ctx& c);  // R15-R16: signature entries; R17-R21: the decision
void version2_vectors(Ctx& c);   // R23-R25: signatures first
void encryption_vectors(Ctx& c, const std::string& dir);  // R26-R28: encrypted images (keys in DIR/recipient-keys)
void trust_vectors(Ctx& c);      // T1-T10: the trust file

// A signature entry by a made-up key that no trust file lists: its signature
// bytes are never checked.
Entry fake_signature(unsigned n, std::int64_t mtime);

// The verifier's messages, as FORMAT.md's rules name their subject.
std::string header_message(std::string_view entry, std::uint64_t header_offset, std::size_t first_diff);
std::string padding_message(std::string_view entry, std::uint64_t offset);
std::string truncated_message(std::uint64_t offset, std::string_view inside);
// "key 820976f285ef4947…", and " (<name>)" for a key trust.json names.
std::string key_label(const Keys& keys, const std::string& key, bool trusted = true);

// A shorthand: an image header replaced by `header`, and the message naming
// the first byte where it differs from the canonical one.
std::string header_diff_message(const Pkg& p, std::string_view entry, std::string_view changed_header);

}  // namespace fwseal::vectors
