// The PostgreSQL implementation of Connection, through libpq.
#pragma once

#include <memory>
#include <string>

#include "fwseal/inventory/store.h"

namespace fwseal::inventory {

// Connects to the server a libpq connection URI names
// (postgresql://[user@]host[:port]/dbname[?param=value...]). Code::io naming
// the server (never its password) when it cannot.
Result<std::unique_ptr<Connection>> open_postgres(const std::string& uri);

// The URI as errors show it: scheme, user, host, port and database only.
// A password or other parameters never appear.
std::string postgres_display_name(const std::string& uri);

}  // namespace fwseal::inventory
