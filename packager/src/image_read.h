// Internal: reading an image into the package (Copier, encrypt_copy), which
// must not change while it is read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "fwseal/base/error.h"

namespace fwseal::packager {

// pread until `n` bytes or end of file; returns the count read. Code::io
// naming `what` if a read fails.
Result<std::size_t> pread_full(int fd, std::uint8_t* buf, std::size_t n, std::uint64_t offset,
                               const std::string& what);

// The image `what`, measured at `size` bytes, ended early or went on.
Error changed_while_read(const std::string& what, std::uint64_t size);

// After the last byte was read: the file is still `size` bytes and has no
// byte at `size` (a file that grew is refused as well as one that shrank;
// the read catches files like those in /proc, which report 0 and still have
// data).
Status check_ends_at(int fd, std::uint64_t size, const std::string& what);

}  // namespace fwseal::packager
