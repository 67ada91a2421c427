# shellcheck shell=bash
# The profiles and the parts of the platform, for scripts/platform (sourced by
# it): which parts a profile has, their names, ports and start phases, and
# which profile runs in a run folder, and whether its parts are processes or
# containers, and which bus carries the events. Uses the caller's SERVICES,
# DATA, RUN and PROFILE_FILE, and FD_PROFILE_ASKED / FD_REPLICAS_ASKED /
# FD_NATS_STREAM_REPLICAS_ASKED / FD_CONTAINERS_ASKED / FD_BUS_ASKED (what the
# caller's environment asked for).

# -------------------------------------------------------------- profile ----

PROFILE=""     # embedded or cluster
REPLICAS=""    # processes per service
BUS=nats       # nats (JetStream) or kafka (scripts/lib/kafka.sh)
LOCAL_KAFKA=no # yes: the kafka part (the test broker) runs; no: FD_BUS_URL names a cluster
LOCAL_PG=no    # yes: a postgres part runs the databases of PG_SERVICES
PG_SERVICES=() # the services without a database of their own (FD_<SERVICE>_DB_URL)
NATS_NODES=3   # nats-server processes in the cluster profile (the stream's replicas at most)

# use_profile PROFILE REPLICAS BUS: everything below follows from these three
# and the environment.
use_profile() {
  PROFILE=$1 REPLICAS=$2 BUS=$3
  case $PROFILE in
    embedded | cluster) ;;
    *) err "FD_PROFILE must be embedded or cluster, not '$PROFILE'"; exit 2 ;;
  esac
  case $BUS in
    nats | kafka) ;;
    *) err "FD_BUS must be nats (JetStream) or kafka (the Kafka test broker), not '$BUS'"; exit 2 ;;
  esac
  LOCAL_KAFKA=no
  if [[ $BUS == kafka && -z ${FD_BUS_URL:-} ]]; then LOCAL_KAFKA=yes; fi
  if [[ ! $REPLICAS =~ ^[1-9]$ ]]; then
    err "FD_REPLICAS must be a number from 1 to 9, not '$REPLICAS'"
    exit 2
  fi
  if [[ $PROFILE == embedded ]] && ((REPLICAS != 1)); then
    err "the embedded profile runs one process per service (each SQLite file has one writer);"
    err "  replicas need the cluster profile: FD_PROFILE=cluster (make cluster)"
    exit 2
  fi
  export FD_PROFILE=$PROFILE FD_REPLICAS=$REPLICAS FD_BUS=$BUS
  local s k v origins
  if [[ $PROFILE == cluster ]]; then
    export FD_NATS_CLUSTER_PORT=${FD_NATS_CLUSTER_PORT:-6222}
    for ((k = 2; k <= NATS_NODES; k++)); do
      for v in FD_NATS_PORT FD_NATS_MONITOR_PORT FD_NATS_CLUSTER_PORT; do
        export "${v}_$k=$(default_port "${v}_$k" $((${!v} + 100 * (k - 1))))"
      done
    done
    export FD_NATS_STREAM_REPLICAS=${FD_NATS_STREAM_REPLICAS_ASKED:-$NATS_NODES}
  else
    export FD_NATS_STREAM_REPLICAS=${FD_NATS_STREAM_REPLICAS_ASKED:-1}
  fi
  nats_urls
  export FD_NATS_URL
  PG_SERVICES=()
  for s in "${SERVICES[@]}"; do
    origins=""
    for ((k = 1; k <= REPLICAS; k++)); do
      if ((k > 1)); then
        v="FD_${s^^}_PORT"
        export "${v}_$k=$(default_port "${v}_$k" $((${!v} + 100 * (k - 1))))"
      fi
      port_var "$s-$k"
      origins+="${origins:+,}http://127.0.0.1:${!PORT_VAR}"
    done
    export "FD_${s^^}_URL=$origins"
    v="FD_${s^^}_DB_URL"
    if [[ $PROFILE == cluster && -z ${!v:-} ]]; then PG_SERVICES+=("$s"); fi
  done
  LOCAL_PG=no
  if ((${#PG_SERVICES[@]})); then LOCAL_PG=yes; fi
}

# Processes or containers (FD_CONTAINERS, FD_CONTAINER_PREFIX), as asked.
use_asked_containers() {
  CONTAINERS=${FD_CONTAINERS_ASKED:-0}
  CONTAINER_PREFIX=${FD_CONTAINER_PREFIX:-fd-}
  [[ $CONTAINERS == [01] ]] || { err "FD_CONTAINERS must be 0 (processes) or 1 (containers), not '$CONTAINERS'"; exit 2; }
  [[ $CONTAINER_PREFIX =~ ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$ ]] ||
    { err "FD_CONTAINER_PREFIX must be letters, digits, _ . - (starting with a letter or digit), not '$CONTAINER_PREFIX'"; exit 2; }
  if ((CONTAINERS)) && [[ $BUS == kafka ]]; then
    err "FD_BUS=kafka runs the Kafka test broker as a process: there is no image of it; with"
    err "  FD_CONTAINERS=1 the bus is NATS (a real Kafka cluster: give the services FD_BUS_URL)"
    exit 2
  fi
  return 0
}

default_port() { # default_port VAR FALLBACK: the variable's value, else the fallback
  if [[ -n ${!1:-} ]]; then echo "${!1}"; else echo "$2"; fi
}

default_replicas() { if [[ $1 == cluster ]]; then DEFAULT_REPLICAS=2; else DEFAULT_REPLICAS=1; fi; } # sets DEFAULT_REPLICAS

# The profile the caller asks for (FD_PROFILE, FD_REPLICAS, FD_BUS), with defaults.
use_asked_profile() {
  local p=${FD_PROFILE_ASKED:-embedded}
  if [[ ${FD_BUS_ASKED:-nats} == nats && -n ${FD_BUS_URL:-} ]]; then
    err "FD_BUS_URL ($FD_BUS_URL) names a Kafka cluster: set FD_BUS=kafka with it, or unset it for NATS"
    exit 2
  fi
  default_replicas "$p"
  use_profile "$p" "${FD_REPLICAS_ASKED:-$DEFAULT_REPLICAS}" "${FD_BUS_ASKED:-nats}"
}

# The run folder's profile file, "key=value" lines: the first value of each key.
read_recorded() {
  local key value
  declare -gA RECORDED=()
  [[ -r $PROFILE_FILE ]] || return 0
  while IFS='=' read -r key value; do
    [[ -n ${RECORDED[$key]+set} ]] || RECORDED[$key]=$value
  done <"$PROFILE_FILE"
}

# The profile that runs, as its start recorded it. Without a record: the
# embedded profile if any of its parts runs (started before profiles were
# recorded), else the one asked for.
use_recorded_profile() {
  read_recorded
  if [[ -n ${RECORDED[profile]:-} ]]; then
    use_profile "${RECORDED[profile]}" "${RECORDED[replicas]:-}" "${RECORDED[bus]:-nats}"
    LOCAL_PG=${RECORDED[postgres]:-}
    LOCAL_KAFKA=${RECORDED[kafka]:-no}
    CONTAINERS=${RECORDED[containers]:-0} CONTAINER_PREFIX=${RECORDED[container_prefix]:-fd-}
    return 0
  fi
  use_profile embedded 1 nats
  CONTAINERS=0
  any_running || { use_asked_profile; use_asked_containers; }
}

any_running() { running_parts; [[ -n $RUNNING_PARTS ]]; }
running_parts() { # sets RUNNING_PARTS: the parts running, one line
  local p out=()
  for p in $(parts); do if running "$p"; then out+=("$p"); fi; done
  RUNNING_PARTS="${out[*]}"
}

# For start: the profile that runs while any of its parts runs (FD_PROFILE and
# FD_REPLICAS, when set, must agree with it), else the one asked for, which is
# then recorded.
choose_start_profile() {
  use_recorded_profile
  local up
  running_parts
  up=$RUNNING_PARTS
  if [[ -n $up ]]; then
    local want=${FD_PROFILE_ASKED:-$PROFILE} want_replicas=${FD_REPLICAS_ASKED:-}
    if [[ -z $want_replicas ]]; then
      if [[ $want == "$PROFILE" ]]; then want_replicas=$REPLICAS; else default_replicas "$want"; want_replicas=$DEFAULT_REPLICAS; fi
    fi
    if [[ $want != "$PROFILE" || $want_replicas != "$REPLICAS" ]]; then
      err "the $PROFILE profile ($REPLICAS per service) runs in $RUN: $up"
      err "  stop it first (scripts/platform stop, or make down) to start the $want profile ($want_replicas per service)"
      exit 2
    fi
    if [[ ${FD_BUS_ASKED:-$BUS} != "$BUS" ]]; then
      err "the $PROFILE profile runs in $RUN with the bus $BUS: $up"
      err "  stop it first (scripts/platform stop, or make down) to start it with FD_BUS=$FD_BUS_ASKED"
      exit 2
    fi
    if [[ ${FD_CONTAINERS_ASKED:-$CONTAINERS} != "$CONTAINERS" ]]; then
      err "the $PROFILE profile runs in $RUN as $(kind_of_parts): $up"
      err "  stop it first (scripts/platform stop, or make down) to start it with FD_CONTAINERS=$FD_CONTAINERS_ASKED"
      exit 2
    fi
    return 0
  fi
  use_asked_profile
  use_asked_containers
  printf 'profile=%s\nreplicas=%s\npostgres=%s\ncontainers=%s\ncontainer_prefix=%s\nbus=%s\nkafka=%s\n' \
    "$PROFILE" "$REPLICAS" "$LOCAL_PG" "$CONTAINERS" "$CONTAINER_PREFIX" "$BUS" "$LOCAL_KAFKA" >"$PROFILE_FILE"
}

kind_of_parts() { if ((CONTAINERS)); then echo "containers (FD_CONTAINERS=1)"; else echo processes; fi; }

# ---------------------------------------------------------------- parts ----

# The lists of parts are one line, words separated by spaces; built without pipes, which
# cost a busy machine a process each (a start asks for them often).
replicas_of() { # replicas_of SERVICE: its parts
  local k out=()
  if ((REPLICAS == 1)); then echo "$1"; return; fi
  for ((k = 1; k <= REPLICAS; k++)); do out+=("$1-$k"); done
  echo "${out[*]}"
}

service_parts() {
  local s k out=()
  for s in "${SERVICES[@]}"; do
    if ((REPLICAS == 1)); then out+=("$s"); else for ((k = 1; k <= REPLICAS; k++)); do out+=("$s-$k"); done; fi
  done
  echo "${out[*]}"
}

# The NATS parts: nats alone, or the cluster's nodes nats-1, nats-2, nats-3.
nats_parts() {
  local k out=()
  if [[ $PROFILE != cluster ]]; then echo nats; return; fi
  for ((k = 1; k <= NATS_NODES; k++)); do out+=("nats-$k"); done
  echo "${out[*]}"
}
is_nats() { [[ $1 == nats || $1 =~ ^nats-[1-9]$ ]]; }

# The bus's parts: the NATS parts, or kafka (FD_BUS=kafka without a cluster of one's own).
bus_parts() {
  if [[ $BUS == nats ]]; then nats_parts; elif [[ $LOCAL_KAFKA == yes ]]; then echo kafka; fi
}

bus_url() { # a service's FD_BUS_URL (FD_BUS=kafka)
  if [[ $LOCAL_KAFKA == yes ]]; then kafka_bus_url; return; fi
  [[ -n ${FD_BUS_URL:-} ]] || die "the platform runs on a Kafka cluster of its own: set FD_BUS_URL to it (kafka://host:port,...)"
  echo "$FD_BUS_URL"
}

# A node's ports: node 1 (or nats) on FD_NATS_PORT, node k on FD_NATS_PORT_<k>; the same
# for FD_NATS_MONITOR_PORT and FD_NATS_CLUSTER_PORT (the routes').
nats_port_var() { # nats_port_var VAR NODE: sets PORT_VAR to the variable holding that port of the node
  split_part "$2"
  if ((PART_REPLICA > 1)); then PORT_VAR=${1}_$PART_REPLICA; else PORT_VAR=$1; fi
}
nats_port() { nats_port_var FD_NATS_PORT "$1"; echo "${!PORT_VAR}"; }
nats_monitor_port() { nats_port_var FD_NATS_MONITOR_PORT "$1"; echo "${!PORT_VAR}"; }
nats_cluster_port() { nats_port_var FD_NATS_CLUSTER_PORT "$1"; echo "${!PORT_VAR}"; }

# The start phases, one line each. The gateway starts beside the bus, while the bus gets
# ready: nginx needs nothing of the others to start, and answers 502 for a service until
# it is up, as it would for one restarting; a start still ends when every part answers
# its health check.
phases() {
  if [[ $LOCAL_PG == yes ]]; then echo postgres; fi
  printf '%s gateway\n' "$(bus_parts)"
  service_parts
}

# Every part, in the order status lists them: the phases', the gateway last.
parts() {
  local out all
  mapfile -t out < <(phases)
  all=" ${out[*]} "
  # shellcheck disable=SC2086 # one word per part
  echo ${all/ gateway / } gateway
}

is_part() { [[ " $(parts) " == *" $1 "* ]]; }
is_service() { [[ " ${SERVICES[*]} " == *" $1 "* ]]; }

# resolve NAME: the parts a name stands for (a service's name: its replicas; nats in the
# cluster profile: its nodes).
resolve() {
  if is_part "$1"; then
    echo "$1"
  elif is_service "$1"; then
    replicas_of "$1"
  elif [[ $1 == nats && $BUS == nats ]]; then
    nats_parts
  else
    err "unknown part '$1' (one of: $(parts))"
    exit 2
  fi
}

# split_part PART: sets PART_SERVICE (order-2 -> order; a part not of a service: itself)
# and PART_REPLICA (order-2 -> 2, order -> 1). The lookups below set a variable instead
# of printing where a start asks them in a loop: each $(...) is a process.
split_part() {
  PART_SERVICE=$1 PART_REPLICA=1
  if [[ $1 =~ -([0-9]+)$ ]]; then PART_REPLICA=${BASH_REMATCH[1]}; fi
  if [[ $1 =~ ^([a-z]+)-[0-9]+$ ]] && is_service "${BASH_REMATCH[1]}"; then PART_SERVICE=${BASH_REMATCH[1]}; fi
}
service_of() { split_part "$1"; echo "$PART_SERVICE"; }

port_var() { # port_var PART: sets PORT_VAR to the variable holding its port
  case $1 in
    postgres) PORT_VAR=FD_POSTGRES_PORT ;;
    nats | nats-[0-9]) nats_port_var FD_NATS_PORT "$1" ;;
    gateway) PORT_VAR=FD_GATEWAY_PORT ;;
    *)
      split_part "$1"
      PORT_VAR=FD_${PART_SERVICE^^}_PORT
      if ((PART_REPLICA > 1)); then PORT_VAR+=_$PART_REPLICA; fi
      ;;
  esac
}
# shellcheck disable=SC2034 # read by its caller
part_ports() { # part_ports PART: sets PORTS to its port; the Kafka test broker's: its brokers', which it picks itself
  if [[ $1 == kafka ]]; then PORTS=$(kafka_ports); return; fi
  port_var "$1"
  PORTS=${!PORT_VAR}
}

# token PART: sets TOKEN to the word its command line contains, which guards against a
# recycled pid.
# shellcheck disable=SC2034 # read by its caller
token() {
  case $1 in
    postgres) TOKEN=postgres ;;
    nats | nats-[0-9]) TOKEN=nats-server ;;
    gateway) TOKEN=nginx ;;
    kafka) TOKEN=kafka-broker ;;
    *) split_part "$1"; TOKEN=fd-$PART_SERVICE ;;
  esac
}

# shellcheck disable=SC2034 # read by its caller
health_url() { # health_url PART: sets HEALTH_URL to its health check
  case $1 in
    postgres) HEALTH_URL="pg_isready -h 127.0.0.1 -p $FD_POSTGRES_PORT" ;;
    # 200 once the node's JetStream is current (the cluster's nodes: nats_ready).
    nats | nats-[0-9])
      nats_port_var FD_NATS_MONITOR_PORT "$1"
      HEALTH_URL="http://127.0.0.1:${!PORT_VAR}/healthz"
      ;;
    kafka) HEALTH_URL="its bootstrap list in $KAFKA_BOOTSTRAP_FILE, its first broker listening" ;;
    *) port_var "$1"; HEALTH_URL="http://127.0.0.1:${!PORT_VAR}/health" ;;
  esac
}

# shellcheck disable=SC2034 # read by its caller
db_url() { # db_url SERVICE: sets DB_URL
  local v="FD_${1^^}_DB_URL"
  if [[ -n ${!v:-} ]]; then
    DB_URL=${!v}
  elif [[ $PROFILE == cluster ]]; then
    DB_URL=$(postgres_url "$1")
  elif ((CONTAINERS)); then
    DB_URL="sqlite:/var/lib/fooddelivery/$1.db" # <data>/containers/<service> in its container
  else
    DB_URL="sqlite:$DATA/$1.db"
  fi
}
