# bash completion for fwseal and fwseal-verify. Commands and options come from
# the programs' own --help, so the completion never drifts from the parser.

_fwseal_words_of() {  # the --options and -o style words of a usage text
  grep -oE '(^|[][ (|])--?[a-zA-Z][a-zA-Z0-9-]*' | sed -E 's/^[][ (|]//' | sort -u
}

_fwseal() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  cmd=${COMP_WORDS[1]}
  case $prev in
    -o|--output|--spec|--trust|--cert|--pubkey|--sbom-out|--audit-log|--module|--provenance|--policy|-C)
      COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [ "$COMP_CWORD" -eq 1 ]; then
    local commands
    commands=$("${COMP_WORDS[0]}" --help 2>/dev/null | sed -nE 's/^  ([a-z]+) .*/\1/p' | sort -u)
    COMPREPLY=($(compgen -W "$commands help --help --version" -- "$cur"))
    return
  fi
  local usage
  usage=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null)
  if [ "$COMP_CWORD" -eq 2 ] && [[ $cur != -* ]]; then
    # Subcommands: the word after "fwseal CMD " or after " | " in its usage.
    local subs
    subs=$(printf '%s\n' "$usage" | grep -oE "(fwseal $cmd|\|) [a-z][a-z-]+" | sed -E 's/^(fwseal [a-z]+|\|) //' | sort -u)
    if [ -n "$subs" ]; then
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
      return
    fi
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(printf '%s\n' "$usage" | _fwseal_words_of) --help" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

_fwseal_verify() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null | _fwseal_words_of) --help --version" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

complete -o filenames -F _fwseal fwseal
complete -o filenames -F _fwseal_verify fwseal-verify fwseal-verify-static
