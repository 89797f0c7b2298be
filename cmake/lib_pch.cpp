// The translation unit that builds the libraries' shared precompiled header
// (cmake/fwseal.cmake: fwseal_lib_pch).
