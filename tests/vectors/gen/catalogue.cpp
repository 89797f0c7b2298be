#include "catalogue.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fwseal::vectors {
namespace {

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path);
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
  if (code < 10 || code > 15) throw std::runtime_error(id + ": an invalid vector needs a code from 10 to 15");
  add(Vector{id, rule, description, "invalid/" + id + ".fwpkg", device.trust, device.args, code, message}, &bytes);
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
  add(Vector{id, rule, description, file, device.trust, device.args, code, message}, nullptr);
}

void Catalogue::bad_trust(const std::string& rule, const std::string& id, const std::string& description,
                          const std::string& trust_text, const std::string& package, const std::string& message) {
  require_written(id, package);
  const std::string trust = "trust-invalid/" + id + ".json";
  write_bytes(dir_ + "/" + trust, trust_text);
  add(Vector{id, rule, description, package, trust, {}, 10, message}, nullptr);
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

std::string header_diff_message(const Pkg& p, std::string_view entry, std::string_view changed_header) {
  const Entry& e = p.entries[p.index(entry)];
  return header_message(entry, p.offset(entry), first_difference(e.header, changed_header));
}

}  // namespace fwseal::vectors
