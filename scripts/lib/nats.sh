# shellcheck shell=bash
# NATS for scripts/platform (sourced by it): the bus's identities, their passwords and
# nats-server's configuration. Uses the caller's DATA, RUN, FD_BUILD_DIR, FD_NATS_PORT and
# FD_NATS_MONITOR_PORT.
#
#   <data>/nats.secrets  one "<identity>=<password>" line per identity (0600): made on the
#                        first start, an identity that appears later gets its line then
#   <run>/nats.conf      nats-server's configuration (0600), written on every start of nats:
#                        clients and monitoring on 127.0.0.1 only, JetStream's store in
#                        <data>/nats, and one user per identity with the permissions
#                        `fooddelivery bus-permissions` prints (from the event contracts);
#                        anonymous clients are refused
#
# The identities: each service (its processes connect as it), viewer (reads the stream:
# fooddelivery events, chaos) and admin (everything).

# shellcheck disable=SC2153 # DATA and RUN are the caller's
NATS_SECRETS=$DATA/nats.secrets
NATS_CONF=$RUN/nats.conf

# fooddelivery bus-permissions says who the identities are and what each may do.
nats_tool() {
  [[ -x $FD_BUILD_DIR/bin/fooddelivery ]] ||
    die "$FD_BUILD_DIR/bin/fooddelivery not found (it says what each bus identity may do): build first (make build), or set FD_BUILD_DIR"
  "$FD_BUILD_DIR/bin/fooddelivery" "$@"
}

nats_check_install() {
  command -v nats-server >/dev/null || die "nats-server is not installed (run scripts/install-deps)"
  nats_tool bus-permissions --identities >/dev/null
}

nats_identities() {
  nats_tool bus-permissions --identities || die "nats: fooddelivery bus-permissions --identities failed"
}

# One password per identity, made once.
nats_secrets() {
  local ids
  ids=$(nats_identities)
  # shellcheck disable=SC2086 # one word per identity
  secrets_ensure "$NATS_SECRETS" $ids
}

nats_password() { # nats_password IDENTITY
  local pw
  pw=$(secret_of "$NATS_SECRETS" "$1")
  [[ -n $pw ]] || die "no password for the bus identity '$1' in $NATS_SECRETS (scripts/platform start makes them)"
  echo "$pw"
}

nats_config() {
  local block id
  [[ $DATA != *[\"\\]* ]] || die "nats: the data folder must not contain a double quote or a backslash: $DATA"
  block=$(nats_tool bus-permissions) || die "nats: fooddelivery bus-permissions failed"
  (
    umask 077
    {
      echo "# Written by scripts/platform on every start of nats: edits here are lost."
      echo "listen: 127.0.0.1:$FD_NATS_PORT"
      echo "http: 127.0.0.1:$FD_NATS_MONITOR_PORT"
      echo "jetstream { store_dir: \"$DATA/nats\" }"
      echo "# The passwords of $NATS_SECRETS"
      for id in $(nats_identities); do
        printf 'NATS_PASSWORD_%s: "%s"\n' "${id^^}" "$(nats_password "$id")"
      done
      printf '%s\n' "$block"
    } >"$NATS_CONF.tmp"
  )
  mv -f "$NATS_CONF.tmp" "$NATS_CONF"
}
