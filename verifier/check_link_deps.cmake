# ctest verifier_link_deps: fwseal-verify links base/ and format/ alone, with
# OpenSSL and libarchive: no p11-kit or SoftHSM, no code of hsm/, signer/,
# packager/, sbom-gen/, pipeline/, ca/ or cli/.
# Run as: cmake -DBINARY=path/to/fwseal-verify -P check_link_deps.cmake
if(NOT EXISTS "${BINARY}")
  message(FATAL_ERROR "no binary at ${BINARY}")
endif()

execute_process(COMMAND ldd "${BINARY}" OUTPUT_VARIABLE ldd_out RESULT_VARIABLE ldd_rc)
if(NOT ldd_rc EQUAL 0)
  message(FATAL_ERROR "ldd ${BINARY} failed: ${ldd_out}")
endif()
string(TOLOWER "${ldd_out}" ldd_lower)
foreach(lib p11-kit softhsm pkcs11)
  if(ldd_lower MATCHES "${lib}")
    message(FATAL_ERROR "fwseal-verify is linked against ${lib}:\n${ldd_out}")
  endif()
endforeach()
if(NOT ldd_lower MATCHES "libcrypto")
  message(FATAL_ERROR "fwseal-verify does not link OpenSSL's libcrypto?\n${ldd_out}")
endif()

execute_process(COMMAND nm -C "${BINARY}" OUTPUT_VARIABLE nm_out RESULT_VARIABLE nm_rc)
if(NOT nm_rc EQUAL 0)
  message(FATAL_ERROR "nm -C ${BINARY} failed")
endif()
foreach(ns fwseal::hsm:: fwseal::signer:: fwseal::packager:: fwseal::sbom:: fwseal::pipeline:: fwseal::cli::
           fwseal::issue_certificate fwseal::issue_crl)
  string(FIND "${nm_out}" "${ns}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "fwseal-verify contains symbols of ${ns}")
  endif()
endforeach()
string(FIND "${nm_out}" "fwseal::verifier::verify_package" at)
if(at EQUAL -1)
  message(FATAL_ERROR "nm -C found no fwseal::verifier::verify_package in ${BINARY}: is it stripped?")
endif()
message(STATUS "fwseal-verify: no p11-kit/SoftHSM, no symbols of hsm/, signer/, packager/, sbom-gen/, pipeline/, ca/ or cli/")
