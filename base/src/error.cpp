#include "fwseal/base/error.h"

namespace fwseal {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::ok: return "ok";
    case Code::internal: return "internal";
    case Code::usage: return "usage";
    case Code::io: return "io";
    case Code::malformed: return "malformed";
    case Code::digest: return "digest";
    case Code::signature: return "signature";
    case Code::untrusted: return "untrusted";
    case Code::rollback: return "rollback";
    case Code::hardware: return "hardware";
    case Code::gate: return "gate";
    case Code::decryption: return "decryption";
    case Code::hsm: return "hsm";
    case Code::login: return "login";
  }
  return "internal";
}

}  // namespace fwseal
