// The `fwseal inventory` subcommands about risk (cmd_inventory_risk.cpp):
// scan, triage, statements, vex. cmd_inventory.cpp dispatches to them.
#pragma once

#include "args.h"
#include "fwseal/base/error.h"
#include "fwseal/inventory/lifecycle.h"

namespace fwseal::cli {

extern const char* const kInventoryUsage;

// --on DATE, default today (UTC).
Result<inventory::Date> on_date(const Args& args);

int scan(const Args& args);
int triage(const Args& args);
int statements(const Args& args);
int vex(const Args& args);

}  // namespace fwseal::cli
