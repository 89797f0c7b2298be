// Shared by the commands that reach an HSM: --module and FWSEAL_HOME.
#pragma once

#include "args.h"
#include "fwseal/hsm/hsm.h"

namespace fwseal::cli {

inline hsm::Options hsm_options(const Args& args) {
  hsm::Options o;
  if (auto m = args.value("--module")) o.module = *m;
  return o;
}

}  // namespace fwseal::cli
