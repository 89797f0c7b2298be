// The check of `fwseal verify --provenance` and `fwseal-verify --provenance`:
// a provenance file (fwseal/format/provenance.h) against trust.json and the
// package that was verified before it.
#pragma once

#include <string>
#include <string_view>

#include "fwseal/base/digest.h"
#include "fwseal/base/error.h"
#include "fwseal/format/provenance.h"
#include "fwseal/format/trust.h"

namespace fwseal::verifier {

// A provenance whose signature and subject have been checked.
struct VerifiedProvenance {
  Provenance statement;
  KeyId key_id{};        // the first trusted key whose signature verified
  std::string key_name;  // its trust.json name; may be empty
};

// The check of `fwseal verify --provenance`, in this order:
//   1. the file is a DSSE envelope with payloadType kInTotoPayloadType      -> 10
//   2. signatures over PAE by keys pinned in any key set of `trust` (not
//      revoked, algorithm allowed): every such signature must verify      -> 12
//      and at least one must be present                                    -> 13
//   3. only then is the payload parsed (parse_statement)                    -> 10
//   4. the subject's sha256 equals `manifest_digest`, the digest of the
//      package that was verified before                                    -> 11
// Keys known only through certificates (trust.json roots) cannot sign
// provenance: a DSSE signature carries no certificate chain. `where` names
// the file in messages.
Result<VerifiedProvenance> verify_provenance(std::string_view file_bytes, const TrustPolicy& trust,
                                             const Sha256& manifest_digest, std::string_view where);

}  // namespace fwseal::verifier
