// The SQLite implementation of Connection.
#pragma once

#include <memory>
#include <string>

#include "fwseal/inventory/store.h"

namespace fwseal::inventory {

// Opens or creates the file. Code::io when it cannot; Code::malformed when
// the file exists but is not an SQLite database.
Result<std::unique_ptr<Connection>> open_sqlite(const std::string& path);

}  // namespace fwseal::inventory
