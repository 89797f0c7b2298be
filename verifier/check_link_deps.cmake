# ctest verifier_link_deps: fwseal-verify links base/ and format/ alone, with
# OpenSSL and libarchive: no p11-kit or SoftHSM, no code of hsm/, signer/,
# packager/, sbom-gen/, pipeline/, ca/ or cli/.
# ctest verifier_static_deps (-DSTATIC=ON): fwseal-verify-static, the same,
# and its only shared libraries are the GNU C library's (libc.so.6, libm.so.6,
# the dynamic loader).
# Run as: cmake -DBINARY=path/to/fwseal-verify [-DSTATIC=ON] -P check_link_deps.cmake
if(NOT EXISTS "${BINARY}")
  message(FATAL_ERROR "no binary at ${BINARY}")
endif()

function(output_of var)
  execute_process(COMMAND ${ARGN} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "${cmd} failed (exit ${rc}): ${out}")
  endif()
  set(${var} "${out}" PARENT_SCOPE)
endfunction()

output_of(ldd_out ldd "${BINARY}")
string(TOLOWER "${ldd_out}" ldd_lower)
foreach(lib p11-kit softhsm pkcs11)
  if(ldd_lower MATCHES "${lib}")
    message(FATAL_ERROR "${BINARY} is linked against ${lib}:\n${ldd_out}")
  endif()
endforeach()
if(STATIC)
  output_of(dyn readelf -d "${BINARY}")
  string(REGEX MATCHALL "Shared library: \\[[^]]*\\]" needed "${dyn}")
  list(REMOVE_ITEM needed "Shared library: [libc.so.6]" "Shared library: [libm.so.6]" "Shared library: [ld-linux-x86-64.so.2]")
  if(needed)
    message(FATAL_ERROR "${BINARY} needs shared libraries besides the GNU C library (libc.so.6, libm.so.6, the dynamic loader): ${needed}")
  endif()
  output_of(version "${BINARY}" --version)
  if(NOT version MATCHES "^fwseal-verify [0-9]")
    message(FATAL_ERROR "${BINARY} --version printed '${version}'")
  endif()
elseif(NOT ldd_lower MATCHES "libcrypto")
  message(FATAL_ERROR "fwseal-verify does not link OpenSSL's libcrypto?\n${ldd_out}")
endif()

output_of(nm_out nm -C "${BINARY}")
foreach(ns fwseal::hsm:: fwseal::signer:: fwseal::packager:: fwseal::sbom:: fwseal::pipeline:: fwseal::cli::
           fwseal::issue_certificate fwseal::issue_crl)
  string(FIND "${nm_out}" "${ns}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${BINARY} contains symbols of ${ns}")
  endif()
endforeach()
string(FIND "${nm_out}" "fwseal::verifier::verify_package" at)
if(at EQUAL -1)
  message(FATAL_ERROR "nm -C found no fwseal::verifier::verify_package in ${BINARY}: is it stripped?")
endif()
message(STATUS "${BINARY}: no p11-kit/SoftHSM, no symbols of hsm/, signer/, packager/, sbom-gen/, pipeline/, ca/ or cli/")
