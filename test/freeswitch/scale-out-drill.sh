#!/usr/bin/env bash
# test/freeswitch/scale-out-drill.sh — the scale-out runbook of docs/scale-out.md, run for real on
# loopback: Kamailio's dispatcher (OPTIONS probing) in front of two private FreeSWITCH nodes with this
# checkout's module, calls from sipp, then node A drained while calls go on. Run by hand, never in CI.
#
# Needs: kamailio + kamcmd (Debian: apt-get install kamailio), sipp (apt-get install sip-tester),
# FreeSWITCH found by pkg-config with mod_sofia, this checkout built (build-native/, dist/).
# Ports (all 127.0.0.1): Kamailio 5060, node A SIP 5070 / ESL 18031, node B SIP 5072 / ESL 18032,
# simulator 18765, sipp 5094/5096; RTP 21000-21999 (A), 22000-22999 (B).
#
# Usage: test/freeswitch/scale-out-drill.sh [--keep]   (exit 0 = every check passed)
# Environment: PAUSE_GAP (seconds between `fsctl pause inbound` and disabling A in the dispatcher,
# default 3), CALLS1 (phase 1 calls, default 20), CALLS2 (phase 2, default 40), HOLD_MS (call length,
# default 8000), DEBUG_HOLD=S (pause S seconds before the calls, to poke at the running nodes).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
keep=${1:-}
CALLS1=${CALLS1:-20} CALLS2=${CALLS2:-40} HOLD_MS=${HOLD_MS:-8000}
SIM_PORT=18765 ESL_A=18031 ESL_B=18032 SIP_A=5070 SIP_B=5072
for tool in kamailio kamcmd sipp pkg-config; do
  command -v $tool >/dev/null || { echo "SKIP: $tool not installed"; exit 0; }
done
pkg-config --exists freeswitch || { echo "SKIP: FreeSWITCH not found by pkg-config (PKG_CONFIG_PATH)"; exit 0; }
fs_prefix=$(pkg-config --variable=prefix freeswitch)
fs_bin=$fs_prefix/bin/freeswitch fs_cli=$fs_prefix/bin/fs_cli moddir=$(pkg-config --variable=modulesdir freeswitch)
[ -f "$root/build-native/mod_openai_realtime.so" ] && [ -f "$root/dist/cli/realtimeSim.js" ] ||
  { echo "FAIL: build first (scripts/build-native.sh, npm run build:ts)"; exit 1; }
for p in 5060 $SIP_A $SIP_B 5094 5096; do
  ss -Hlun "sport = :$p" | grep -q . && { echo "FAIL: UDP port $p is in use"; exit 1; }
done
for p in $SIM_PORT $ESL_A $ESL_B; do
  ss -Hltn "sport = :$p" | grep -q . && { echo "FAIL: TCP port $p is in use"; exit 1; }
done

T=$(mktemp -d /tmp/oair-scale-out-XXXXXX)
t0=$(date +%s.%N)
say() { printf '%7.1fs  %s\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$*"; }
fails=0
check() { if [ "$1" = 0 ]; then say "PASS  $2"; else say "FAIL  $2"; fails=$((fails + 1)); fi; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  if [ "$keep" = --keep ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
fsx() { "$fs_cli" -H 127.0.0.1 -P "$1" -p ClueCon -x "$2"; }
calls_in() { fsx "$1" 'sofia status profile ai' | awk '/^CALLS-IN/ {print $2}'; }
sessions() { fsx "$1" 'openai_realtime status json' | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).totals.sessions)}catch{console.log("?")}})'; }

# 1. The realtime simulator (stands in for OpenAI; one for both nodes).
node "$root/dist/cli/realtimeSim.js" --port $SIM_PORT > "$T/sim.log" 2>&1 & pids+=($!)
url="ws://127.0.0.1:$SIM_PORT/v1/realtime?model=gpt-realtime"

# 2. Two FreeSWITCH nodes from docs/scale-out/freeswitch-node.xml.
start_node() { # name sip esl rtp_start
  local d=$T/fs-$1
  mkdir -p "$d"/{conf,log,db,run,mod,temp,storage,cache,certs,recordings}
  for f in "$moddir"/*.so; do [ "$(basename "$f")" = mod_openai_realtime.so ] || ln -s "$f" "$d/mod/"; done
  ln -s "$root/build-native/mod_openai_realtime.so" "$d/mod/mod_openai_realtime.so"
  sed -e "s|@NODE@|$1|g; s|@SIP_PORT@|$2|g; s|@ESL_PORT@|$3|g; s|@RTP_START@|$4|g; s|@RTP_END@|$(($4 + 999))|g" \
      -e "s|@LOG_DIR@|$d/log|g; s|@BUNDLE_DIR@|$root|g; s|@REALTIME_URL@|$url|g" \
      "$root/docs/scale-out/freeswitch-node.xml" > "$d/conf/freeswitch.xml"
  (cd "$d" && exec "$fs_bin" -nc -nf -nonat -nonatmap -conf "$d/conf" -log "$d/log" -db "$d/db" -run "$d/run" \
    -mod "$d/mod" -temp "$d/temp" -storage "$d/storage" -cache "$d/cache" -certs "$d/certs" \
    -recordings "$d/recordings" > "$d/stdout.log" 2>&1) &
  pids+=($!)
  eval "pid_$1=$!"
}
start_node a $SIP_A $ESL_A 21000
start_node b $SIP_B $ESL_B 22000
for esl in $ESL_A $ESL_B; do
  for _ in $(seq 60); do fsx $esl 'sofia status profile ai' 2>/dev/null | grep -q '^CALLS-IN' && break; sleep 1; done
done
check "$(fsx $ESL_A 'module_exists mod_openai_realtime' | grep -q true; echo $?)" "node A up, module loaded"
check "$(fsx $ESL_B 'module_exists mod_openai_realtime' | grep -q true; echo $?)" "node B up, module loaded"

# 3. Kamailio with the dispatcher (docs/scale-out/kamailio.cfg, dispatcher.list).
mkdir -p "$T/kam"
sed "s|docs/scale-out/dispatcher.list|$root/docs/scale-out/dispatcher.list|" "$root/docs/scale-out/kamailio.cfg" > "$T/kam/kamailio.cfg"
kamailio -f "$T/kam/kamailio.cfg" -DD -E -Y "$T/kam" > "$T/kam/kamailio.log" 2>&1 & pids+=($!)
kam() { kamcmd -s unix:/tmp/oair-kamailio-ctl "$@"; }
for _ in $(seq 30); do [ "$(kam dispatcher.list 2>/dev/null | grep -c 'FLAGS: AP')" = 2 ] && break; sleep 1; done
kam dispatcher.list | grep -E 'URI|FLAGS' | sed 's/^/            /'
check "$([ "$(kam dispatcher.list | grep -c 'FLAGS: AP')" = 2 ]; echo $?)" "both nodes active in the dispatcher (OPTIONS probing)"

sipp_run() { # name calls rate port
  sipp 127.0.0.1:5060 -sf "$root/docs/scale-out/uac.xml" -s ai -i 127.0.0.1 -p "$4" -mp $(($4 + 10000)) \
    -m "$2" -r "$3" -d "$HOLD_MS" -nostdin -bg -trace_stat -stf "$T/$1.csv" -fd 1 \
    -trace_screen -screen_file "$T/$1.screen" -trace_err -error_file "$T/$1.errors" -trace_msg -message_file "$T/$1.msg" > /dev/null 2>&1
}
sipp_wait() { # name -> prints "successful failed"
  while pgrep -f "sipp .*$T/$1.csv" >/dev/null; do sleep 1; done
  awk -F';' 'NR==1 {for (i=1;i<=NF;i++) h[$i]=i} END {print $h["SuccessfulCall(C)"], $h["FailedCall(C)"]}' "$T/$1.csv"
}

[ -n "${DEBUG_HOLD:-}" ] && { say "holding $DEBUG_HOLD s ($T)"; sleep "$DEBUG_HOLD"; }
# 4. Phase 1: calls spread over both nodes.
a0=$(calls_in $ESL_A) b0=$(calls_in $ESL_B)
sipp_run phase1 "$CALLS1" 4 5094
sleep $((HOLD_MS / 2000 + 3))
say "phase 1 mid-call: sessions A=$(sessions $ESL_A) B=$(sessions $ESL_B)"
read -r ok1 failed1 < <(sipp_wait phase1)
a1=$(calls_in $ESL_A) b1=$(calls_in $ESL_B)
say "phase 1: placed $CALLS1, successful $ok1, failed $failed1; answered by A $((a1 - a0)), by B $((b1 - b0))"
check "$([ "$failed1" = 0 ] && [ "$ok1" = "$CALLS1" ] && [ $((a1 - a0)) -gt 0 ] && [ $((b1 - b0)) -gt 0 ]; echo $?)" "phase 1: all calls answered, both nodes took calls"

# 5. Phase 2: calls keep coming (2/s); after 5 s node A is drained.
sipp_run phase2 "$CALLS2" 2 5096
sleep 5
say "drain A: sessions A=$(sessions $ESL_A) B=$(sessions $ESL_B)"
a_drain=$(calls_in $ESL_A) b_drain=$(calls_in $ESL_B)
fsx $ESL_A 'fsctl pause inbound' | sed 's/^/            /'
# A few seconds between the two steps: INVITEs sent to the paused A meanwhile get 503 and fail over.
sleep "${PAUSE_GAP:-3}"
kam dispatcher.set_state d 1 sip:127.0.0.1:$SIP_A
drain_t=$(date +%s)
while :; do
  n=$(sessions $ESL_A)
  [ "$n" = 0 ] && break
  [ $(($(date +%s) - drain_t)) -gt $((HOLD_MS / 1000 + 30)) ] && break
  sleep 1
done
say "A has $n sessions after $(($(date +%s) - drain_t)) s; calls on A since the drain: $(($(calls_in $ESL_A) - a_drain))"
check "$([ "$n" = 0 ]; echo $?)" "drain: A's sessions reached 0"
check "$([ "$(calls_in $ESL_A)" = "$a_drain" ]; echo $?)" "drain: no new call reached A"
a2=$(calls_in $ESL_A)
fsx $ESL_A 'fsctl shutdown elegant' | sed 's/^/            /'
for _ in $(seq 30); do kill -0 "$pid_a" 2>/dev/null || break; sleep 1; done
wait "$pid_a"; a_exit=$?
check "$a_exit" "node A stopped (fsctl shutdown elegant, exit $a_exit)"
read -r ok2 failed2 < <(sipp_wait phase2)
b2=$(calls_in $ESL_B)
say "phase 2: placed $CALLS2, successful $ok2, failed $failed2; answered by A $((a2 - a1)) (all before the drain), by B $((b2 - b1)) ($((b2 - b_drain)) after the drain began)"
check "$([ "$failed2" = 0 ] && [ "$ok2" = "$CALLS2" ]; echo $?)" "phase 2: nothing dropped while A drained"
say "INVITEs refused by the paused A and given to B by the failure route: $(grep -c 'failover ->' "$T/kam/kamailio.log")"
kam dispatcher.list | grep -E 'URI|FLAGS' | sed 's/^/            /'
fsx $ESL_B 'fsctl shutdown elegant' > /dev/null
for _ in $(seq 15); do kill -0 "$pid_b" 2>/dev/null || break; sleep 1; done
echo "$([ $fails = 0 ] && echo PASS || echo "FAIL ($fails)")  scale-out drill"
exit $((fails > 0))
