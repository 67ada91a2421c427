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
  FD_NATS_URL=$(nats_urls)
  export FD_NATS_URL
  PG_SERVICES=()
  for s in "${SERVICES[@]}"; do
    origins=""
    for ((k = 1; k <= REPLICAS; k++)); do
      if ((k > 1)); then
        v="FD_${s^^}_PORT_$k"
        export "$v=$(default_port "$v" $(($(port_of "$s-1") + 100 * (k - 1))))"
      fi
      origins+="${origins:+,}http://127.0.0.1:$(port_of "$s-$k")"
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

default_replicas() { if [[ $1 == cluster ]]; then echo 2; else echo 1; fi; }

# The profile the caller asks for (FD_PROFILE, FD_REPLICAS, FD_BUS), with defaults.
use_asked_profile() {
  local p=${FD_PROFILE_ASKED:-embedded}
  if [[ ${FD_BUS_ASKED:-nats} == nats && -n ${FD_BUS_URL:-} ]]; then
    err "FD_BUS_URL ($FD_BUS_URL) names a Kafka cluster: set FD_BUS=kafka with it, or unset it for NATS"
    exit 2
  fi
  use_profile "$p" "${FD_REPLICAS_ASKED:-$(default_replicas "$p")}" "${FD_BUS_ASKED:-nats}"
}

recorded() { # recorded KEY: its value in the run folder's profile file
  [[ -r $PROFILE_FILE ]] && sed -n "s/^$1=//p" "$PROFILE_FILE" | head -n 1
  return 0
}

# The profile that runs, as its start recorded it. Without a record: the
# embedded profile if any of its parts runs (started before profiles were
# recorded), else the one asked for.
use_recorded_profile() {
  local p
  p=$(recorded profile)
  if [[ -n $p ]]; then
    local bus
    bus=$(recorded bus)
    use_profile "$p" "$(recorded replicas)" "${bus:-nats}"
    LOCAL_PG=$(recorded postgres)
    LOCAL_KAFKA=$(recorded kafka)
    LOCAL_KAFKA=${LOCAL_KAFKA:-no}
    CONTAINERS=$(recorded containers) CONTAINER_PREFIX=$(recorded container_prefix)
    CONTAINERS=${CONTAINERS:-0} CONTAINER_PREFIX=${CONTAINER_PREFIX:-fd-}
    return 0
  fi
  use_profile embedded 1 nats
  CONTAINERS=0
  any_running || { use_asked_profile; use_asked_containers; }
}

any_running() { [[ -n $(running_parts) ]]; }
running_parts() { local p out=(); for p in $(parts); do if running "$p"; then out+=("$p"); fi; done; echo "${out[*]}"; }

# For start: the profile that runs while any of its parts runs (FD_PROFILE and
# FD_REPLICAS, when set, must agree with it), else the one asked for, which is
# then recorded.
choose_start_profile() {
  use_recorded_profile
  local up
  up=$(running_parts)
  if [[ -n $up ]]; then
    local want=${FD_PROFILE_ASKED:-$PROFILE} want_replicas=${FD_REPLICAS_ASKED:-}
    if [[ -z $want_replicas ]]; then
      if [[ $want == "$PROFILE" ]]; then want_replicas=$REPLICAS; else want_replicas=$(default_replicas "$want"); fi
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

replicas_of() { # replicas_of SERVICE: its parts
  local k
  if ((REPLICAS == 1)); then echo "$1"; return; fi
  for ((k = 1; k <= REPLICAS; k++)); do echo "$1-$k"; done | paste -sd ' '
}

service_parts() { local s; for s in "${SERVICES[@]}"; do replicas_of "$s"; done | paste -sd ' '; }

# The NATS parts: nats alone, or the cluster's nodes nats-1, nats-2, nats-3.
nats_parts() {
  local k
  if [[ $PROFILE != cluster ]]; then echo nats; return; fi
  for ((k = 1; k <= NATS_NODES; k++)); do echo "nats-$k"; done | paste -sd ' '
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
nats_port_var() { # nats_port_var VAR NODE: the variable holding that port of the node
  local k
  k=$(replica_of "$2")
  if ((k > 1)); then echo "${1}_$k"; else echo "$1"; fi
}
nats_port() { local v; v=$(nats_port_var FD_NATS_PORT "$1"); echo "${!v}"; }
nats_monitor_port() { local v; v=$(nats_port_var FD_NATS_MONITOR_PORT "$1"); echo "${!v}"; }
nats_cluster_port() { local v; v=$(nats_port_var FD_NATS_CLUSTER_PORT "$1"); echo "${!v}"; }

# The start phases, one line each.
phases() {
  if [[ $LOCAL_PG == yes ]]; then echo postgres; fi
  bus_parts
  service_parts
  echo gateway
}

parts() { phases | paste -sd ' '; }

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

service_of() { # service_of PART: order-2 -> order
  if [[ $1 =~ ^([a-z]+)-[0-9]+$ ]] && is_service "${BASH_REMATCH[1]}"; then echo "${BASH_REMATCH[1]}"; else echo "$1"; fi
}
replica_of() { if [[ $1 =~ -([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]}"; else echo 1; fi; }

port_var() {
  case $1 in
    postgres) echo FD_POSTGRES_PORT ;;
    nats | nats-[0-9]) nats_port_var FD_NATS_PORT "$1" ;;
    gateway) echo FD_GATEWAY_PORT ;;
    *)
      local s k
      s=$(service_of "$1") k=$(replica_of "$1")
      if ((k == 1)); then echo "FD_${s^^}_PORT"; else echo "FD_${s^^}_PORT_$k"; fi
      ;;
  esac
}
port_of() { # the Kafka test broker's: its brokers' ports, which it picks itself
  if [[ $1 == kafka ]]; then kafka_ports; return; fi
  local v; v=$(port_var "$1"); echo "${!v}"
}

pidfile() { echo "$RUN/$1.pid"; }

# The word a part's command line contains: guards against a recycled pid.
token() {
  case $1 in
    postgres) echo postgres ;;
    nats | nats-[0-9]) echo nats-server ;;
    gateway) echo nginx ;;
    kafka) echo kafka-broker ;;
    *) echo "fd-$(service_of "$1")" ;;
  esac
}

health_url() {
  case $1 in
    postgres) echo "pg_isready -h 127.0.0.1 -p $FD_POSTGRES_PORT" ;;
    # 200 once the node's JetStream is current (the cluster's nodes: nats_ready).
    nats | nats-[0-9]) echo "http://127.0.0.1:$(nats_monitor_port "$1")/healthz" ;;
    kafka) echo "its bootstrap list in $KAFKA_BOOTSTRAP_FILE, its first broker listening" ;;
    *) echo "http://127.0.0.1:$(port_of "$1")/health" ;;
  esac
}

db_url() { # db_url SERVICE
  local v="FD_${1^^}_DB_URL"
  if [[ -n ${!v:-} ]]; then
    echo "${!v}"
  elif [[ $PROFILE == cluster ]]; then
    postgres_url "$1"
  elif ((CONTAINERS)); then
    echo "sqlite:/var/lib/fooddelivery/$1.db" # <data>/containers/<service> in its container
  else
    echo "sqlite:$DATA/$1.db"
  fi
}
