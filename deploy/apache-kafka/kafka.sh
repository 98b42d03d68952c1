#!/usr/bin/env bash
# Run a single-node Apache Kafka 4.x broker (KRaft combined mode) on the JVM,
# with jars resolved from Maven Central by pom.xml (no Docker, no tarball).
#
#   kafka.sh start PORT DATADIR   format DATADIR (first time) and start; prints 127.0.0.1:PORT
#   kafka.sh stop DATADIR         SIGTERM, then SIGKILL after STOP_TIMEOUT; idempotent
#   kafka.sh restart DATADIR      stop + start with the same config and data (no re-format)
#   kafka.sh kill DATADIR         SIGKILL, no clean shutdown (crash for fault tests); restart after
#   kafka.sh fetch                only download the jars into .lib/
#
# The controller listens on PORT+1. Output goes to DATADIR/kafka.log, pid to DATADIR/kafka.pid.
# Env: READY_TIMEOUT (s, default 90), STOP_TIMEOUT (s, default 30),
#      KAFKA_HEAP_OPTS (default -Xms128m -Xmx512m), KAFKA_JVM_OPTS, JAVA_HOME, PYTHON.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIB="$HERE/.lib"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PYTHON="${PYTHON:-python3}"
READY_TIMEOUT="${READY_TIMEOUT:-90}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

usage() {
  # The header comment above is the help text.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# --- jars ------------------------------------------------------------------

# .lib/.complete holds the pom's checksum: a missing stamp means an interrupted
# download, a different one means the pom changed. Either way fetch again, from scratch
# so no stale jar of an older version stays on the classpath.
ensure_jars() {
  local want
  want="$(sha256sum "$HERE/pom.xml" | cut -d' ' -f1)"
  [[ "$(cat "$LIB/.complete" 2>/dev/null)" == "$want" ]] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch the Kafka jars into $LIB"
  # Lock on the pom itself so parallel starts don't download into .lib/ at once.
  exec 9<"$HERE/pom.xml"
  flock 9
  if [[ "$(cat "$LIB/.complete" 2>/dev/null)" != "$want" ]]; then
    echo "kafka.sh: fetching Kafka jars with Maven into $LIB ..." >&2
    rm -rf "$LIB"
    local out  # mvn's output is shown only when it fails
    out="$(mvn -B -q -f "$HERE/pom.xml" dependency:copy-dependencies 2>&1)" ||
      { echo "$out" >&2; die "mvn could not fetch the jars (is Maven Central reachable?)"; }
    echo "$want" >"$LIB/.complete"
  fi
  flock -u 9
  exec 9<&-
}

# --- helpers ---------------------------------------------------------------

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }

pid_of() { cat "$1/kafka.pid" 2>/dev/null || true; }

# True only if PID is alive AND is the broker of this DATADIR (guards against pid reuse).
is_our_broker() {
  local pid="$1" datadir="$2"
  local cmdline
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
  [[ "$cmdline" == *"kafka.Kafka $datadir/server.properties"* ]]
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports_free() {
  port_in_use "$1" && die "port $1 is already in use"
  port_in_use $(($1 + 1)) && die "port $(($1 + 1)) (controller) is already in use"
  return 0
}

port_of() {
  sed -n 's#^listeners=PLAINTEXT://127\.0\.0\.1:\([0-9]*\),.*#\1#p' "$1/server.properties" 2>/dev/null || true
}

# A cluster id is 16 random bytes in unpadded base64url (22 chars), as made by
# `kafka-storage random-uuid`; Python does it without a second JVM start.
new_cluster_id() {
  "$PYTHON" -c 'import base64,uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode())' 2>/dev/null ||
    "$JAVA" -cp "$LIB/*" kafka.tools.StorageTool random-uuid
}

java_cmd() {
  local datadir="$1"
  # shellcheck disable=SC2206  # the *_OPTS are meant to be word-split
  JAVA_CMD=("$JAVA" ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}
    ${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError}
    -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$HERE/log4j2.yaml"
    "-Dkafka.logs.dir=$datadir"
    -cp "$LIB/*")
}

write_properties() {
  local port="$1" datadir="$2"
  cat >"$datadir/server.properties" <<EOF
# Written by deploy/apache-kafka/kafka.sh: single-node KRaft (broker+controller) test broker.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$((port + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
# Dynamic quorum (KIP-853), formatted with --standalone.
controller.quorum.bootstrap.servers=127.0.0.1:$((port + 1))
log.dirs=$datadir/logs
num.partitions=3
auto.create.topics.enable=true
# One node: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests should not wait 3 s for the first rebalance.
group.initial.rebalance.delay.ms=0
# After a crash (kill) the restarted broker cannot register until its old session
# expires: 4 s instead of the default 9 s keeps crash/restart tests short.
broker.heartbeat.interval.ms=1000
broker.session.timeout.ms=4000
EOF
}

format_storage() {
  local datadir="$1" cid
  cid="$(new_cluster_id)"
  java_cmd "$datadir"
  "${JAVA_CMD[@]}" kafka.tools.StorageTool format --standalone \
    -t "$cid" -c "$datadir/server.properties" >>"$datadir/kafka.log" 2>&1 ||
    { tail -n 30 "$datadir/kafka.log" >&2; die "formatting $datadir failed"; }
}

# One Kafka Metadata (v1) round trip: the broker serves requests (an open port alone
# does not prove that) and lists itself with the advertised PORT.
metadata_ok() {
  "$PYTHON" - "$1" <<'EOF' 2>/dev/null
import socket, struct, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.settimeout(2)
cid = b"kafka.sh"
# header: api_key=3 (Metadata), version 1, correlation 7, client id; body: topics=null (all)
req = struct.pack(">hhih", 3, 1, 7, len(cid)) + cid + struct.pack(">i", -1)
s.sendall(struct.pack(">i", len(req)) + req)
def read(n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            sys.exit(1)
        buf += chunk
    return buf
body = read(struct.unpack(">i", read(4))[0])
corr, nbrokers = struct.unpack(">ii", body[:8])
_node, hlen = struct.unpack(">ih", body[8:14])
bport = struct.unpack(">i", body[14 + hlen:18 + hlen])[0] if nbrokers else None
sys.exit(0 if corr == 7 and bport == port else 1)
EOF
}

# Launch in the background, in its own session so it outlives the calling shell,
# then wait until it is really serving. Only log lines written after launch count
# (kafka.log keeps earlier runs on restart).
launch_and_wait() {
  local port="$1" datadir="$2" log_offset pid deadline
  log_offset=$(($(stat -c %s "$datadir/kafka.log" 2>/dev/null || echo 0) + 1))

  java_cmd "$datadir"
  rm -f "$datadir/kafka.pid"
  # The inner bash writes its own pid, then execs java: the pid file is the JVM's pid.
  # shellcheck disable=SC2016  # $$ and $@ are for the inner bash
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$datadir/kafka.pid" \
    "${JAVA_CMD[@]}" kafka.Kafka "$datadir/server.properties" \
    >>"$datadir/kafka.log" 2>&1 </dev/null &
  for _ in $(seq 100); do [[ -s "$datadir/kafka.pid" ]] && break; sleep 0.05; done
  pid="$(pid_of "$datadir")"
  [[ -n "$pid" ]] || die "could not launch java (see $datadir/kafka.log)"

  deadline=$((SECONDS + READY_TIMEOUT))
  # (grep reads a process substitution: in a pipe, grep -q exiting early would
  # SIGPIPE tail and pipefail would turn a match into a failure.)
  until grep -qF "Kafka Server started" < <(tail -c "+$log_offset" "$datadir/kafka.log") &&
    metadata_ok "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$datadir/kafka.log" >&2
      die "broker exited during startup (log: $datadir/kafka.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 40 "$datadir/kafka.log" >&2
      stop_broker "$datadir"
      die "broker not ready after ${READY_TIMEOUT}s (log: $datadir/kafka.log)"
    fi
    sleep 0.3
  done
  echo "127.0.0.1:$port"
}

stop_broker() {
  local datadir="$1" pid deadline
  pid="$(pid_of "$datadir")"
  if is_our_broker "$pid" "$datadir"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker $pid ignored SIGTERM for ${STOP_TIMEOUT}s, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
  fi
  rm -f "$datadir/kafka.pid"
}

# --- commands --------------------------------------------------------------

cmd_start() {
  [[ $# -eq 2 && "$1" =~ ^[0-9]+$ ]] || usage
  local port="$1" datadir
  datadir="$(abs_dir "$2")"
  is_our_broker "$(pid_of "$datadir")" "$datadir" &&
    die "a broker is already running on $datadir (use restart, or stop first)"
  check_ports_free "$port"
  ensure_jars

  if [[ -f "$datadir/logs/meta.properties" ]]; then
    # Already formatted: reuse data. The port is baked into the quorum's voter set.
    [[ "$(port_of "$datadir")" == "$port" ]] ||
      die "$datadir was formatted for port $(port_of "$datadir"); use that port or a fresh DATADIR"
    echo "=== kafka.sh start (existing data) $(date -Is) ===" >>"$datadir/kafka.log"
  else
    : >"$datadir/kafka.log"
    write_properties "$port" "$datadir"
    format_storage "$datadir"
  fi
  launch_and_wait "$port" "$datadir"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  [[ -d "$1" ]] || return 0
  stop_broker "$(cd "$1" && pwd)"
}

cmd_kill() {
  [[ $# -eq 1 ]] || usage
  [[ -d "$1" ]] || return 0
  local datadir pid
  datadir="$(cd "$1" 2>/dev/null && pwd)" || die "no such DATADIR: $1"
  pid="$(pid_of "$datadir")"
  is_our_broker "$pid" "$datadir" || return 0
  kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$datadir/kafka.pid"
}

cmd_restart() {
  [[ $# -eq 1 ]] || usage
  local datadir port
  datadir="$(cd "$1" 2>/dev/null && pwd)" || die "no such DATADIR: $1"
  port="$(port_of "$datadir")"
  [[ -n "$port" && -f "$datadir/logs/meta.properties" ]] ||
    die "$datadir holds no formatted broker: run start first"
  stop_broker "$datadir"
  check_ports_free "$port"
  ensure_jars
  echo "=== kafka.sh restart $(date -Is) ===" >>"$datadir/kafka.log"
  launch_and_wait "$port" "$datadir"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  restart) shift; cmd_restart "$@" ;;
  kill) shift; cmd_kill "$@" ;;
  fetch) ensure_jars ;;
  *) usage ;;
esac
