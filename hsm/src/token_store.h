// The SoftHSM2 tokens of one fwseal state directory, kept crash-safe.
//
// SoftHSM2's file object store rewrites token.object in place (truncate, then
// write) at every login, and Debian's build has no database store. A process
// killed between the two, or a second process reading meanwhile, finds an
// empty token.object: the token and its non-extractable keys are gone. So
// SoftHSM2 never writes the tokens a user keeps:
//
//   <home>/tokens        a symbolic link to the current generation
//   <home>/tokens.<n>    a generation: complete, fsynced, never written again
//   <home>/run/<pid>-<k> one process's private copy, which SoftHSM2 may
//                        rewrite as it likes; removed when the process is
//                        done, or by the next fwseal if the process was killed
//
// A change (a new token, a new key) is published as the next generation: the
// private copy is copied and fsynced under a temporary name, renamed into
// place, and the link replaced by rename(2). A reader sees the old generation
// or the new one, never a half-written file. Writers take <home>/tokens.lock
// and so run one at a time; readers take no lock.
// Internal to hsm/.
#pragma once

#include <memory>
#include <string>

#include "fwseal/base/error.h"

namespace fwseal::hsm {

class TokenStore {
 public:
  // The private copy of the current generation for this process (shared by
  // every user in the process while one is alive). `write` takes the writers'
  // lock first, held until the copy is released. A state directory whose
  // `tokens` is still a plain directory (made by an older fwseal) is turned
  // into generation 1 first. Code::io if the directory cannot be read or
  // written.
  static Result<std::shared_ptr<TokenStore>> open(const std::string& home, bool write);

  TokenStore(const TokenStore&) = delete;
  TokenStore& operator=(const TokenStore&) = delete;
  ~TokenStore();

  // The SOFTHSM2_CONF naming the private copy.
  const std::string& conf() const { return conf_; }
  // Makes the private copy the current generation. Code::hsm if another
  // process published since this copy was made, Code::io on a write failure.
  Status publish();

 private:
  TokenStore(std::string home, std::string run, std::string conf, std::string base, int lock_fd)
      : home_(std::move(home)), run_(std::move(run)), conf_(std::move(conf)), base_(std::move(base)), lock_fd_(lock_fd) {}

  std::string home_;
  std::string run_;   // <home>/run/<pid>-<k>
  std::string conf_;  // <run>/softhsm2.conf
  std::string base_;  // the generation copied, "tokens.<n>"
  int lock_fd_;       // -1 unless this copy holds the writers' lock
};

}  // namespace fwseal::hsm
