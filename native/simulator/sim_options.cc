#include "sim_options.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace oair_sim {

const char* usage_text() {
  return "usage: oair-sim --bundle <dir> --caller <in.wav> --reply <out.wav> --events <out.jsonl>\n"
         "               [--rate 8000] [--ptime 20] [--script <file>] [--url <ws-url>] [--var NAME=VALUE ...]\n"
         "               [--channels N] [--speed X] [--tail-ms 3000] [--uuid U] [--config <file.json>]\n"
         "               [--command-timeout-ms 5000] [--max-seconds 600] [--node-option OPT ...] [--enable-test-hooks]\n"
         "               [--temp-dir <dir>]  (the host's temp directory, as FreeSWITCH reports its temp_dir: debug WAVs go there)\n"
         "               [--caller-offset-ms 0]  (channel i starts i x this far into the caller WAV, wrapping)\n"
         "               [--calls N]  (calls per channel, one after another: each a new uuid running the whole script)\n"
         "               [--record-ms N]  (reply audio kept per call; default all of it)\n"
         "               [--final-command '<api> <args>']  (run once every call has ended and its hooks are gone)\n"
         "               [--verbose-events]  (events carry the channel variables as variable_* headers, scrubbed as FreeSWITCH's glue does)\n"
         "               [--hangup-at MIN[:MAX] [--seed S]]  (each call hangs up at a random moment in MIN..MAX ms)\n"
         "Script lines: '<ms> <args after the uuid>' (uuid_openai_audio_stream), '<ms> <api> <args>' for\n"
         "uuid_raw_audio_stream | uuid_openai_s2s (uuid added) or openai_realtime (no uuid), '<ms> hangup',\n"
         "'<ms> dtmf <digits>', '<ms> api <name> <args>' (any API, args as written: no uuid added).\n"
         "Times are from the start of each call. ${uuid} and ${url} are substituted.\n";
}

static bool parse_uint(const char* s, uint32_t& out) {
  char* end = nullptr;
  unsigned long v = std::strtoul(s, &end, 10);
  if (!s[0] || *end || v > 0xFFFFFFFFul) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool parse_options(int argc, char** argv, Options& o, std::string& err) {
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&](const char* name) -> const char* {
      if (i + 1 >= argc) {
        err = std::string(name) + " needs a value";
        return nullptr;
      }
      return argv[++i];
    };
    const char* v = nullptr;
    if (a == "--enable-test-hooks") {
      o.test_hooks = true;
      continue;
    }
    if (a == "--verbose-events") {
      o.verbose_events = true;
      continue;
    }
    if (!(v = next(a.c_str()))) return false;
    if (a == "--bundle") o.bundle_dir = v;
    else if (a == "--caller") o.caller_wav = v;
    else if (a == "--reply") o.reply_wav = v;
    else if (a == "--events") o.events_path = v;
    else if (a == "--script") o.script_path = v;
    else if (a == "--url") o.url = v;
    else if (a == "--config") o.config_path = v;
    else if (a == "--temp-dir") o.temp_dir = v;
    else if (a == "--uuid") o.uuid = v;
    else if (a == "--node-option") o.node_options.push_back(v);
    else if (a == "--final-command") o.final_command = v;
    else if (a == "--hangup-at") {
      const char* colon = std::strchr(v, ':');
      std::string lo = colon ? std::string(v, colon) : std::string(v);
      if (!parse_uint(lo.c_str(), o.hangup_min_ms) || !parse_uint(colon ? colon + 1 : lo.c_str(), o.hangup_max_ms) ||
          o.hangup_max_ms < o.hangup_min_ms || o.hangup_min_ms == 0) {
        err = "--hangup-at wants MIN[:MAX] in ms, 0 < MIN <= MAX";
        return false;
      }
    } else if (a == "--seed") {
      char* end = nullptr;
      o.seed = std::strtoull(v, &end, 10);
      if (!v[0] || *end) {
        err = "--seed wants a number";
        return false;
      }
    }
    else if (a == "--var") {
      const char* eq = std::strchr(v, '=');
      if (!eq || eq == v) {
        err = "--var wants NAME=VALUE";
        return false;
      }
      o.vars.emplace_back(std::string(v, eq), std::string(eq + 1));
    } else if (a == "--speed") {
      o.speed = std::atof(v);
      if (!(o.speed > 0 && o.speed <= 100)) {
        err = "--speed must be in (0, 100]";
        return false;
      }
    } else {
      uint32_t n = 0;
      if (!parse_uint(v, n)) {
        err = a + " wants a number";
        return false;
      }
      if (a == "--rate") o.rate = n;
      else if (a == "--ptime") o.ptime_ms = n;
      else if (a == "--channels") o.channels = n;
      else if (a == "--tail-ms") o.tail_ms = n;
      else if (a == "--command-timeout-ms") o.command_timeout_ms = n;
      else if (a == "--max-seconds") o.max_seconds = n;
      else if (a == "--caller-offset-ms") o.caller_offset_ms = n;
      else if (a == "--calls") o.calls = n;
      else if (a == "--record-ms") o.record_ms = n;
      else {
        err = "unknown option " + a;
        return false;
      }
    }
  }
  if (o.bundle_dir.empty() || o.caller_wav.empty() || o.reply_wav.empty() || o.events_path.empty()) {
    err = "--bundle, --caller, --reply and --events are required";
    return false;
  }
  if (o.rate != 8000 && o.rate != 16000 && o.rate != 24000 && o.rate != 32000 && o.rate != 48000) {
    err = "--rate must be 8000, 16000, 24000, 32000 or 48000";
    return false;
  }
  if (o.ptime_ms < 10 || o.ptime_ms > 60 || o.ptime_ms % 10 != 0) {
    err = "--ptime must be 10, 20, 30, 40, 50 or 60";
    return false;
  }
  if (o.channels < 1 || o.channels > 2000) {
    err = "--channels must be 1..2000";
    return false;
  }
  if (o.calls < 1 || o.calls > 100000 || static_cast<uint64_t>(o.calls) * o.channels > 1000000) {
    err = "--calls must be 1..100000, and channels x calls at most 1000000";
    return false;
  }
  return true;
}

bool load_script(Options& o, std::string& err) {
  o.script.clear();
  if (o.script_path.empty()) {
    // Default call: start streaming at 0 ms; the call hangs up when the caller WAV ends plus the tail.
    o.script.push_back(ScriptLine{0, "uuid_openai_audio_stream", "start ${url} mono"});
    return true;
  }
  std::ifstream f(o.script_path);
  if (!f) {
    err = "cannot open script " + o.script_path;
    return false;
  }
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    n++;
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string::npos || line[start] == '#') continue;
    std::istringstream in(line.substr(start));
    std::string ms, first;
    in >> ms >> first;
    uint32_t at = 0;
    if (!parse_uint(ms.c_str(), at) || first.empty()) {
      err = o.script_path + ":" + std::to_string(n) + ": expected '<ms> <command>'";
      return false;
    }
    std::string rest;
    std::getline(in, rest);
    size_t r = rest.find_first_not_of(" \t");
    rest = r == std::string::npos ? "" : rest.substr(r);
    while (!rest.empty() && (rest.back() == '\r' || rest.back() == ' ')) rest.pop_back();
    ScriptLine sl;
    sl.at_ms = at;
    if (first == "api") {
      // '<ms> api <name> <args>': any API name (also unknown ones), arguments exactly as written.
      size_t sp = rest.find(' ');
      sl.api = rest.substr(0, sp);
      sl.args = sp == std::string::npos ? "" : rest.substr(sp + 1);
      sl.raw = true;
      if (sl.api.empty()) {
        err = o.script_path + ":" + std::to_string(n) + ": expected '<ms> api <name> <args>'";
        return false;
      }
    } else if (first == "hangup" || first == "dtmf" || first == "uuid_openai_audio_stream" || first == "uuid_raw_audio_stream" ||
        first == "uuid_openai_s2s" || first == "openai_realtime") {
      sl.api = first;
      sl.args = rest;
    } else {
      sl.api = "uuid_openai_audio_stream";
      sl.args = rest.empty() ? first : first + " " + rest;
    }
    o.script.push_back(sl);
  }
  return true;
}

}  // namespace oair_sim
