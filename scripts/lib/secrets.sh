# shellcheck shell=bash
# Files of passwords for scripts/platform (sourced by it): one "<name>=<password>" line per
# name, readable by the owner only (0600). A password is made once, with openssl rand, the
# first time its name is asked for, and kept across restarts.

# Read with bash's own read, not grep or sed: a start asks for a password per identity and
# per service, and each process costs a busy machine 10-20 ms.

secrets_ensure() { # secrets_ensure FILE NAME...
  local file=$1 name line
  local -A have=()
  shift
  (umask 077 && touch "$file")
  chmod 600 "$file"
  while IFS= read -r line; do if [[ $line == ?*=* ]]; then have[${line%%=*}]=1; fi; done <"$file"
  for name in "$@"; do
    [[ -n ${have[$name]:-} ]] || printf '%s=%s\n' "$name" "$(openssl rand -hex 24)" >>"$file"
  done
}

# shellcheck disable=SC2034 # read by its caller
read_secret() { # read_secret FILE NAME: sets SECRET to the password, or to nothing when the file has none for NAME
  local line
  SECRET=
  [[ -r $1 ]] || return 0
  while IFS= read -r line; do
    if [[ $line == "$2="* ]]; then
      SECRET=${line#*=}
      return 0
    fi
  done <"$1"
}
