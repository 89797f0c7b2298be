// Benchmark driver: one SBOM of one image, written to a file. Only for
// bench/sbom/run.sh; the real command line is `fwseal sbom generate`.
#include <cstdio>
#include <fstream>
#include <string>

#include "fwseal/sbom/sbom.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sbom_bench IMAGE_TYPE PATH OUT.cdx.json\n");
    return 2;
  }
  fwseal::sbom::SbomConfig config;
  config.product = "bench";
  config.version = "1";
  config.images = {{"image", argv[1], argv[2]}};
  config.timestamp = 0;
  config.tool_version = "bench";
  auto r = fwseal::sbom::generate_sbom(config);
  if (!r.ok()) {
    std::fprintf(stderr, "sbom_bench: %s\n", r.error().message.c_str());
    return fwseal::exit_code(r.error().code);
  }
  std::ofstream(argv[3], std::ios::binary) << r->json;
  std::fprintf(stderr, "sbom_bench: %zu bytes of SBOM, %zu warnings\n", r->json.size(), r->warnings.size());
  return 0;
}
