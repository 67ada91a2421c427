# shellcheck shell=bash
# NATS for scripts/platform (sourced by it): the bus's identities, their passwords and
# nats-server's configuration, for the one node of the embedded profile (part nats) or
# each of the three nodes of the cluster profile (parts nats-1, nats-2, nats-3). Uses the
# caller's DATA, RUN, FD_BUILD_DIR and the node's ports (nats_port, nats_monitor_port,
# nats_cluster_port in parts.sh).
#
#   <data>/nats.secrets  one "<identity>=<password>" line per identity (0600): made on the
#                        first start, an identity that appears later gets its line then;
#                        in the cluster profile also the nodes' route password (route=...)
#   <run>/<node>.conf    a node's configuration (0600), written on every start of the node:
#                        clients and monitoring on 127.0.0.1 only, JetStream's store in
#                        <data>/<node>, and one user per identity with the permissions
#                        `fooddelivery bus-permissions` prints (from the event contracts);
#                        anonymous clients are refused. In the cluster profile also the
#                        node's name, the cluster `fooddelivery` and its routes to the two
#                        other nodes, which log in as the user `route`.
#
# The identities: each service (its processes connect as it), viewer (reads the stream:
# fooddelivery events, chaos) and admin (everything).

# shellcheck disable=SC2153 # DATA and RUN are the caller's
NATS_SECRETS=$DATA/nats.secrets
# The user the nodes' routes log in as; not a bus identity (no client may use it).
NATS_ROUTE_USER=route

nats_conf() { echo "$RUN/$1.conf"; } # nats_conf NODE

# fooddelivery bus-permissions says who the identities are and what each may do.
nats_tool() {
  [[ -x $FD_BUILD_DIR/bin/fooddelivery ]] ||
    die "$FD_BUILD_DIR/bin/fooddelivery not found (it says what each bus identity may do): build first (make build), or set FD_BUILD_DIR"
  "$FD_BUILD_DIR/bin/fooddelivery" "$@"
}

nats_check_install() {
  command -v nats-server >/dev/null || die "nats-server is not installed (run scripts/install-deps)"
  nats_identities
  nats_procs
}

# nats_procs: sets NATS_PROCS, the threads nats-server runs Go code on (GOMAXPROCS):
# FD_NATS_PROCS, else half the cores. Go runs code on as many threads as there are cores,
# and those without work spin and sleep looking for some between the events, on the cores
# the services and nginx need (bench/README.md, "nats-server on half the cores").
NATS_PROCS=""
nats_procs() {
  [[ -z $NATS_PROCS ]] || return 0
  NATS_PROCS=${FD_NATS_PROCS:-}
  if [[ -z $NATS_PROCS ]]; then
    NATS_PROCS=$(($(nproc) / 2))
    ((NATS_PROCS >= 1)) || NATS_PROCS=1
  fi
  [[ $NATS_PROCS =~ ^[1-9][0-9]{0,3}$ ]] || die "FD_NATS_PROCS must be a number of threads from 1, not '$NATS_PROCS'"
}

# nats_identities: sets NATS_IDENTITIES (one word each), asking fooddelivery once per command.
NATS_IDENTITIES=""
nats_identities() {
  [[ -z $NATS_IDENTITIES ]] || return 0
  NATS_IDENTITIES=$(nats_tool bus-permissions --identities) || die "nats: fooddelivery bus-permissions --identities failed"
}

# One password per identity (and for the routes), made once.
nats_secrets() {
  nats_identities
  # shellcheck disable=SC2086 # one word per identity
  secrets_ensure "$NATS_SECRETS" $NATS_IDENTITIES "$NATS_ROUTE_USER"
}

nats_password() { # nats_password IDENTITY: sets SECRET to its password
  read_secret "$NATS_SECRETS" "$1"
  [[ -n $SECRET ]] || die "no password for the bus identity '$1' in $NATS_SECRETS (scripts/platform start makes them)"
}

# The identities a client may log in as: every name in the secrets file but the routes'.
nats_client_identities() { sed -n "/^$NATS_ROUTE_USER=/d;s/=.*//p" "$NATS_SECRETS"; }

# nats_urls: sets FD_NATS_URL, the services' one: every node's clients' URL, comma-separated.
nats_urls() {
  local k
  FD_NATS_URL=nats://127.0.0.1:$FD_NATS_PORT
  [[ $PROFILE == cluster ]] || return 0
  for ((k = 2; k <= NATS_NODES; k++)); do
    nats_port_var FD_NATS_PORT "nats-$k"
    FD_NATS_URL+=,nats://127.0.0.1:${!PORT_VAR}
  done
}

# The cluster block of a node: its routes to the other nodes, with the route password.
nats_cluster_block() { # nats_cluster_block NODE
  local node=$1 other pw
  nats_password "$NATS_ROUTE_USER"
  pw=$SECRET
  echo "cluster {"
  echo "  name: fooddelivery"
  echo "  listen: 127.0.0.1:$(nats_cluster_port "$node")"
  echo "  # Clients take their servers from FD_NATS_URL, with their identity: none is gossiped."
  echo "  no_advertise: true"
  echo "  authorization { user: $NATS_ROUTE_USER, password: \"$pw\" }"
  echo "  routes: ["
  for other in $(nats_parts); do
    [[ $other == "$node" ]] && continue
    echo "    nats-route://$NATS_ROUTE_USER:$pw@127.0.0.1:$(nats_cluster_port "$other")"
  done
  echo "  ]"
  echo "}"
}

nats_config() { # nats_config NODE
  local node=$1 block id conf
  conf=$(nats_conf "$node")
  [[ $DATA != *[\"\\]* ]] || die "nats: the data folder must not contain a double quote or a backslash: $DATA"
  block=$(nats_tool bus-permissions) || die "nats: fooddelivery bus-permissions failed"
  nats_identities
  (
    umask 077
    {
      echo "# Written by scripts/platform on every start of $node: edits here are lost."
      if [[ $PROFILE == cluster ]]; then echo "server_name: $node"; fi
      echo "listen: 127.0.0.1:$(nats_port "$node")"
      echo "http: 127.0.0.1:$(nats_monitor_port "$node")"
      echo "jetstream { store_dir: \"$DATA/$node\" }"
      if [[ $PROFILE == cluster ]]; then nats_cluster_block "$node"; fi
      echo "# The passwords of $NATS_SECRETS"
      for id in $NATS_IDENTITIES; do
        nats_password "$id"
        printf 'NATS_PASSWORD_%s: "%s"\n' "${id^^}" "$SECRET"
      done
      printf '%s\n' "$block"
    } >"$conf.tmp"
  )
  mv -f "$conf.tmp" "$conf"
}

# A node of the cluster is up when its JetStream is current with the cluster's leader and
# with the stream it keeps a copy of: /healthz says so, with one exception. nats-server
# 2.9.10 reports the copy of an idle consumer "not current" after a restart for as long as
# the consumer has nothing to do (fixed in 2.9.17): not waited for, it catches up with its
# next event. (/healthz checks the stream before its consumers.)
nats_ready() { # nats_ready NODE
  local url
  url="http://127.0.0.1:$(nats_monitor_port "$1")/healthz"
  http_get "$url?js-server-only=true"
  [[ $HTTP_STATUS == 200 ]] || return 1
  http_get "$url"
  [[ $HTTP_BODY == *'"status":"ok"'* || $HTTP_BODY == *"JetStream consumer '"*"' is not current"* ]]
}
