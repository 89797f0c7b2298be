// fwseal-verify: the standalone check a device bootloader makes. Links format/
// alone (with OpenSSL and libarchive): no HSM, no signer, no packager.
#include "fwseal/verifier/cli.h"

int main(int argc, char** argv) { return fwseal::verifier::verify_main(argc, argv); }
