// Where the user PIN comes from, for code that must know before it logs in or
// that starts other fwseal processes: `fwseal pipeline run`, its build steps
// and the reproducibility rebuild. The sources themselves, in the order login
// tries them, are hsm.h's: $FWSEAL_PIN, the file $FWSEAL_PIN_FILE, the URI's
// pin-source, a prompt on the terminal. Only hsm/ reads these variables.
#pragma once

#include "fwseal/base/error.h"
#include "fwseal/base/process.h"
#include "fwseal/hsm/uri.h"

namespace fwseal::hsm {

// True when login to the key `uri` names takes its user PIN from a source
// other than the terminal: $FWSEAL_PIN or $FWSEAL_PIN_FILE is set and not
// empty (set but empty counts as unset, as it does at login), or the URI has
// a pin-source. Nothing is read or checked: a wrong or unreadable PIN fails
// at login. A token with a PIN pad needs no PIN, but this still says false.
bool pin_available_without_prompt(const KeyUri& uri);

// A child that needs no PIN gets none: FWSEAL_PIN, FWSEAL_PIN_FILE,
// FWSEAL_SO_PIN and FWSEAL_SO_PIN_FILE are removed from its environment.
// (Set ChildOptions::close_inherited_fds too, so that no PIN memory file of
// PinForChildren reaches it either.)
void withhold_pins(ChildOptions& child);

// $FWSEAL_PIN never reaches a child: the children (ninja, every fwseal
// command it runs, anything they start) would otherwise all carry it in their
// environment, readable in /proc/<pid>/environ and printed by any tool that
// logs its environment. They read the PIN instead from a sealed memory file,
// never on disk, that they inherit as an open descriptor and find through
// FWSEAL_PIN_FILE=/proc/self/fd/N.
class PinForChildren {
 public:
  // Copies $FWSEAL_PIN, if set and not empty, into the memory file. Code::io
  // if the file cannot be made or sealed.
  static Result<PinForChildren> from_environment();
  PinForChildren(PinForChildren&& o) noexcept;
  PinForChildren& operator=(PinForChildren&&) = delete;
  ~PinForChildren();

  // Removes FWSEAL_PIN and FWSEAL_SO_PIN from the child's environment and,
  // when there is a memory file, points FWSEAL_PIN_FILE at it.
  void apply(ChildOptions& child) const;

 private:
  PinForChildren() = default;
  int fd_ = -1;
};

}  // namespace fwseal::hsm
