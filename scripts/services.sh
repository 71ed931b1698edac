#!/usr/bin/env bash
# Real services for the integration suite: a single OpenSearch node and a DynamoDB-compatible server.
#
#   scripts/services.sh start            fetch (first time) and start both, wait until healthy
#   scripts/services.sh stop             stop both
#   scripts/services.sh status           show what runs where
#   scripts/services.sh run -- <cmd...>  start what is not running, run <cmd> with
#                                        OPENSEARCH_ENDPOINT and DYNAMODB_ENDPOINT exported,
#                                        stop what it started, exit with <cmd>'s exit code
#
# OpenSearch: org.opensearch.distribution.integ-test-zip:opensearch (Maven Central, via
# scripts/services/pom.xml). That zip carries only the transport-netty4 module, so the
# analysis-common module (cjk_width, cjk_bigram, ...) is installed from its Maven Central jar
# with a plugin-descriptor.properties written here. Java 17 from the machine, heap 512 MB,
# single-node, no security plugin, bound to 127.0.0.1. OpenSearch refuses to run as root, so as
# root it runs as the unprivileged user `chiiki-os` (created when missing).
#
# DynamoDB: DynamoDB Local (com.amazonaws:DynamoDBLocal) is deliberately NOT used: it is under a
# vendor licence, not open source, and this project may not depend on it. The integration suite
# therefore runs dynalite (Apache-2.0, already an npm dependency) as a separate standalone server
# process on a LevelDB folder (node_modules/.bin/dynalite --path ...), which differs from the unit
# suite's in-process, in-memory dynalite in process boundary, HTTP keep-alive and disk storage.
#
# Everything lives under .services/ (dist/, opensearch/, dynalite/, logs/, run/). Data of both
# services is wiped on each start: they are test fixtures, not stores to keep.
#
# Environment: OPENSEARCH_PORT (9200), DYNALITE_PORT (8000), OPENSEARCH_HEAP (512m),
# SERVICES_START_TIMEOUT_SEC (240), SERVICES_LOCK_TIMEOUT_SEC (1800).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
services="$root/.services"
dist="$services/dist"
logs="$services/logs"
rundir="$services/run"
os_version=2.19.6
os_port="${OPENSEARCH_PORT:-9200}"
dyn_port="${DYNALITE_PORT:-8000}"
os_heap="${OPENSEARCH_HEAP:-512m}"
start_timeout="${SERVICES_START_TIMEOUT_SEC:-240}"
lock_timeout="${SERVICES_LOCK_TIMEOUT_SEC:-1800}"
os_user=chiiki-os

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] error: %s\n' "$*" >&2
  exit 1
}

mkdir -p "$logs" "$rundir"

# ---- helpers ---------------------------------------------------------------------------------

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Stops a service started with setsid: TERM to its main pid (graceful), then to the launcher's
# process group (setsid made the launcher a group leader), KILL after `half_seconds`/2 s.
stop_process() {
  local name="$1" launcher_file="$2" main_file="$3" half_seconds="$4" pid=""
  if [[ -n "$main_file" ]] && pid_alive "$main_file"; then
    pid="$(cat "$main_file")"
  elif pid_alive "$launcher_file"; then
    pid="$(cat "$launcher_file")"
  fi
  if [[ -n "$pid" ]]; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 "$half_seconds"); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
  fi
  if pid_alive "$launcher_file"; then
    local group
    group="$(cat "$launcher_file")"
    kill -TERM -- "-$group" 2>/dev/null || true
    for _ in $(seq 1 10); do
      kill -0 -- "-$group" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 -- "-$group" 2>/dev/null; then
      log "$name did not stop in time; killing process group $group"
      kill -KILL -- "-$group" 2>/dev/null || true
    fi
  fi
  rm -f "$launcher_file" ${main_file:+"$main_file"}
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"; }

# OpenSearch runtime folder: inside the checkout when the service user can reach it, else under
# /var/tmp (a clone under /root is not traversable by an unprivileged user).
os_runtime() {
  if [[ $EUID -ne 0 ]] || runuser -u "$os_user" -- test -x "$services" 2>/dev/null; then
    echo "$services/opensearch"
  else
    echo "/var/tmp/chiiki-services-$(printf '%s' "$root" | sha256sum | cut -c1-12)/opensearch"
  fi
}

# ---- fetch ------------------------------------------------------------------------------------

fetch_opensearch() {
  local home="$dist/opensearch-$os_version" complete="$dist/.complete-$os_version"
  # The marker is written last, so an interrupted fetch is redone from scratch.
  if [[ -f "$complete" && -x "$home/bin/opensearch" && -f "$dist/analysis-common-$os_version.jar" ]]; then
    return 0
  fi
  rm -rf "$dist"
  mkdir -p "$dist"
  need mvn "install Maven: apt-get install -y maven"
  need java "install Java 17: apt-get install -y openjdk-17-jre-headless"
  log "fetching OpenSearch $os_version and analysis-common from Maven Central (first run; ~60 MB)"
  local started=$SECONDS
  if ! mvn -B -q -f "$root/scripts/services/pom.xml" -Dservices.dist="$dist" generate-resources >"$logs/mvn.log" 2>&1; then
    tail -n 30 "$logs/mvn.log" >&2
    die "maven could not fetch the services (full log: $logs/mvn.log)"
  fi
  [[ -x "$home/bin/opensearch" ]] || die "maven finished but $home/bin/opensearch is missing (see $logs/mvn.log)"
  touch "$complete"
  log "fetched in $((SECONDS - started)) s"
}

install_analysis_common() {
  local module="$1/modules/analysis-common"
  mkdir -p "$module"
  cp "$dist/analysis-common-$os_version.jar" "$module/"
  # The Maven jar has no descriptor. The plugin class is CommonAnalysisPlugin (checked in the jar).
  # No extended.plugins=lang-painless: painless is not installed, and the analysis filters we need
  # do not use scripting.
  cat >"$module/plugin-descriptor.properties" <<EOF
description=Adds analysis components (cjk_width, cjk_bigram, ...) to OpenSearch
version=$os_version
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=$os_version
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
}

# ---- OpenSearch -------------------------------------------------------------------------------

os_pidfile() { echo "$(os_runtime)/opensearch.pid"; }

os_healthy() {
  curl -fsS --max-time 5 "http://127.0.0.1:$os_port/_cluster/health?wait_for_status=yellow&timeout=4s" >/dev/null 2>&1
}

start_opensearch() {
  local runtime pidfile
  runtime="$(os_runtime)"
  pidfile="$runtime/opensearch.pid"
  if pid_alive "$pidfile" && os_healthy; then
    log "opensearch already running on port $os_port"
    return 0
  fi
  port_in_use "$os_port" && die "port $os_port is taken by another process; set OPENSEARCH_PORT to a free port"
  fetch_opensearch
  need java "install Java 17: apt-get install -y openjdk-17-jre-headless"
  if [[ $EUID -eq 0 ]] && ! id "$os_user" >/dev/null 2>&1; then
    log "creating unprivileged user $os_user (OpenSearch refuses to run as root)"
    useradd -r -M -s /usr/sbin/nologin "$os_user"
  fi
  runtime="$(os_runtime)"
  pidfile="$runtime/opensearch.pid"

  # A fresh home each start: the dist copy is cheap, and no stale data or lock survives.
  rm -rf "$runtime"
  mkdir -p "$runtime"
  cp -a "$dist/opensearch-$os_version/." "$runtime/home"
  install_analysis_common "$runtime/home"
  mkdir -p "$runtime/config" "$runtime/data" "$runtime/logs"
  cp "$runtime/home/config/log4j2.properties" "$runtime/config/"
  sed -e "s/^-Xms.*/-Xms$os_heap/" -e "s/^-Xmx.*/-Xmx$os_heap/" \
    -e "s#HeapDumpPath=data#HeapDumpPath=$runtime/data#" \
    -e "s#file=logs/gc.log#file=$runtime/logs/gc.log#" -e "s#ErrorFile=logs/#ErrorFile=$runtime/logs/#" \
    "$runtime/home/config/jvm.options" >"$runtime/config/jvm.options"
  cat >"$runtime/config/opensearch.yml" <<EOF
cluster.name: chiiki-test
node.name: chiiki-test-node
path.data: $runtime/data
path.logs: $runtime/logs
network.host: 127.0.0.1
http.port: $os_port
discovery.type: single-node
# A shared CI disk can be fuller than the default watermarks allow.
cluster.routing.allocation.disk.threshold_enabled: false
action.auto_create_index: true
EOF
  [[ $EUID -eq 0 ]] && chown -R "$os_user:" "$runtime"
  if [[ "$runtime" != "$services/opensearch" ]]; then
    ln -sfn "$runtime" "$services/opensearch"
  fi

  local java_home
  java_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  log "starting opensearch on 127.0.0.1:$os_port (heap $os_heap, logs $logs/opensearch.out)"
  local as_user=()
  [[ $EUID -eq 0 ]] && as_user=(runuser -u "$os_user" --)
  (
    cd "$runtime"
    setsid nohup "${as_user[@]}" env OPENSEARCH_JAVA_HOME="$java_home" JAVA_HOME="$java_home" \
      OPENSEARCH_PATH_CONF="$runtime/config" OPENSEARCH_JAVA_OPTS="-Xms$os_heap -Xmx$os_heap" \
      "$runtime/home/bin/opensearch" -p "$pidfile" >"$logs/opensearch.out" 2>&1 </dev/null 9>&- &
    echo $! >"$rundir/opensearch-launcher.pid"
  )
  local deadline=$((SECONDS + start_timeout))
  until os_healthy; do
    if ((SECONDS > deadline)); then
      tail -n 40 "$logs/opensearch.out" >&2 || true
      stop_opensearch
      die "opensearch did not become healthy within ${start_timeout}s (log: $logs/opensearch.out)"
    fi
    if ! pid_alive "$rundir/opensearch-launcher.pid" && ! pid_alive "$pidfile"; then
      tail -n 40 "$logs/opensearch.out" >&2 || true
      die "opensearch exited during start (log: $logs/opensearch.out)"
    fi
    sleep 1
  done
  curl -fsS --max-time 10 -H 'content-type: application/json' "http://127.0.0.1:$os_port/_analyze" \
    -d '{"tokenizer":"standard","filter":["cjk_width","cjk_bigram"],"text":"産学官"}' >/dev/null ||
    die "opensearch runs but cjk_bigram is unavailable: analysis-common did not load (log: $logs/opensearch.out)"
  log "opensearch healthy with cjk_bigram"
}

stop_opensearch() {
  stop_process opensearch "$rundir/opensearch-launcher.pid" "$(os_pidfile)" 60
}

# ---- dynalite ---------------------------------------------------------------------------------

dyn_pidfile="$rundir/dynalite.pid"

dyn_healthy() {
  # Any DynamoDB JSON answer will do; ListTables is cheap.
  curl -fsS --max-time 3 -X POST "http://127.0.0.1:$dyn_port/" \
    -H 'content-type: application/x-amz-json-1.0' -H 'x-amz-target: DynamoDB_20120810.ListTables' \
    -H 'x-amz-date: 20250101T000000Z' \
    -H 'authorization: AWS4-HMAC-SHA256 Credential=local/20250101/ap-northeast-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0' \
    -d '{}' >/dev/null 2>&1
}

start_dynalite() {
  if pid_alive "$dyn_pidfile" && dyn_healthy; then
    log "dynalite already running on port $dyn_port"
    return 0
  fi
  port_in_use "$dyn_port" && die "port $dyn_port is taken by another process; set DYNALITE_PORT to a free port"
  local bin="$root/node_modules/.bin/dynalite"
  [[ -x "$bin" ]] || die "$bin is missing: run npm ci first"
  rm -rf "$services/dynalite"
  mkdir -p "$services/dynalite/data"
  log "starting dynalite (standalone, LevelDB under .services/dynalite) on 127.0.0.1:$dyn_port"
  setsid nohup "$bin" --host 127.0.0.1 --port "$dyn_port" --path "$services/dynalite/data" \
    --createTableMs 0 --deleteTableMs 0 --updateTableMs 0 >"$logs/dynalite.log" 2>&1 </dev/null 9>&- &
  echo $! >"$dyn_pidfile"
  local deadline=$((SECONDS + 30))
  until dyn_healthy; do
    if ((SECONDS > deadline)) || ! pid_alive "$dyn_pidfile"; then
      cat "$logs/dynalite.log" >&2 || true
      stop_dynalite
      die "dynalite did not answer on port $dyn_port within 30s (log: $logs/dynalite.log)"
    fi
    sleep 0.3
  done
  log "dynalite healthy"
}

stop_dynalite() {
  stop_process dynalite "$dyn_pidfile" "" 20
}

# ---- commands ---------------------------------------------------------------------------------

status() {
  if pid_alive "$(os_pidfile)" && os_healthy; then
    echo "opensearch: running  http://127.0.0.1:$os_port (pid $(cat "$(os_pidfile)"))"
  else
    echo "opensearch: stopped"
  fi
  if pid_alive "$dyn_pidfile" && dyn_healthy; then
    echo "dynalite:   running  http://127.0.0.1:$dyn_port (pid $(cat "$dyn_pidfile"))"
  else
    echo "dynalite:   stopped"
  fi
}

export_endpoints() {
  export OPENSEARCH_ENDPOINT="http://127.0.0.1:$os_port"
  export DYNAMODB_ENDPOINT="http://127.0.0.1:$dyn_port"
}

# One `run` or `start` at a time per checkout: several people may share it. Services are started
# with fd 9 closed so they never hold the lock themselves.
take_lock() {
  exec 9>"$rundir/lock"
  if ! flock -n 9; then
    log "another services.sh run holds $rundir/lock; waiting up to ${lock_timeout}s"
    flock -w "$lock_timeout" 9 || die "gave up waiting for $rundir/lock after ${lock_timeout}s"
  fi
}

run() {
  [[ "${1:-}" == "--" ]] && shift
  (($# > 0)) || die "usage: services.sh run -- <command...>"
  # Globals, not locals: the EXIT trap runs after this function has returned.
  started_os=0
  started_dyn=0
  cleanup() {
    if ((started_os)); then stop_opensearch; fi
    if ((started_dyn)); then stop_dynalite; fi
    return 0
  }
  child=
  # On INT/TERM: pass the signal to the command, then stop the services (EXIT trap).
  on_signal() {
    [[ -n "$child" ]] && kill "-$1" "$child" 2>/dev/null
    exit "$2"
  }
  trap cleanup EXIT
  trap 'on_signal INT 130' INT
  trap 'on_signal TERM 143' TERM
  take_lock
  pid_alive "$(os_pidfile)" && os_healthy || started_os=1
  pid_alive "$dyn_pidfile" && dyn_healthy || started_dyn=1
  local begun=$SECONDS
  start_dynalite
  start_opensearch
  log "services ready in $((SECONDS - begun)) s"
  export_endpoints
  # In the background plus `wait`, so a signal is handled at once, not after the command ends.
  "$@" &
  child=$!
  local code=0
  wait "$child" || code=$?
  child=
  return "$code"
}

case "${1:-}" in
  start)
    take_lock
    begun=$SECONDS
    start_dynalite
    start_opensearch
    log "services ready in $((SECONDS - begun)) s"
    export_endpoints
    echo "export OPENSEARCH_ENDPOINT=$OPENSEARCH_ENDPOINT DYNAMODB_ENDPOINT=$DYNAMODB_ENDPOINT"
    ;;
  stop)
    stop_opensearch
    stop_dynalite
    ;;
  status) status ;;
  run)
    shift
    run "$@"
    exit $?
    ;;
  *)
    echo "usage: $0 start|stop|status|run -- <command...>" >&2
    exit 2
    ;;
esac
