#!/usr/bin/env bash
# scripts/check-deb-in-freeswitch.sh <package.deb> — the package really works in FreeSWITCH: install
# it with dpkg, start a private FreeSWITCH instance (its own conf/log/db/run directories, event
# socket on 127.0.0.1:41917) with /usr/share/nodejs hidden in its mount namespace (so only the
# package's private libnode files can serve), load the module from the package's path, stream a
# loopback call to the realtime simulator, then stop everything and `dpkg -r` / `dpkg -P`.
# Run as root on a machine with a FreeSWITCH build (FS_PREFIX, default /usr/local/freeswitch) and
# this checkout built (npm run build:ts). Leaves nothing behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:?usage: check-deb-in-freeswitch.sh <package.deb>}
fs=${FS_PREFIX:-/usr/local/freeswitch}
work=$(mktemp -d /tmp/oair-deb-check.XXXXXX)
port=41917
fsc() { "$fs/bin/fs_cli" -H 127.0.0.1 -P $port -p oair-check -x "$1"; }
name=$(dpkg-deb -f "$deb" Package)
modpath=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\.||' | grep '/mod_openai_realtime\.so$')
conf=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\.||' | grep 'autoload_configs/openai_realtime\.conf\.xml$')
fs_pid=; sim_pid=
cleanup() {
  [ -n "$fs_pid" ] && kill "$fs_pid" 2>/dev/null || true
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null || true
  dpkg -P "$name" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== dpkg -i $deb"
# A FreeSWITCH built from source is not the libfreeswitch1 package the SignalWire layout depends on.
dpkg -i --force-depends "$deb" | tail -1
mkdir -p "$work"/{conf/autoload_configs,log,db,run,temp,storage,cache,certs,recordings}
cp "$conf" "$work/conf/autoload_configs/"
cat > "$work/conf/freeswitch.xml" <<XML
<?xml version="1.0"?>
<document type="freeswitch/xml">
  <section name="configuration" description="">
    <configuration name="switch.conf" description=""><settings><param name="loglevel" value="info"/></settings></configuration>
    <configuration name="modules.conf" description=""><modules>
      <load module="mod_console"/><load module="mod_logfile"/><load module="mod_event_socket"/><load module="mod_commands"/>
      <load module="mod_dptools"/><load module="mod_dialplan_xml"/><load module="mod_loopback"/><load module="mod_tone_stream"/>
    </modules></configuration>
    <configuration name="console.conf" description=""><mappings><map name="all" value="console,err,crit,alert"/></mappings><settings><param name="loglevel" value="err"/></settings></configuration>
    <configuration name="logfile.conf" description=""><profiles><profile name="default">
      <settings><param name="logfile" value="$work/log/freeswitch.log"/></settings>
      <mappings><map name="all" value="debug,info,notice,warning,err,crit,alert"/></mappings></profile></profiles></configuration>
    <configuration name="event_socket.conf" description=""><settings>
      <param name="listen-ip" value="127.0.0.1"/><param name="listen-port" value="$port"/><param name="password" value="oair-check"/>
    </settings></configuration>
  </section>
  <section name="dialplan" description=""><context name="default">
    <extension name="tone"><condition field="destination_number" expression="^tone$">
      <action application="answer"/><action application="playback" data="tone_stream://%(30000,0,440)"/>
    </condition></extension>
  </context></section>
</document>
XML
echo "== FreeSWITCH ($fs) with /usr/share/nodejs hidden"
d=$work
unshare --mount sh -c "mount -t tmpfs none /usr/share/nodejs 2>/dev/null || true; exec $fs/bin/freeswitch -nc -nf -nonat -nonatmap -nosql \
  -conf $d/conf -log $d/log -db $d/db -run $d/run -mod $fs/lib/freeswitch/mod -temp $d/temp -storage $d/storage -cache $d/cache \
  -certs $d/certs -recordings $d/recordings" >"$work/stdout.log" 2>&1 &
for _ in $(seq 1 60); do fsc status >/dev/null 2>&1 && break; sleep 0.5; done
fs_pid=$(pgrep -f -- "-conf $d/conf" | head -1)
echo "   /usr/share/nodejs as FreeSWITCH sees it: $(nsenter -t "$fs_pid" -m ls /usr/share/nodejs | wc -l) entries"
echo "== load $modpath"
fsc "load $modpath"
grep -o 'runtime ready on freeswitch.*' "$work/log/freeswitch.log" | head -1
grep libnode "/proc/$fs_pid/maps" | awk '{print "   libnode mapped from " $NF}' | head -1
echo "== a loopback call streamed to the realtime simulator"
node "$root/dist/cli/realtimeSim.js" --port 18765 --voice tone >"$work/sim.log" 2>&1 &
sim_pid=$!
sleep 1.5
uuid=$(fsc 'originate loopback/tone/default &park()' | sed -n 's/^+OK //p')
fsc "uuid_openai_audio_stream $uuid start ws://127.0.0.1:18765/v1/realtime?model=gpt-realtime mono"
sleep 4
fsc 'openai_realtime status' | sed -n '1,2p;/audio_stream  /p'
fsc "uuid_kill $uuid" >/dev/null
sleep 1
grep '\[sim\]' "$work/sim.log" | sed 's/^/   /'
fsc 'unload mod_openai_realtime'
fsc 'fsctl shutdown' >/dev/null || true
for _ in $(seq 1 30); do kill -0 "$fs_pid" 2>/dev/null || break; sleep 0.5; done
fs_pid=
echo "== dpkg -r / dpkg -P"
dpkg -r "$name" | tail -1
echo "   left after remove: $(ls -d "$modpath" 2>/dev/null || echo nothing of the module); config: $([ -e "$conf" ] && echo "kept, $conf" || echo gone)"
dpkg -P "$name" | tail -1
[ ! -e "$conf" ] && echo "   purge removed $conf"
