#include "fwseal/base/openssl.h"

#include <openssl/err.h>

namespace fwseal::ossl {

std::string last_error() {
  unsigned long err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "no detail";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof buf);
  return buf;
}

}  // namespace fwseal::ossl
