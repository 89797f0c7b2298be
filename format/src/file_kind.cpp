#include "fwseal/format/file_kind.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "fwseal/base/file.h"
#include "fwseal/base/text.h"
#include "fwseal/format/layout.h"

namespace fwseal {

namespace {

constexpr std::size_t kSniffBytes = 1 << 20;

FileKind json_kind(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (j.is_discarded()) return FileKind::unknown;
  if (!j.is_object()) return FileKind::json;
  auto is = [&](const char* key, const char* value) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() && *it == value;
  };
  if (is("format", "fwseal-trust")) return FileKind::trust;
  if (is("bomFormat", "CycloneDX")) return FileKind::sbom;
  if (j.contains("payloadType")) return FileKind::provenance;
  for (const char* key : {"release", "signing", "variants", "reproducibility", "provenance", "output"})
    if (j.contains(key)) return FileKind::release;
  if (j.contains("product") && j.contains("images")) return FileKind::spec;
  if (j.contains("allow") && j["allow"].is_array()) return FileKind::licence_policy;
  return FileKind::json;
}

}  // namespace

std::string_view describe(FileKind kind) {
  switch (kind) {
    case FileKind::unknown: return "";
    case FileKind::directory: return "a directory";
    case FileKind::empty: return "an empty file";
    case FileKind::package: return "an fwseal package";
    case FileKind::spec: return "a package spec";
    case FileKind::release: return "a release file";
    case FileKind::trust: return "a trust policy";
    case FileKind::sbom: return "a CycloneDX SBOM";
    case FileKind::provenance: return "a provenance envelope";
    case FileKind::licence_policy: return "a licence policy";
    case FileKind::pem: return "a PEM file";
    case FileKind::json: return "a JSON document";
  }
  return "";
}

FileKind sniff_file_kind(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return FileKind::unknown;
  if (S_ISDIR(st.st_mode)) return FileKind::directory;
  if (!S_ISREG(st.st_mode)) return FileKind::unknown;
  if (st.st_size == 0) return FileKind::empty;
  auto fd = open_read(path);
  if (!fd.ok()) return FileKind::unknown;
  std::string head(static_cast<std::size_t>(std::min<off_t>(st.st_size, kSniffBytes)), '\0');
  auto got = read_full(fd->get(), head.data(), head.size(), path);
  if (!got.ok()) return FileKind::unknown;
  head.resize(*got);
  if (head.size() > kManifestEntry.size() && head.starts_with(kManifestEntry) && head[kManifestEntry.size()] == '\0')
    return FileKind::package;
  if (head.starts_with("-----BEGIN ")) return FileKind::pem;
  const auto first = head.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return FileKind::unknown;
  if (head[first] == '{' || head[first] == '[' || head[first] == '/') return json_kind(head);
  return FileKind::unknown;
}

Error explain_wrong_kind(const std::string& path, FileKind expected, Error error) {
  const FileKind found = sniff_file_kind(path);
  // Some other JSON document is only worth naming where JSON was not expected.
  if (found == FileKind::unknown || found == expected || (found == FileKind::json && expected != FileKind::package))
    return error;
  std::string message = quote(path) + " is " + std::string(describe(found)) + ", not " + std::string(describe(expected));
  // Specs, release files and licence policies are told apart by their members alone, so the
  // parser's own complaint follows in case the guess is wrong.
  if (found == FileKind::spec || found == FileKind::release || found == FileKind::licence_policy || found == FileKind::json)
    message += " (read as " + std::string(describe(expected)) + ": " + error.message + ")";
  return make_error(error.code, std::move(message));
}

}  // namespace fwseal
