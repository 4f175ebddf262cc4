#!/usr/bin/env bash
# Runs feedloom as a cluster on this machine, from the local build (bin/feedloom.js): N workers
# sharing the PostgreSQL store and its queue, one publisher (`publish --watch`) and `serve`: the
# topology of compose.yaml, without containers. The tests and the cluster bench use it.
#
#   scripts/cluster.sh start [--workers N] [--config PATH] [--db URL] [--concurrency N]
#                            [--serve HOST:PORT | --no-serve] [--no-publisher]
#                            [--log-format text|json] [--ready-seconds S] [--run-dir DIR]
#   scripts/cluster.sh status [--run-dir DIR]     # each process: running or stopped; exit 0 when all run
#   scripts/cluster.sh stop [--timeout S] [--run-dir DIR]
#
# start returns once every process has logged that it is up, and undoes everything when one ends
# before that or --ready-seconds (default 60) pass. The run dir (default ./.cluster) holds `processes` (one
# "name pid" line per process, written as each one starts, so that stop finds them even after a
# failed start) and one log per process.
# Each process leads its own process group, which stop signals: SIGTERM (workers finish or release
# their jobs), then SIGKILL for whatever still runs after --timeout seconds (default 30).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/bin/feedloom.js"
node=${NODE:-node}

usage() {
  sed -n '6,10p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "cluster: $*" >&2
  exit 1
}

action=${1:-}
[ -n "$action" ] || usage
shift

run_dir=.cluster
workers=2
config=feeds.config.json
db=
concurrency=
serve=127.0.0.1:8080
publisher=1
log_format=
ready_seconds=60
timeout_seconds=30

need_value() {
  [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"
}

while [ $# -gt 0 ]; do
  case "$1" in
    --run-dir) need_value "$@"; run_dir=$2; shift 2 ;;
    --workers) need_value "$@"; workers=$2; shift 2 ;;
    --config|-c) need_value "$@"; config=$2; shift 2 ;;
    --db) need_value "$@"; db=$2; shift 2 ;;
    --concurrency) need_value "$@"; concurrency=$2; shift 2 ;;
    --serve) need_value "$@"; serve=$2; shift 2 ;;
    --no-serve) serve=; shift ;;
    --no-publisher) publisher=; shift ;;
    --log-format) need_value "$@"; log_format=$2; shift 2 ;;
    --ready-seconds) need_value "$@"; ready_seconds=$2; shift 2 ;;
    --timeout) need_value "$@"; timeout_seconds=$2; shift 2 ;;
    -h|--help) usage ;;
    *) die "unknown option $1 (scripts/cluster.sh --help)" ;;
  esac
done

processes="$run_dir/processes"

# A pid from the processes file is ours only while it still runs feedloom: after a reboot or a
# long stop the number may belong to something else, which must never be signalled.
is_ours() {
  local args
  args=$(ps -o args= -p "$1" 2>/dev/null) || return 1
  case "$args" in *feedloom.js*) return 0 ;; *) return 1 ;; esac
}

signal_group() {
  # The group first (the process and anything it started), the process alone where groups are unknown.
  kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true
}

stop_all() {
  [ -f "$processes" ] || return 0
  local name pid left deadline=$((SECONDS + timeout_seconds))
  while read -r name pid; do
    if is_ours "$pid"; then signal_group TERM "$pid"; fi
  done <"$processes"
  while :; do
    left=
    while read -r name pid; do
      if is_ours "$pid"; then left="$left $name"; fi
    done <"$processes"
    [ -n "$left" ] || break
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "cluster: still running after ${timeout_seconds} s, killing:$left" >&2
      while read -r name pid; do
        if is_ours "$pid"; then signal_group KILL "$pid"; fi
      done <"$processes"
      sleep 0.2
      break
    fi
    sleep 0.2
  done
  rm -f "$processes"
}

# Starts one process in its own session (so a Ctrl-C meant for this script or a test runner does
# not reach it, and stop can signal its group), records it, and returns at once.
launch() {
  local name=$1
  shift
  local log="$run_dir/$name.log"
  : >"$log"
  if command -v setsid >/dev/null 2>&1; then
    setsid "$node" "$bin" "$@" </dev/null >>"$log" 2>&1 &
  else
    "$node" "$bin" "$@" </dev/null >>"$log" 2>&1 &
  fi
  echo "$name $!" >>"$processes"
}

# What each process logs once it is up (text or JSON logs alike).
ready_line_of() {
  case "$1" in
    worker-*) echo "worker $1 started" ;;
    publisher) echo "publisher started" ;;
    serve) echo "serving " ;;
  esac
}

# Waits until every process started so far has logged that it is up. One that ends first (a wrong
# config, an unreachable database, a port in use), or the deadline, undoes the whole start.
wait_ready() {
  local name pid waiting
  while :; do
    waiting=
    while read -r name pid; do
      if ! is_ours "$pid"; then
        echo "cluster: $name (pid $pid) stopped while starting; the end of $run_dir/$name.log:" >&2
        tail -n 20 "$run_dir/$name.log" >&2
        stop_all
        exit 1
      fi
      if ! grep -qF "$(ready_line_of "$name")" "$run_dir/$name.log"; then waiting="$waiting $name"; fi
    done <"$processes"
    [ -n "$waiting" ] || return 0
    if [ "$SECONDS" -ge "$ready_deadline" ]; then
      echo "cluster: not ready after ${ready_seconds} s:$waiting (see their logs in $run_dir)" >&2
      stop_all
      exit 1
    fi
    sleep 0.2
  done
}

print_status() {
  local name pid state all=0
  while read -r name pid; do
    if is_ours "$pid"; then state=running; else state=stopped; all=1; fi
    printf '%-12s pid %-8s %-8s %s\n' "$name" "$pid" "$state" "$run_dir/$name.log"
  done <"$processes"
  return $all
}

case "$action" in
  start)
    # --workers 0: the publisher and serve alone, for the machine that publishes while others fetch.
    [[ "$workers" =~ ^[0-9]+$ ]] || die "--workers must be a whole number"
    [ -f "$config" ] || die "no config at $config (--config PATH)"
    [ -f "$repo/dist/bundle/feedloom.mjs" ] || die "feedloom is not built in $repo: run npm ci (or npm run build) first"
    config=$(cd "$(dirname "$config")" && pwd)/$(basename "$config")
    mkdir -p "$run_dir"
    if [ -f "$processes" ]; then
      while read -r name pid; do
        if is_ours "$pid"; then die "already running ($name, pid $pid): scripts/cluster.sh stop --run-dir $run_dir first"; fi
      done <"$processes"
      rm -f "$processes"
    fi
    if [ -n "$db" ]; then export FEEDLOOM_STORE_URL="$db"; fi
    common=(--config "$config")
    if [ -n "$log_format" ]; then common+=(--log-format "$log_format"); fi
    # A signal to this script mid-start must not leave half a cluster behind.
    trap 'stop_all; exit 1' INT TERM
    ready_deadline=$((SECONDS + ready_seconds))
    launch_worker() {
      local args=(worker "${common[@]}" --name "worker-$1")
      if [ -n "$concurrency" ]; then args+=(--concurrency "$concurrency"); fi
      launch "worker-$1" "${args[@]}"
    }
    for ((i = 1; i <= workers; i++)); do launch_worker "$i"; done
    if [ -n "$publisher" ]; then launch publisher publish --watch "${common[@]}"; fi
    if [ -n "$serve" ]; then
      serve_host=${serve%:*}
      serve_port=${serve##*:}
      launch serve serve "${common[@]}" --host "${serve_host:-127.0.0.1}" --port "$serve_port"
    fi
    wait_ready
    trap - INT TERM
    print_status
    ;;
  status)
    [ -f "$processes" ] || { echo "cluster: not running (no $processes)"; exit 3; }
    print_status
    ;;
  stop)
    stop_all
    ;;
  *)
    usage
    ;;
esac
