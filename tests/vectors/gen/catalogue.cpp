#include "catalogue.h"

#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "fwseal/base/digest.h"

namespace fwseal::vectors {
namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// fwseal-verify's message starts with the rule that refuses the package: the
// vector's own, or for R25 (the order of the decision) the one written in
// `message`.
std::string with_rule(const std::string& rule, const std::string& id, const std::string& message) {
  std::smatch m;
  const bool ruled = std::regex_search(message, m, std::regex("^(R[1-9][0-9]*): "));
  if (rule != "R25") {
    if (ruled) throw std::runtime_error(id + ": the message names its rule; the catalogue adds " + rule);
    return rule + ": " + message;
  }
  if (!ruled || m[1] == "R25") throw std::runtime_error(id + ": an R25 message starts with the rule that refuses it");
  return message;
}

}  // namespace

void Catalogue::add(Vector v, const std::string* bytes) {
  for (const auto& other : list_)
    if (other.id == v.id) throw std::runtime_error("two vectors named " + v.id);
  if (v.message.empty()) throw std::runtime_error(v.id + ": no expected message");
  if (bytes) write_bytes(dir_ + "/" + v.file, *bytes);
  list_.push_back(std::move(v));
}

void Catalogue::invalid(const std::string& rule, const std::string& id, const std::string& description,
                        const std::string& bytes, int code, const std::string& message, const Device& device) {
  if ((code < 10 || code > 15) && code != 17)
    throw std::runtime_error(id + ": an invalid vector needs a code from 10 to 15, or 17 (decryption)");
  add(Vector{id, rule, description, "invalid/" + id + ".fwpkg", device.trust, device.args, code,
             with_rule(rule, id, message)},
      &bytes);
}

void Catalogue::valid(const std::string& id, const std::string& description, const std::string& bytes,
                      const std::string& message, const Device& device) {
  add(Vector{id, "valid", description, "valid/" + id + ".fwpkg", device.trust, device.args, 0, message}, &bytes);
}

void Catalogue::require_written(const std::string& id, const std::string& file) const {
  for (const auto& other : list_)
    if (other.file == file) return;
  throw std::runtime_error(id + ": " + file + " was not written before");
}

void Catalogue::again(const std::string& rule, const std::string& id, const std::string& description,
                      const std::string& file, int code, const std::string& message, const Device& device) {
  require_written(id, file);
  add(Vector{id, rule, description, file, device.trust, device.args, code,
             code == 0 ? message : with_rule(rule, id, message)},
      nullptr);
}

void Catalogue::bad_trust(const std::string& rule, const std::string& id, const std::string& description,
                          const std::string& trust_text, const std::string& package, const std::string& message) {
  require_written(id, package);
  const std::string trust = "trust-invalid/" + id + ".json";
  write_bytes(dir_ + "/" + trust, trust_text);
  // The verifier names the trust file between the rule and this message.
  add(Vector{id, rule, description, package, trust, {}, 10, rule + ": " + message}, nullptr);
}

void Catalogue::good_trust(const std::string& id, const std::string& description, const std::string& trust_text,
                           const std::string& package, const std::string& message) {
  require_written(id, package);
  const std::string trust = "trust-valid/" + id + ".json";
  write_bytes(dir_ + "/" + trust, trust_text);
  add(Vector{id, "valid", description, package, trust, {}, 0, message}, nullptr);
}

std::string header_message(std::string_view entry, std::uint64_t header_offset, std::size_t first_diff) {
  return std::string(entry) + ": the header at offset " + std::to_string(header_offset) +
         " is not the canonical one: first difference at offset " + std::to_string(header_offset + first_diff) +
         " (byte " + std::to_string(first_diff) + " of the header)";
}

std::string padding_message(std::string_view entry, std::uint64_t offset) {
  return std::string(entry) + ": padding byte at offset " + std::to_string(offset) + " is not zero";
}

std::string truncated_message(std::uint64_t offset, std::string_view inside) {
  return "package ends at offset " + std::to_string(offset) + " inside " + std::string(inside) + " (truncated)";
}

std::string key_label(const Keys& keys, const std::string& key, bool trusted) {
  std::string out = "key " + to_hex(keys.id(key)).substr(0, 16) + "\xe2\x80\xa6";  // "…"
  return trusted ? out + " (" + key + ")" : out;
}

std::string header_diff_message(const Pkg& p, std::string_view entry, std::string_view changed_header) {
  const Entry& e = p.entries[p.index(entry)];
  return header_message(entry, p.offset(entry), first_difference(e.header, changed_header));
}

}  // namespace fwseal::vectors
