// The inventory's plain-text outputs: aligned tables for a terminal, CSV rows.
#pragma once

#include <string>
#include <vector>

namespace fwseal::inventory {

// Columns padded to their widest cell, two spaces apart, the first row the
// header. Cells come from SBOMs anyone could have written: control
// characters, and bytes that are not UTF-8, are shown as '?'.
std::string text_table(const std::vector<std::vector<std::string>>& rows);

// One CSV line (RFC 4180 quoting), newline included.
std::string csv_row(const std::vector<std::string>& fields);

}  // namespace fwseal::inventory
