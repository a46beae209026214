#!/usr/bin/env bash
# A throwaway single-node Ceph with radosgw on loopback, for cairn's S3 tests and benchmarks.
#   scripts/s3-server.sh start   start mon, OSD (memstore) and radosgw; create the S3 user; print the env
#   scripts/s3-server.sh env     print the export lines for a running server
#   scripts/s3-server.sh stop    stop exactly the processes `start` started (by pid) and remove the state
# State (config, data, pids, logs) lives in $CAIRN_S3_STATE (default /tmp/cairn-s3). Data is in memory
# (memstore): nothing survives `stop`. Needs: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd
set -euo pipefail

STATE=${CAIRN_S3_STATE:-/tmp/cairn-s3}
CONF="$STATE/ceph.conf"
ACCESS_KEY=${CAIRN_S3_ACCESS_KEY:-cairntestaccesskey}
SECRET_KEY=${CAIRN_S3_SECRET_KEY:-cairntestsecretkey0000000000000000000000}
BUCKET=${CAIRN_S3_BUCKET:-cairn-test}

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# A pid is ours only while it still runs a daemon on this state's config (a recycled pid is not killed).
alive() {
  [ -f "$STATE/pids/$1" ] || return 1
  local pid cmd
  pid=$(cat "$STATE/pids/$1")
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *"-c $CONF "* ]]
}

# Remove the state dir, but only if it is one (never a directory someone pointed CAIRN_S3_STATE at by mistake).
remove_state() {
  [ -d "$STATE" ] || return 0
  if [ -n "$(ls -A "$STATE")" ] && [ ! -f "$CONF" ] && [ ! -d "$STATE/pids" ]; then
    die "$STATE is not empty and is not an s3-server state dir; not touching it"
  fi
  rm -rf "${STATE:?}"
}

# Run a daemon in the foreground of a background job, in its own session, and record its pid.
launch() {
  local name=$1
  shift
  setsid "$@" -f >>"$STATE/log/$name.out" 2>&1 </dev/null &
  echo $! >"$STATE/pids/$name"
}

ceph_cmd() { timeout 30 ceph -c "$CONF" --connect-timeout 10 "$@"; }

write_conf() {
  local fsid=$1 mon_port=$2 rgw_port=$3
  cat >"$CONF" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
auth cluster required = none
auth service required = none
auth client required = none
auth supported = none
ms bind msgr1 = false
ms bind ipv6 = false
public addr = 127.0.0.1
run dir = $STATE/run
admin socket = $STATE/run/\$name.asok
log file = $STATE/log/\$name.log
pid file = $STATE/run/\$name.pid
keyring = $STATE/keyring
osd objectstore = memstore
memstore device bytes = 2147483648
osd data = $STATE/osd/\$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
mon data = $STATE/mon/\$id
# One mon, nothing to batch: propose map changes at once (radosgw creates its pools one after another).
paxos propose interval = 0.05
paxos min wait = 0.01
mon data avail crit = 1
mon data avail warn = 2
osd heartbeat grace = 60
[client.rgw.a]
# radosgw defaults to secure mode towards the mon, which auth "none" cannot provide.
ms mon client mode = crc
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $STATE/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
EOF
  echo "$rgw_port" >"$STATE/rgw-port"
}

start_osd() {
  local uuid id dump
  uuid=$(uuidgen)
  id=$(ceph_cmd osd new "$uuid")
  mkdir -p "$STATE/osd/$id"
  # Right after the mon comes up the OSD can fail its first start ("wrong fsid"): retry from mkfs.
  for attempt in 1 2 3 4 5; do
    rm -rf "${STATE:?}/osd/$id" && mkdir -p "$STATE/osd/$id"
    if ceph-osd -c "$CONF" -i "$id" --mkfs --osd-uuid "$uuid" >>"$STATE/log/osd-mkfs.out" 2>&1; then
      launch osd ceph-osd -c "$CONF" -i "$id"
      for _ in $(seq 1 100); do
        alive osd || break
        dump=$(ceph_cmd osd dump 2>/dev/null || true)
        if grep -q "^osd.$id up" <<<"$dump"; then return 0; fi
        sleep 0.2
      done
      alive osd && kill "$(cat "$STATE/pids/osd")" 2>/dev/null || true
    fi
    log "OSD start attempt $attempt failed; retrying"
    sleep 1
  done
  die "the OSD did not come up; see $STATE/log"
}

wait_http() {
  local port=$1
  for _ in $(seq 1 300); do
    alive rgw || die "radosgw exited; see $STATE/log/client.rgw.a.log and $STATE/log/rgw.out"
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then return 0; fi
    sleep 0.2
  done
  die "radosgw did not answer on 127.0.0.1:$port"
}

print_env() {
  alive rgw || die "no radosgw running from $STATE: run start first"
  cat <<EOF
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export CAIRN_S3_ENDPOINT=http://127.0.0.1:$(cat "$STATE/rgw-port")
export CAIRN_S3_REGION=us-east-1
export CAIRN_S3_PATH_STYLE=1
export CAIRN_S3_BUCKET=$BUCKET
EOF
}

start() {
  for bin in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph-authtool; do
    command -v "$bin" >/dev/null || die "$bin is missing: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd"
  done
  if alive rgw; then print_env; return 0; fi
  [ -d "$STATE/pids" ] && stop_all
  remove_state
  local t0 fsid mon_port rgw_port
  t0=$(date +%s.%N)
  trap 'log "start failed: stopping what it started (logs kept in $STATE/log)"; stop_all' EXIT
  mkdir -p "$STATE"/{pids,log,run,mon/a,osd,rgw}
  fsid=$(uuidgen)
  mon_port=$(free_port)
  rgw_port=$(free_port)
  write_conf "$fsid" "$mon_port" "$rgw_port"
  ceph-authtool --create-keyring "$STATE/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$STATE/monmap" >/dev/null
  ceph-mon -c "$CONF" --mkfs -i a --monmap "$STATE/monmap" --keyring "$STATE/keyring" >>"$STATE/log/mon-mkfs.out" 2>&1
  launch mon ceph-mon -c "$CONF" -i a
  for _ in $(seq 1 100); do
    alive mon || die "ceph-mon exited; see $STATE/log"
    ceph_cmd mon stat >/dev/null 2>&1 && break
    sleep 0.2
  done
  start_osd
  launch rgw radosgw -c "$CONF" -n client.rgw.a ${CAIRN_S3_DEBUG:+--debug-monc 20 --debug-auth 20 --debug-ms 1}
  wait_http "$rgw_port"
  timeout 60 radosgw-admin -c "$CONF" user create --uid cairn --display-name cairn \
    --access-key "$ACCESS_KEY" --secret "$SECRET_KEY" >>"$STATE/log/user.out" 2>&1 || die "radosgw-admin user create failed; see $STATE/log/user.out"
  trap - EXIT
  log "started in $(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}") s (state in $STATE)"
  print_env
}

stop_all() {
  local name pid
  for name in rgw osd mon; do
    [ -f "$STATE/pids/$name" ] || continue
    pid=$(cat "$STATE/pids/$name")
    if alive "$name"; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do alive "$name" || break; sleep 0.1; done
      alive "$name" && kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$STATE/pids/$name"
  done
}

case "${1:-}" in
  start) start ;;
  stop)
    stop_all
    remove_state
    ;;
  env) print_env ;;
  *)
    echo "usage: $0 start|stop|env   (state in \$CAIRN_S3_STATE, default /tmp/cairn-s3)" >&2
    exit 2
    ;;
esac
