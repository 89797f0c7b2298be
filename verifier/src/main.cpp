// fwseal-verify: the standalone check a device bootloader makes. Links format/
// alone (with OpenSSL and libarchive): no HSM, no signer, no packager.
#include <cstdio>
#include <cstring>

#include "fwseal/base/interrupt.h"
#include "fwseal/verifier/cli.h"

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("fwseal-verify %s\n", FWSEAL_VERSION);
    return 0;
  }
  fwseal::install_interrupt_cleanup();  // extract's staging directory goes with an interrupted run
  return fwseal::verifier::verify_main(argc, argv);
}
