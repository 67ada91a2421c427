# shellcheck shell=bash
# The Kafka test broker for scripts/platform (sourced by it), the part `kafka` of FD_BUS=kafka:
# librdkafka's mock cluster (`fooddelivery kafka-broker`: three brokers in one process, the
# topic fooddelivery with FD_KAFKA_PARTITIONS partitions). It keeps nothing on disk and
# listens on ports it picks itself, so its bootstrap list is read from <run>/kafka.bootstrap,
# which it writes once it listens and removes when it stops. Never a production broker: for
# a real cluster give the services FD_BUS_URL yourself (README, "Kafka").
# Uses the caller's RUN, LOGS, FD_BUILD_DIR and the part functions of parts.sh.

KAFKA_BOOTSTRAP_FILE=$RUN/kafka.bootstrap
# The mock answers a fetch that finds no record only when the fetch's wait is over, even
# when a record arrives meanwhile (a real broker answers at once): each event hop would take
# up to the services' fetch.wait.max.ms (Kafka's default 500 ms). A short wait costs idle
# fetches instead: FD_KAFKA_FETCH_WAIT_MS for the services of the test broker.
KAFKA_TEST_FETCH_WAIT_MS=10

kafka_bootstrap() { # the brokers' host:port list, "" while none listens
  [[ -s $KAFKA_BOOTSTRAP_FILE ]] && head -n 1 "$KAFKA_BOOTSTRAP_FILE"
  return 0
}

kafka_bus_url() { # the services' FD_BUS_URL
  local list
  list=$(kafka_bootstrap)
  [[ -n $list ]] || die "kafka: no bootstrap list in $KAFKA_BOOTSTRAP_FILE: is the kafka part running?"
  echo "kafka://$list"
}

kafka_check_install() {
  [[ -x $FD_BUILD_DIR/bin/fooddelivery ]] ||
    die "$FD_BUILD_DIR/bin/fooddelivery not found (it runs the Kafka test broker): build first (make build), or set FD_BUILD_DIR"
  [[ ${FD_KAFKA_PARTITIONS:-6} =~ ^[1-9][0-9]*$ ]] ||
    die "FD_KAFKA_PARTITIONS must be a whole number of partitions, at least 1, not '$FD_KAFKA_PARTITIONS'"
}

start_kafka() {
  rm -f "$KAFKA_BOOTSTRAP_FILE" # a killed broker's list names ports nobody listens on
  log_mark kafka
  (
    close_fds
    cd "$RUN"
    exec setsid "${SCHED[@]}" "$FD_BUILD_DIR/bin/fooddelivery" kafka-broker --brokers 3 --partitions "${FD_KAFKA_PARTITIONS:-6}" \
      --bootstrap-file "$KAFKA_BOOTSTRAP_FILE"
  ) >>"$LOGS/kafka.log" 2>&1 </dev/null &
  echo $! >"$RUN/kafka.pid"
}

# Up once the list is written (the cluster listens then) and its first broker accepts.
kafka_ready() {
  local first
  first=$(kafka_bootstrap)
  first=${first%%,*}
  [[ -n $first ]] && port_in_use "${first##*:}"
}

kafka_ports() { # "p1,p2,p3", or "-" while none listens
  local list
  list=$(kafka_bootstrap)
  list=$(sed 's/[^,]*://g' <<<"$list")
  echo "${list:--}"
}
