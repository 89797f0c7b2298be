// What kind of fwseal file a path holds, told from its first bytes, so that a
// file given in the wrong place is named for what it is ("cam.fwpkg is an
// fwseal package, not a package spec") instead of failing in a parser with a
// message about its insides. A hint only: nothing is accepted because of it.
#pragma once

#include <string>
#include <string_view>

#include "fwseal/base/error.h"

namespace fwseal {

enum class FileKind {
  unknown,    // unreadable, or nothing recognisable
  directory,
  empty,
  package,    // a tar stream whose first entry is manifest.json
  spec,       // JSON with "product" and "images", and none of release's members
  release,    // JSON with "release", "signing", "variants", "reproducibility", "provenance" or "output"
  trust,      // JSON with "format": "fwseal-trust"
  sbom,       // JSON with "bomFormat": "CycloneDX"
  provenance, // JSON with "payloadType" (a DSSE envelope)
  licence_policy,  // JSON with an "allow" array, and none of release's members
  pem,        // starts with "-----BEGIN "
  json,       // another JSON document
};

// "a directory", "an fwseal package", "a package spec", ... ("" for unknown).
std::string_view describe(FileKind kind);

// Reads at most the first 1 MiB of `path` (never a FIFO or device: those are
// unknown). Comments are allowed in JSON, as in specs and release files.
FileKind sniff_file_kind(const std::string& path);

// `error` (a failure to read `path` as `expected`) unchanged, unless `path` is
// recognisably something else: then the same code and "PATH is KIND, not
// EXPECTED", e.g. "cam.fwpkg is an fwseal package, not a package spec". Where
// KIND is a guess from JSON members (a spec, a release file, other JSON), the
// original message follows: "(read as EXPECTED: MESSAGE)".
Error explain_wrong_kind(const std::string& path, FileKind expected, Error error);

}  // namespace fwseal
