// The `fwseal inventory` subcommands about risk (cmd_inventory_risk.cpp):
// scan, triage, statements, vex import|export. cmd_inventory.cpp defines their
// arguments.
#pragma once

#include "args.h"
#include "fwseal/base/error.h"
#include "fwseal/inventory/lifecycle.h"

namespace fwseal::cli {

// --on DATE, default today (UTC).
Result<inventory::Date> on_date(const Args& args);

int scan(const Args& args);
int triage(const Args& args);
int statements(const Args& args);
int vex_import(const Args& args);
int vex_export(const Args& args);

}  // namespace fwseal::cli
