# shellcheck shell=bash
# podman for scripts/images and scripts/platform (sourced by them): the platform's settings
# for podman (deploy/images/containers.conf, through CONTAINERS_CONF) and the images' names.
# Uses the caller's ROOT and die; the second half also its LOGS, STOP_TIMEOUT, close_fds,
# now_ms, err and service_of (scripts/platform's libraries).

export CONTAINERS_CONF=$ROOT/deploy/images/containers.conf

image_of() { echo "localhost/fooddelivery/$1:latest"; } # image_of NAME

# What the containers need on the host: podman with runc (crun fails on these machines).
containers_check_install() {
  command -v podman >/dev/null || die "podman is not installed (make images installs it)"
  command -v runc >/dev/null || die "runc is not installed (make images installs it)"
  ((EUID == 0)) || die "the platform's containers run with root's podman (host networking, its storage): run as root"
}

# ------------------------------------------------ FD_CONTAINERS=1: parts as containers ----
# scripts/platform runs each part as a container of these images instead of a process when
# FD_CONTAINERS=1 (recorded in the run folder like the profile): on the host's network with the
# same ports and settings as the processes, root filesystem read-only, its output appended to
# <run>/logs/<part>.log (podman's k8s-file log: a time stamp and the stream before each line).
# The container of a part is named <FD_CONTAINER_PREFIX><part> [fd-]. Their data, bind mounts
# of the data folder:
#   postgres   <data>/postgres  (owned by the image's postgres user, uid 999)
#   a NATS node  <data>/<node> (nats, nats-1, ...) at the same path (its configuration's
#              store_dir), owned by uid 10001; its <run>/<node>.conf, mounted read-only, is
#              given to uid 10001 (it holds the passwords)
#   a service  <data>/containers/<service> at /var/lib/fooddelivery (uid 10001, 0700): the
#              embedded profile's SQLite files
# Uses the caller's DATA, LOGS, RUN, STOP_TIMEOUT and its part functions.

# shellcheck disable=SC2034 # set and read by scripts/lib/parts.sh, read by the others
CONTAINERS=0         # 1: the parts are containers
CONTAINER_PREFIX=fd- # of the containers' names

container_name() { echo "$CONTAINER_PREFIX$1"; }

container_image() { # container_image PART: the image it runs
  case $1 in
    postgres | gateway) image_of "$1" ;;
    nats*) image_of nats ;;
    *) image_of "$(service_of "$1")" ;;
  esac
}

# The running containers and their main process's pid, read with one podman ps and kept until
# container_forget (a podman call takes a fifth of a second on a busy machine, and start asks
# about every part several times). Load it in the shell that asks, not in a $(...) of it.
declare -A CONTAINER_PIDS=()
CONTAINER_PIDS_LOADED=0
container_forget() { CONTAINER_PIDS_LOADED=0; }
container_load() {
  ((CONTAINER_PIDS_LOADED)) && return 0
  local name pid
  CONTAINER_PIDS=()
  while read -r name pid; do CONTAINER_PIDS[$name]=$pid; done < <(podman ps --format '{{.Names}} {{.Pid}}' 2>/dev/null)
  CONTAINER_PIDS_LOADED=1
}

container_pid() { # container_pid PART: the pid of its main process on the host, nothing when it does not run
  container_load
  local pid=${CONTAINER_PIDS[$(container_name "$1")]:-}
  [[ $pid =~ ^[1-9][0-9]*$ ]] && echo "$pid"
  return 0
}

container_running() {
  container_load # here, not in a $(...) that would forget it
  [[ ${CONTAINER_PIDS[$(container_name "$1")]:-} =~ ^[1-9][0-9]*$ ]]
}

containers_check_images() { # containers_check_images PART...
  local p images
  containers_check_install
  images=" $(podman images --format '{{.Repository}}:{{.Tag}}' | paste -sd ' ') "
  for p in "$@"; do
    [[ $images == *" $(container_image "$p") "* ]] ||
      die "$(container_image "$p") does not exist: build the images first (make images)"
  done
}

# The FD_* settings a container gets: every exported FD_* variable (by name: podman reads each
# value from our environment, so no password is on a command line), but the host's folders.
container_env_args() {
  local v
  for v in $(compgen -e | grep '^FD_' || true); do
    case $v in
      FD_BUILD_DIR | FD_DATA_DIR | FD_RUN_DIR | FD_WEB_DIR | FD_GATEWAY_ROUTES | FD_CONTAINERS | FD_CONTAINER_PREFIX) ;;
      *) printf -- '-e\n%s\n' "$v" ;;
    esac
  done
}

# container_start PART PODMAN-RUN-ARGS... [IMAGE ARGS...]: runs the part's container in the
# background (after removing a stopped one of the same name and its anonymous volumes).
container_start() {
  local part=$1 name out
  shift
  name=$(container_name "$part")
  podman rm -f -v -t 0 "$name" >/dev/null 2>&1 || true
  local env_args=()
  mapfile -t env_args < <(container_env_args)
  # --no-healthcheck: scripts/platform checks health itself; podman's timers for the images'
  # HEALTHCHECK need systemd, which the project's machines do not run.
  # close_fds: conmon, which outlives us beside the container, must not hold our lock.
  if ! out=$(close_fds; podman run -d --name "$name" --network host --read-only --no-healthcheck \
    --log-driver k8s-file --log-opt "path=$LOGS/$part.log" \
    ${env_args[@]+"${env_args[@]}"} "$@" 2>&1); then
    err "$part: podman run failed: $out"
    exit 1
  fi
  container_forget
}

# own_folder PATH USER GROUP: PATH (a folder, made if missing, and everything in it) belongs to
# them: a data folder passes between a container's user and the host's (PostgreSQL: uid 999 in
# its image, the host's postgres user for the process) when FD_CONTAINERS changes.
own_folder() {
  mkdir -p "$1"
  if [[ -n $(find "$1" \( ! -user "$2" -o ! -group "$3" \) -print -quit) ]]; then chown -R "$2:$3" "$1"; fi
}

# container_stop PART...: podman stop (SIGTERM, or the image's STOPSIGNAL; SIGKILL after the
# time), all at once, then removes them with their anonymous volumes.
container_stop() { # container_stop SECONDS PART...
  local t=$1 p names=()
  shift
  for p in "$@"; do names+=("$(container_name "$p")"); done
  podman stop -i -t "$t" "${names[@]}" >/dev/null 2>&1 || true
  podman rm -f -i -v "${names[@]}" >/dev/null 2>&1 || true
  container_forget
}

# container_kill PART...: SIGKILL to every process of the parts' containers (each container
# dies whole, and all of them at once, as when their machine does), and wait until podman
# sees them stopped. Prints the pids of their main processes (nothing when none ran).
container_kill() {
  local p pid pids=() names=() end
  for p in "$@"; do
    pid=$(container_pid "$p")
    [[ -n $pid ]] || continue
    pids+=("$pid")
    names+=("$(container_name "$p")")
  done
  ((${#names[@]})) || return 0
  podman kill -s KILL "${names[@]}" >/dev/null 2>&1 || true
  end=$(($(now_ms) + STOP_TIMEOUT * 1000))
  for p in "${names[@]}"; do
    while [[ $(podman container inspect -f '{{.State.Running}}' "$p" 2>/dev/null) == true ]]; do
      (($(now_ms) < end)) || die "container $p survives SIGKILL"
      sleep 0.05
    done
  done
  container_forget
  echo "${pids[*]}"
}
