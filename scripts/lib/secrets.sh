# shellcheck shell=bash
# Files of passwords for scripts/platform (sourced by it): one "<name>=<password>" line per
# name, readable by the owner only (0600). A password is made once, with openssl rand, the
# first time its name is asked for, and kept across restarts.

secrets_ensure() { # secrets_ensure FILE NAME...
  local file=$1 name
  shift
  (umask 077 && touch "$file")
  chmod 600 "$file"
  for name in "$@"; do
    grep -q "^$name=" "$file" || printf '%s=%s\n' "$name" "$(openssl rand -hex 24)" >>"$file"
  done
}

secret_of() { # secret_of FILE NAME: the password, or nothing when the file has none for NAME
  sed -n "s/^$2=//p" "$1" 2>/dev/null | head -n 1
}
