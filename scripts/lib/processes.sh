# shellcheck shell=bash
# The processes of the platform's parts, for scripts/platform (sourced by it):
# which processes a part has, whether it runs, its logs, its health, waiting
# until it is gone. Uses the caller's RUN (a part's pid file is <run>/<part>.pid),
# LOGS and its part functions (token, port_var, part_ports, health_url,
# postgres_pids, nats_ready, kafka_ready).
# With FD_CONTAINERS=1 a part is a container instead (scripts/lib/containers.sh).

say() { printf 'platform: %s\n' "$*"; }
err() { printf 'platform: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

# scheduling_class: sets SCHED, the command that runs a part we do not build (nats-server,
# nginx, the Kafka test broker) in the scheduling class FD_SCHED_POLICY names: batch (the
# default) or normal. The services enter it themselves (platform/src/service_host.cpp says
# why batch).
SCHED=()
scheduling_class() {
  case ${FD_SCHED_POLICY:-batch} in
    batch) SCHED=(chrt --batch 0) ;;
    normal) SCHED=(chrt --other 0) ;;
    *) die "FD_SCHED_POLICY must be batch or normal, not '$FD_SCHED_POLICY'" ;;
  esac
}

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

alive() { # alive PID: the process exists and is not a zombie
  local stat
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# proc_is PID TOKEN: PID is a live (not zombie) process whose command line
# contains TOKEN.
proc_is() {
  local pid=$1 tok=$2 args
  alive "$pid" || return 1
  { mapfile -d '' -t args <"/proc/$pid/cmdline"; } 2>/dev/null || return 1
  [[ " ${args[*]} " == *"$tok"* ]]
}

read_pid() { # read_pid PART: sets PID to the pid recorded for it (may be stale), or to nothing
  PID=
  if ((CONTAINERS)); then PID=$(container_pid "$1"); return 0; fi
  local f=$RUN/$1.pid
  [[ -r $f ]] || return 0
  { read -r PID <"$f"; } 2>/dev/null || true # nats writes no newline; nginx removes its file on exit
  [[ $PID =~ ^[0-9]+$ ]] || PID=
  return 0
}

running() { # running PART: its leader process is alive
  if ((CONTAINERS)); then container_running "$1"; return; fi
  read_pid "$1"
  token "$1"
  [[ -n $PID ]] && proc_is "$PID" "$TOKEN"
}

# part_pids PART: every live process of the part. PostgreSQL's children each
# lead a session of their own and outlive a killed postmaster for a while, so
# they are found by their working folder (postgres_pids). Every other part
# runs in a session of its own: the recorded leader and the members of its
# process group (nginx workers).
part_pids() {
  if ((CONTAINERS)); then container_pid "$1"; return 0; fi
  if [[ $1 == postgres ]]; then
    postgres_pids
    return 0
  fi
  local pid tok p out=()
  read_pid "$1"
  pid=$PID
  [[ -n $pid ]] || return 0
  token "$1"
  tok=$TOKEN
  proc_is "$pid" "$tok" && out+=("$pid")
  for p in $(pgrep -g "$pid" 2>/dev/null || true); do
    [[ $p == "$pid" ]] && continue
    proc_is "$p" "$tok" && out+=("$p")
  done
  echo "${out[*]}"
}

port_in_use() {
  local fd
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  exec {fd}>&-
}

require_free_port() { # require_free_port VAR PART
  local port=${!1}
  if port_in_use "$port"; then
    err "cannot start $2: port $port ($1) is already in use by another process"
    err "  (another platform or program listens there; choose other ports with $1=...)"
    exit 2
  fi
}

# Close every inherited descriptor above 2 (a caller's pipes, our lock) so the
# long-running parts hold nothing of their caller's open.
close_fds() {
  local f n
  for f in "/proc/$BASHPID/fd/"*; do
    n=${f##*/}
    if [[ $n =~ ^[0-9]+$ ]] && ((n > 2)); then eval "exec $n>&-" 2>/dev/null || true; fi
  done
}

log_mark() { printf '\n=== %(%F %T)T: starting %s (scripts/platform) ===\n' -1 "$1" >>"$LOGS/$1.log"; }

show_log() { # show_log PART
  local f="$LOGS/$1.log"
  if [[ -s $f ]]; then
    err "---- last lines of $f ----"
    # only what the last start wrote
    tac "$f" | sed '/^=== .* (scripts\/platform) ===$/q' | tac | tail -n 30 >&2 || true
    err "----"
  else
    err "($f is empty)"
  fi
}

# http_get http://HOST:PORT/PATH: sets HTTP_STATUS (000 when nothing answers) and HTTP_BODY.
# Over bash's own socket, not curl: a start asks each part's health again and again, and
# each curl cost a busy machine 10-20 ms of starting it. Each read waits a second at most.
http_get() {
  local rest=${1#http://} fd line
  local hostport=${rest%%/*} path=/
  [[ $rest == */* ]] && path=/${rest#*/}
  HTTP_STATUS=000 HTTP_BODY=
  { exec {fd}<>"/dev/tcp/${hostport%:*}/${hostport##*:}"; } 2>/dev/null || return 0
  # A part that closes the connection at once (stopping) must not end this script by SIGPIPE.
  trap '' PIPE
  { printf 'GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' "$path" "$hostport" 1>&"$fd"; } 2>/dev/null || true
  trap - PIPE
  if read -r -t 1 -u "$fd" line && [[ $line =~ ^HTTP/1\.[01]\ ([0-9]{3}) ]]; then
    HTTP_STATUS=${BASH_REMATCH[1]}
    while read -r -t 1 -u "$fd" line && [[ -n ${line%$'\r'} ]]; do :; done # the headers
    read -r -d '' -t 1 -u "$fd" HTTP_BODY || true                          # up to the close
  fi
  exec {fd}>&-
  return 0
}

healthy() { # healthy PART: it answers its health check
  case $1 in
    postgres) postgres_ready ;;
    nats-[0-9]) nats_ready "$1" ;;
    kafka) kafka_ready ;;
    *)
      health_url "$1"
      http_get "$HEALTH_URL"
      [[ $HTTP_STATUS == 200 ]]
      ;;
  esac
}

# wait_healthy DEADLINE_MS PART...: until every part answers its health check
# (one after another). Fails at once when a part's process is gone, or at the
# deadline.
wait_healthy() {
  local deadline=$1 p pid
  shift
  local pending=("$@")
  while ((${#pending[@]})); do
    local still=()
    if ((CONTAINERS)); then container_forget; container_load; fi
    for p in "${pending[@]}"; do
      # (just after the fork the command line is still ours: ask only "alive?")
      read_pid "$p"
      pid=$PID
      if { ((CONTAINERS)) && ! container_running "$p"; } || { [[ -n $pid ]] && ! alive "$pid"; }; then
        err "$p exited during start-up"
        show_log "$p"
        exit 1
      fi
      if healthy "$p"; then
        read_pid "$p"
        part_ports "$p"
        say "$p is up (pid $PID, port $PORTS)"
      else
        still+=("$p")
      fi
    done
    pending=(${still[@]+"${still[@]}"})
    ((${#pending[@]})) || break
    if (($(now_ms) > deadline)); then
      for p in "${pending[@]}"; do
        health_url "$p"
        err "$p did not become healthy within ${START_TIMEOUT}s (health check: $HEALTH_URL)"
        show_log "$p"
      done
      exit 1
    fi
    sleep 0.05
  done
}

# wait_pids_gone SECONDS PID...: until none of the processes is alive.
wait_pids_gone() {
  local end=$(($(now_ms) + $1 * 1000)) p
  shift
  for p in "$@"; do
    while alive "$p"; do
      (($(now_ms) < end)) || return 1
      sleep 0.05
    done
  done
}

wait_gone() { # wait_gone PART SECONDS: until no process of the part is left
  local end=$(($(now_ms) + $2 * 1000))
  while [[ -n $(part_pids "$1") ]]; do
    (($(now_ms) < end)) || return 1
    sleep 0.05
  done
}

# kill_part PART...: SIGKILL every process of the parts at once, and wait until
# they are gone. Prints the pids killed (nothing when none ran). At once, as
# when their machine dies: a service's replicas killed one after another would
# let the last ones take over the work of the first (its leases) before they die.
kill_part() {
  if ((CONTAINERS)); then container_kill "$@"; return 0; fi
  local p more pids=()
  for p in "$@"; do
    read -ra more <<<"$(part_pids "$p")"
    pids+=(${more[@]+"${more[@]}"})
  done
  ((${#pids[@]})) || return 0
  kill -KILL "${pids[@]}" 2>/dev/null || true
  wait_pids_gone "$STOP_TIMEOUT" "${pids[@]}" || die "$*: processes ${pids[*]} survive SIGKILL"
  echo "${pids[*]}"
}

# Kill what is left of a part whose leader died (e.g. nginx workers whose
# master was killed), so a new start does not find its port taken.
clear_leftovers() {
  if ((CONTAINERS)); then return 0; fi # container_start replaces the part's old container
  local left
  read_pid "$1"
  # Without a recorded pid only PostgreSQL's processes can be left (found by their folder).
  if [[ -n $PID || $1 == postgres ]]; then
    left=$(kill_part "$1")
    [[ -z $left ]] || err "$1: killed leftover processes $left"
  fi
  if [[ -e $RUN/$1.pid ]]; then rm -f "$RUN/$1.pid"; fi
}
