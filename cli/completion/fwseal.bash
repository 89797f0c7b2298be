# bash completion for fwseal and fwseal-verify. Commands, subcommands and
# options come from the programs' own --help, which CLI11 makes from the
# parser's definitions, so the completion never drifts from the parser.

# The left column of a --help section's rows ($1: Commands or Options).
_fwseal_rows() {
  awk -v s="$1:" '$0 == s {on = 1; next} on && /^$/ {exit} on && /^  +[^ ]/ {print}' |
    sed -E 's/^ +//; s/  .*//'
}

_fwseal_commands_of() { _fwseal_rows Commands | awk '{print $1}'; }
_fwseal_options_of() { _fwseal_rows Options | grep -oE -- '(^|, )--?[a-zA-Z][a-zA-Z0-9-]*' | sed -E 's/^, //'; }
# Whether option $1 takes a value: its row shows one ("-o, --output FILE").
_fwseal_takes_value() { _fwseal_rows Options | grep -qE -- "(^|, )$1 [^ ,]"; }

_fwseal() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local prog=${COMP_WORDS[0]} path=() help i=1 w
  [ "${COMP_WORDS[1]}" = help ] && [ "$COMP_CWORD" -gt 1 ] && i=2  # fwseal help CMD [SUB]
  help=$("$prog" --help 2>/dev/null)
  # The command path so far: the words before the cursor that name a subcommand.
  for (( ; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w != -* ]] && printf '%s\n' "$help" | _fwseal_commands_of | grep -qx -- "$w"; then
      path+=("$w")
      help=$("$prog" "${path[@]}" --help 2>/dev/null)
    fi
  done
  if [[ $prev == -* ]] && printf '%s\n' "$help" | _fwseal_takes_value "$prev"; then
    COMPREPLY=($(compgen -f -- "$cur"))
    return
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" | _fwseal_options_of)" -- "$cur"))
    return
  fi
  local subs
  subs=$(printf '%s\n' "$help" | _fwseal_commands_of)
  if [ -n "$subs" ]; then
    [ "${#path[@]}" -eq 0 ] && [ "$COMP_CWORD" -eq 1 ] && subs="$subs help"
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

_fwseal_verify() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} help
  help=$("${COMP_WORDS[0]}" --help 2>/dev/null)
  if [[ $cur == -* ]] && ! { [[ $prev == -* ]] && printf '%s\n' "$help" | _fwseal_takes_value "$prev"; }; then
    COMPREPLY=($(compgen -W "$(printf '%s\n' "$help" | _fwseal_options_of)" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}

complete -o filenames -F _fwseal fwseal
complete -o filenames -F _fwseal_verify fwseal-verify fwseal-verify-static
