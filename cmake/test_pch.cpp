// The translation unit that builds the tests' shared precompiled header
// (cmake/fwseal.cmake: fwseal_test_pch).
