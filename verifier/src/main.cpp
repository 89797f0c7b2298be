// fwseal-verify: the standalone check a device bootloader makes. Links format/
// alone (with OpenSSL and libarchive): no HSM, no signer, no packager.
#include <iostream>

#include "fwseal/base/interrupt.h"
#include "fwseal/verifier/cli.h"

int main(int argc, char** argv) {
  fwseal::install_interrupt_cleanup();  // extract's staging directory goes with an interrupted run
  return fwseal::verifier::verify_main(argc, argv, std::cout, std::cerr, "fwseal-verify", FWSEAL_VERSION);
}
