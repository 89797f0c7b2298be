# `cmake --install` and CPack: the two programs (and fwseal-verify-static when
# built), their man pages, bash completion and the documentation. `cpack -G DEB`
# in the build directory makes a Debian package (docs/USAGE.md, "Installing").
include(GNUInstallDirs)

set(man_dir ${CMAKE_BINARY_DIR}/man)
add_custom_command(
  OUTPUT ${man_dir}/fwseal.1 ${man_dir}/fwseal-verify.1
  COMMAND ${CMAKE_COMMAND} -DFWSEAL=$<TARGET_FILE:fwseal> -DVERIFY=$<TARGET_FILE:fwseal-verify>
          -DVERSION=${PROJECT_VERSION} -DOUT=${man_dir} -P ${PROJECT_SOURCE_DIR}/cmake/man.cmake
  DEPENDS fwseal fwseal-verify ${PROJECT_SOURCE_DIR}/cmake/man.cmake
  COMMENT "Man pages from fwseal --help and fwseal-verify --help"
  VERBATIM)
add_custom_target(man ALL DEPENDS ${man_dir}/fwseal.1 ${man_dir}/fwseal-verify.1)

install(TARGETS fwseal fwseal-verify RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET fwseal-verify-static)
  install(TARGETS fwseal-verify-static RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES ${man_dir}/fwseal.1 ${man_dir}/fwseal-verify.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# bash-completion loads completions/NAME when NAME is first completed.
foreach(name fwseal fwseal-verify fwseal-verify-static)
  install(FILES ${PROJECT_SOURCE_DIR}/cli/completion/fwseal.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ${name})
endforeach()
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(DIRECTORY examples DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME fwseal)
set(CPACK_PACKAGE_VENDOR "fwseal")
set(CPACK_PACKAGE_CONTACT "fwseal developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "signed, reproducible, auditable firmware release packages")
set(CPACK_PACKAGE_DESCRIPTION "fwseal assembles firmware images into reproducible packages, signs them inside PKCS#11 tokens, generates CycloneDX SBOMs, verifies packages as a bootloader does (fwseal-verify) and keeps every release in a queryable inventory.")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the binaries' libraries (dpkg-shlibdeps)
# (CLI11 is header-only: a build dependency, scripts/setup.sh, and nothing in Depends.)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "softhsm2")  # the default PKCS#11 token
set(CPACK_STRIP_FILES ON)
include(CPack)
