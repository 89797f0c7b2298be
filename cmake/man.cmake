# Man pages from the programs' own help, which CLI11 makes from the same
# definitions the parser uses, so they never drift from it: fwseal.1 holds
# `fwseal --help` and, under COMMANDS, one section per command and subcommand
# with its `--help` (usage, arguments and every option with its description),
# found by walking the "Commands:" list of each help; fwseal-verify.1 holds
# `fwseal-verify --help`. The help text is kept as written (.nf).
# Run at build time as:
#   cmake -DFWSEAL=bin/fwseal -DVERIFY=bin/fwseal-verify -DVERSION=0.1.0 -DOUT=man -P man.cmake
foreach(v FWSEAL VERIFY VERSION OUT)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "man.cmake: -D${v}= is required")
  endif()
endforeach()
file(MAKE_DIRECTORY "${OUT}")

# Help text as roff that keeps its lines: backslashes escaped, and a "." or
# "'" that starts a line made literal.
function(help_as_roff text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} ".nf\n${text}.fi\n" PARENT_SCOPE)
endfunction()

function(help_of out)
  execute_process(COMMAND ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    list(JOIN ARGN " " cmd)
    message(FATAL_ERROR "${cmd} --help: exit ${rc}, no help on stdout")
  endif()
  help_as_roff("${text}" roff)
  set(${out} "${roff}" PARENT_SCOPE)
endfunction()

function(page name summary synopsis body see_also)
  file(WRITE "${OUT}/${name}.1"
    ".TH ${name} 1 \"\" \"fwseal ${VERSION}\" \"User Commands\"\n"
    ".SH NAME\n${name} \\- ${summary}\n"
    ".SH SYNOPSIS\n${synopsis}\n"
    "${body}"
    ".SH EXIT STATUS\n0 ok, 1 internal error, 2 usage, 3 I/O, 10 malformed input, 11 digest mismatch,\n"
    "12 bad signature, 13 untrusted, 14 rollback, 15 wrong hardware, 16 policy failed,\n"
    "20 HSM error, 21 HSM login.\n"
    ".SH FILES\n/usr/share/doc/fwseal/ holds the documentation (USAGE.md, FORMAT.md, TRUST.md, ...).\n"
    ".SH SEE ALSO\n.BR ${see_also} (1)\n")
endfunction()

# The names a help text lists under "Commands:" (up to the next blank line).
function(commands_of text out)
  set(names)
  string(FIND "${text}" "\nCommands:\n" at)
  if(NOT at EQUAL -1)
    math(EXPR at "${at} + 11")
    string(SUBSTRING "${text}" ${at} -1 rest)
    string(FIND "${rest}" "\n\n" end)
    string(SUBSTRING "${rest}" 0 ${end} block)
    string(REGEX MATCHALL "(^|\n)  [a-z][a-z0-9-]*" lines "${block}")
    foreach(l ${lines})
      string(STRIP "${l}" name)
      list(APPEND names ${name})
    endforeach()
  endif()
  set(${out} ${names} PARENT_SCOPE)
endfunction()

# fwseal.1: the overview, then a section for each command and subcommand,
# depth first ("hsm", "hsm init", ...). A path is its words joined by "/".
execute_process(COMMAND "${FWSEAL}" --help OUTPUT_VARIABLE top RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FWSEAL} --help: exit ${rc}")
endif()
help_as_roff("${top}" overview)
set(body ".SH DESCRIPTION\n${overview}.SH COMMANDS\n")
commands_of("${top}" pending)
while(pending)
  list(POP_FRONT pending path)
  string(REPLACE "/" ";" words "${path}")
  string(REPLACE "/" " " title "${path}")
  execute_process(COMMAND "${FWSEAL}" ${words} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "${FWSEAL} ${title} --help: exit ${rc}, no help on stdout")
  endif()
  help_as_roff("${text}" roff)
  string(APPEND body ".SS ${title}\n${roff}")
  commands_of("${text}" subs)
  set(children)
  foreach(sub ${subs})
    list(APPEND children "${path}/${sub}")
  endforeach()
  list(PREPEND pending ${children})
endwhile()
page(fwseal "signed, reproducible, auditable firmware release packages"
     ".B fwseal\n.I command\n[options]" "${body}" fwseal-verify)

help_of(usage "${VERIFY}")
page(fwseal-verify "check a fwseal package exactly as a device bootloader does"
     ".B fwseal-verify\n.I PKG\n.B \\-\\-trust\n.I TRUST.json\n[options]"
     ".SH DESCRIPTION\nChecks layout, digests, signatures against the trust file, anti-rollback\nand hardware compatibility, and nothing else: it links no HSM, signer or\npackager code. fwseal-verify-static is the same program with OpenSSL and\nlibarchive linked in.\n.SH OPTIONS\n${usage}" fwseal)
