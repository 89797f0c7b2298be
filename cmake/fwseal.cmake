# One helper to declare a library, one to declare a GoogleTest binary, so every
# directory is built with the same flags.

set(FWSEAL_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wformat=2
    -Wimplicit-fallthrough)
if(FWSEAL_WERROR)
  list(APPEND FWSEAL_WARNINGS -Werror)
endif()

if(FWSEAL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# Library code shares one precompiled header too: nlohmann/json and the
# standard headers most files include (docs/BENCHMARKS.md, "Build").
add_library(fwseal_lib_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/lib_pch.cpp)
target_compile_options(fwseal_lib_pch PRIVATE ${FWSEAL_WARNINGS})
target_link_libraries(fwseal_lib_pch PRIVATE nlohmann_json::nlohmann_json)
target_precompile_headers(fwseal_lib_pch PRIVATE
  <nlohmann/json.hpp> <algorithm> <filesystem> <functional> <map> <memory> <optional> <set> <string>
  <string_view> <vector>)

# fwseal_library(NAME SOURCES a.cpp ... DEPS target ... [PRIVATE_DEPS target ...])
# Public headers live in <dir>/include/fwseal/<dir>/.
function(fwseal_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_compile_options(${name} PRIVATE ${FWSEAL_WARNINGS})
  target_precompile_headers(${name} REUSE_FROM fwseal_lib_pch)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY FWSEAL_LIBRARIES ${name})
endfunction()

# Test code is compiled without optimisation (the libraries it tests keep
# theirs) and with one precompiled header shared by every test binary:
# GoogleTest, GoogleMock and nlohmann/json are most of a test file's compile
# time. docs/BENCHMARKS.md ("Build") has the measurements.
set(FWSEAL_TEST_DEFINITIONS FWSEAL_BIN_DIR="${CMAKE_BINARY_DIR}/bin" FWSEAL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
set(FWSEAL_TEST_OPTIONS ${FWSEAL_WARNINGS} -O0)
add_library(fwseal_test_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/test_pch.cpp)
target_compile_options(fwseal_test_pch PRIVATE ${FWSEAL_TEST_OPTIONS})
target_compile_definitions(fwseal_test_pch PRIVATE ${FWSEAL_TEST_DEFINITIONS})
target_link_libraries(fwseal_test_pch PRIVATE GTest::gtest GTest::gmock nlohmann_json::nlohmann_json)
target_precompile_headers(fwseal_test_pch PRIVATE
  <gtest/gtest.h> <gmock/gmock.h> <nlohmann/json.hpp> <string> <string_view> <vector> <map> <optional>
  <filesystem> <functional>)

# fwseal_test(NAME SOURCES a_test.cpp ... DEPS target ... [LABELS l ...])
function(fwseal_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_compile_options(${name} PRIVATE ${FWSEAL_TEST_OPTIONS})
  target_precompile_headers(${name} REUSE_FROM fwseal_test_pch)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main
                        nlohmann_json::nlohmann_json)
  target_compile_definitions(${name} PRIVATE ${FWSEAL_TEST_DEFINITIONS})
  add_test(NAME ${name} COMMAND ${name})
  # Under ASan + UBSan every fwseal child and every malloc costs several
  # times more: verifier_test alone takes 8 minutes there on two cores, and
  # twice that beside another test; tamper_test's 4,000 fwseal-verify runs
  # take 19 minutes.
  if(FWSEAL_SANITIZE)
    set(timeout 2400)
  else()
    set(timeout 900)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${timeout})
endfunction()

# Tests that run against PostgreSQL share one throwaway server per build tree,
# started before them and stopped after them by ctest (the postgres_server
# fixture, tests/tools/postgres_server.sh). It listens only on a Unix socket in
# a directory of its own under /tmp: short enough for a socket path, and
# reachable by the unprivileged user the server runs as when tests run as root.
string(SHA1 FWSEAL_BUILD_HASH "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${FWSEAL_BUILD_HASH}" 0 12 FWSEAL_BUILD_HASH)
set(FWSEAL_TEST_POSTGRESQL_DIR /tmp/fwseal-pg-${FWSEAL_BUILD_HASH})
function(fwseal_needs_postgres)
  foreach(t ${ARGN})
    set_property(TEST ${t} APPEND PROPERTY FIXTURES_REQUIRED postgres_server)
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT FWSEAL_TEST_POSTGRESQL=${FWSEAL_TEST_POSTGRESQL_DIR})
  endforeach()
endfunction()

# The layers (docs/ARCHITECTURE.md draws them): each library and the fwseal
# libraries it may link. Dependencies point one way, from cli/ down to base/;
# fwseal-verify's libraries reach nothing above format/. Configuring fails if
# a library links outside its line, or a library has no line.
set(FWSEAL_LAYERS
  "fwseal_base:"
  "fwseal_format:fwseal_base"
  "fwseal_ca:fwseal_format"
  "fwseal_hsm:fwseal_format"
  "fwseal_signer:fwseal_format"
  "fwseal_packager:fwseal_format"
  "fwseal_sbom:fwseal_format"
  "fwseal_verifier:fwseal_format"
  "fwseal_verify_cli:fwseal_verifier"
  "fwseal_inventory:fwseal_format,fwseal_verifier,fwseal_sbom"
  "fwseal_pipeline:fwseal_format,fwseal_hsm,fwseal_signer,fwseal_packager,fwseal_sbom,fwseal_verifier,fwseal_inventory"
  "fwseal_cli:fwseal_base,fwseal_format,fwseal_ca,fwseal_hsm,fwseal_signer,fwseal_packager,fwseal_sbom,fwseal_verifier,fwseal_verify_cli,fwseal_pipeline,fwseal_inventory"
  "fwseal_testing:fwseal_base,fwseal_format,fwseal_ca")

function(fwseal_check_layers)
  get_property(libs GLOBAL PROPERTY FWSEAL_LIBRARIES)
  foreach(lib ${libs})
    set(allowed "")
    set(found OFF)
    foreach(line ${FWSEAL_LAYERS})
      string(REPLACE ":" ";" parts "${line}")
      list(GET parts 0 name)
      if(name STREQUAL lib)
        set(found ON)
        list(LENGTH parts n)
        if(n GREATER 1)
          list(GET parts 1 deps)
          string(REPLACE "," ";" allowed "${deps}")
        endif()
      endif()
    endforeach()
    if(NOT found)
      message(FATAL_ERROR "library ${lib} has no line in FWSEAL_LAYERS (cmake/fwseal.cmake): say what it may link")
    endif()
    get_target_property(linked ${lib} LINK_LIBRARIES)
    foreach(dep ${linked})
      if(dep MATCHES "^fwseal_" AND NOT dep IN_LIST allowed)
        message(FATAL_ERROR "${lib} links ${dep}, outside its layer (FWSEAL_LAYERS in cmake/fwseal.cmake)")
      endif()
    endforeach()
  endforeach()
endfunction()
