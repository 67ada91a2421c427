# shellcheck shell=bash
# The cluster profile's PostgreSQL, for scripts/platform (sourced by it): one
# server (Debian's PostgreSQL 15) run as the postgres user, a database and a
# role per service. Uses the caller's DATA, RUN, LOGS, FD_POSTGRES_PORT,
# START_TIMEOUT and PG_SERVICES (the services that get a database here).
#
#   <data>/postgres          its data folder (initdb on first start)
#   <data>/postgres.secrets  one "<service>=<password>" line per service (0600)
#   <run>/postgres/          its unix socket: the superuser's only way in
#   <run>/logs/postgres.log  the server's log and initdb's

PG_BIN=/usr/lib/postgresql/15/bin
# shellcheck disable=SC2153 # DATA is the caller's
PG_DATA=$DATA/postgres
PG_SECRETS=$DATA/postgres.secrets
PG_SOCKET_DIR=$RUN/postgres
# Six services, each replica with its pool and its leases, plus psql sessions.
PG_MAX_CONNECTIONS=200

# as_postgres COMMAND...: runs it as the postgres user, from /, with nothing of
# ours: no open descriptor (our lock would live as long as the server) and no
# FD_* variable (the JWT secret is no business of the database).
as_postgres() {
  (
    close_fds
    cd /
    exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 runuser -u postgres -- "$@"
  )
}

# Every folder above PATH must let the postgres user pass (a test's folder is
# /tmp/fd-test-XXXXXX, mode 0700): the first that does not gets o+x, which lets
# others enter it by name, not list it.
let_postgres_reach() {
  local path=$1 blocked last="" names name prefixes=() d=""
  IFS=/ read -r -a names <<<"${path#/}"
  unset 'names[-1]'
  for name in "${names[@]}"; do
    d+=/$name
    prefixes+=("$d")
  done
  while true; do
    # shellcheck disable=SC2016 # the inner shell expands them
    blocked=$(as_postgres sh -c 'for d; do test -x "$d" || { echo "$d"; exit; }; done' sh / "${prefixes[@]}") ||
      die "postgres: cannot run a command as the postgres user (runuser -u postgres)"
    [[ -n $blocked ]] || break
    [[ $blocked != "$last" ]] || die "postgres: the postgres user cannot pass through $blocked, even with o+x"
    last=$blocked
    chmod o+x "$blocked"
    say "postgres: let other users pass through $blocked (chmod o+x) so that the postgres user reaches $path"
  done
}

postgres_check_install() {
  [[ -x $PG_BIN/pg_ctl ]] || die "PostgreSQL 15 is not installed ($PG_BIN/pg_ctl not found; run scripts/install-deps)"
  id postgres >/dev/null 2>&1 || die "there is no 'postgres' user to run PostgreSQL as (install Debian's postgresql-15)"
  ((EUID == 0)) || die "the cluster profile runs PostgreSQL as the postgres user, which needs root (runuser)"
}

# One password per service, made once: a service's role gets it on every start. The
# container's superuser needs one too (its image's POSTGRES_PASSWORD); the process's is
# reached only over its socket, as the postgres OS user.
postgres_secrets() {
  secrets_ensure "$PG_SECRETS" "${PG_SERVICES[@]}"
  if ((CONTAINERS)); then secrets_ensure "$PG_SECRETS" postgres; fi
}

# postgres_psql ARGS...: psql as the superuser on the server's socket.
postgres_psql() {
  if ((CONTAINERS)); then
    podman exec -i "$(container_name postgres)" psql "$@"
  else
    as_postgres "$PG_BIN/psql" -h "$PG_SOCKET_DIR" -p "$FD_POSTGRES_PORT" "$@"
  fi
}

postgres_password() { # postgres_password SERVICE
  read_secret "$PG_SECRETS" "$1"
  [[ -n $SECRET ]] || die "no password for $1 in $PG_SECRETS (start postgres first: scripts/platform start postgres)"
  echo "$SECRET"
}

postgres_url() { # postgres_url SERVICE
  echo "postgresql://$1:$(postgres_password "$1")@127.0.0.1:$FD_POSTGRES_PORT/$1"
}

# Every process of our server (the postmaster and its children, orphans of a
# killed postmaster too): a postgres process works in its data folder.
postgres_pids() {
  [[ -d $PG_DATA ]] || return 0
  local data p out=()
  data=$(readlink -f "$PG_DATA")
  for p in $(pgrep -u postgres 2>/dev/null || true); do
    [[ $(readlink "/proc/$p/cwd" 2>/dev/null) == "$data" ]] && alive "$p" && out+=("$p")
  done
  echo "${out[*]}"
}

postgres_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$FD_POSTGRES_PORT" -t 1 >/dev/null 2>&1; }

postgres_init() {
  if [[ -e $PG_DATA/PG_VERSION ]]; then
    return 0
  fi
  if [[ -n $(ls -A "$PG_DATA" 2>/dev/null) ]]; then
    die "postgres: $PG_DATA is not empty but holds no database cluster (move it away, or scripts/platform wipe)"
  fi
  mkdir -p "$PG_DATA"
  chown postgres:postgres "$PG_DATA"
  chmod 700 "$PG_DATA"
  let_postgres_reach "$PG_DATA"
  say "postgres: creating a database cluster in $PG_DATA (initdb)"
  # C collation: strings sort by their bytes, as in SQLite.
  if ! as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 >>"$LOGS/postgres.log" 2>&1; then
    err "postgres: initdb failed"
    show_log postgres
    exit 1
  fi
}

# Rewritten on every start, so an older data folder gets today's rules.
postgres_hba() {
  local f=$PG_DATA/pg_hba.conf
  cat >"$f.tmp" <<'EOF'
# Written by scripts/platform on every start: edits here are lost.
# The superuser: only over the unix socket in the run folder, as the postgres
# OS user. Every other role: only over TCP, with its password. Which database
# a role reaches is decided by the CONNECT privilege: each service's database
# grants it to its owner, the service's role, alone.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer
host    all       postgres  127.0.0.1/32   reject
host    all       all       127.0.0.1/32   scram-sha-256
EOF
  chown postgres:postgres "$f.tmp"
  chmod 600 "$f.tmp"
  mv -f "$f.tmp" "$f"
}

start_postgres() {
  require_free_port FD_POSTGRES_PORT postgres
  if ((CONTAINERS)); then
    touch "$LOGS/postgres.log"
    log_mark postgres
    own_folder "$PG_DATA" 999 999
    # PGPORT: the server's port, and psql's in the container (podman exec).
    POSTGRES_PASSWORD=$(postgres_password postgres) PGPORT=$FD_POSTGRES_PORT container_start postgres \
      -e POSTGRES_PASSWORD -e PGPORT -v "$PG_DATA:/var/lib/postgresql/data" "$(container_image postgres)" \
      postgres -c listen_addresses=127.0.0.1 -c "max_connections=$PG_MAX_CONNECTIONS" -c recovery_init_sync_method=syncfs
    return 0
  fi
  [[ $PG_SOCKET_DIR != *"'"* && $PG_DATA != *"'"* ]] || die "postgres: its folders must not contain a quote: $PG_DATA, $PG_SOCKET_DIR"
  # A unix socket's path is at most 107 bytes.
  ((${#PG_SOCKET_DIR} + ${#FD_POSTGRES_PORT} + 11 <= 107)) ||
    die "postgres: the socket folder $PG_SOCKET_DIR is too long for a unix socket (choose a shorter FD_RUN_DIR)"
  mkdir -p "$PG_SOCKET_DIR"
  chown postgres:postgres "$PG_SOCKET_DIR"
  chmod 700 "$PG_SOCKET_DIR"
  touch "$LOGS/postgres.log"
  chown postgres:postgres "$LOGS/postgres.log"
  let_postgres_reach "$PG_SOCKET_DIR"
  let_postgres_reach "$LOGS/postgres.log"
  log_mark postgres
  if [[ -e $PG_DATA/PG_VERSION ]]; then own_folder "$PG_DATA" postgres postgres; fi
  postgres_init
  postgres_hba
  # No process works in the data folder (clear_leftovers saw to it), so the
  # lock files of a killed server are stale. The server would only refuse
  # them while its killed postmaster's pid is not yet reaped.
  if [[ -z $(postgres_pids) ]]; then
    rm -f "$PG_DATA/postmaster.pid" "$PG_SOCKET_DIR/.s.PGSQL.$FD_POSTGRES_PORT.lock"
  fi
  local waited=$(((START_DEADLINE - $(now_ms)) / 1000))
  ((waited > 0)) || waited=1
  # pg_ctl passes -o through /bin/sh: the quotes keep the folder one word.
  # After a crash the server makes sure every file of its folder is on disk
  # before it replays the WAL: one syncfs() is seconds faster than an fsync()
  # per file.
  # shellcheck disable=SC2094 # the server appends to the log, as does our redirection
  if ! as_postgres "$PG_BIN/pg_ctl" start -w -t "$waited" -D "$PG_DATA" -l "$LOGS/postgres.log" \
    -o "-p $FD_POSTGRES_PORT -k '$PG_SOCKET_DIR' -c listen_addresses=127.0.0.1 -c max_connections=$PG_MAX_CONNECTIONS -c recovery_init_sync_method=syncfs" \
    >>"$LOGS/postgres.log" 2>&1; then
    err "postgres did not start"
    show_log postgres
    exit 1
  fi
  head -n 1 "$PG_DATA/postmaster.pid" >"$RUN/postgres.pid"
}

# A role and a database per service, the database owned by the role and
# closed to every other role. Idempotent: run on every start; a role's
# password is reset to the one in the secrets file.
postgres_provision() {
  local svc
  {
    echo '\set ON_ERROR_STOP 1'
    echo 'REVOKE CONNECT, TEMPORARY ON DATABASE postgres, template1 FROM PUBLIC;'
    for svc in "${PG_SERVICES[@]}"; do
      printf '\\set svc %s\n\\set pw %s\n' "$svc" "$(postgres_password "$svc")"
      cat <<'EOF'
SELECT format('CREATE ROLE %I', :'svc') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'svc') \gexec
ALTER ROLE :"svc" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'pw';
SELECT format('CREATE DATABASE %I OWNER %I', :'svc', :'svc') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'svc') \gexec
ALTER DATABASE :"svc" OWNER TO :"svc";
REVOKE CONNECT, TEMPORARY ON DATABASE :"svc" FROM PUBLIC;
\c :svc
REVOKE ALL ON SCHEMA public FROM PUBLIC;
\c postgres
EOF
    done
    # (the passwords go through stdin: a command line is readable by anyone)
  } | postgres_psql -X -q -d postgres >>"$LOGS/postgres.log" 2>&1 ||
    { err "postgres: creating the services' roles and databases failed"; show_log postgres; exit 1; }
  say "postgres: a database and a role for each of ${PG_SERVICES[*]} (passwords in $PG_SECRETS)"
}

# pg_ctl stop -m fast: clients are disconnected, the server checkpoints and
# exits. SIGKILL when it did not within a minute.
stop_postgres() {
  if [[ -z $(postgres_pids) ]]; then
    rm -f "$RUN/postgres.pid"
    return 0
  fi
  if ! as_postgres "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >>"$LOGS/postgres.log" 2>&1; then
    err "postgres did not stop (pg_ctl stop -m fast): SIGKILL"
  fi
  kill_part postgres >/dev/null # what is left: nothing, or a server that did not stop
  rm -f "$RUN/postgres.pid"
  say "postgres stopped"
}
