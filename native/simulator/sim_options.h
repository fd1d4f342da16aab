// sim_options.h — command line of the host simulator.
#ifndef OAIR_SIM_OPTIONS_H
#define OAIR_SIM_OPTIONS_H
#include <cstdint>
#include <string>
#include <utility>
#include <vector>
namespace oair_sim {
struct ScriptLine {
  uint32_t at_ms = 0;
  std::string api;   // API name, or "hangup" / "dtmf"
  std::string args;  // arguments (after the uuid for channel APIs)
  bool raw = false;  // '<ms> api <name> <args>': args exactly as written, no uuid added
};
struct Options {
  std::string bundle_dir;
  std::string caller_wav, reply_wav, events_path, script_path, url, config_path, uuid, temp_dir;
  uint32_t rate = 8000;
  uint32_t ptime_ms = 20;
  uint32_t channels = 1;
  uint32_t tail_ms = 3000;
  uint32_t command_timeout_ms = 5000;
  uint32_t max_seconds = 600;
  uint32_t caller_offset_ms = 0;  // channel i hears the caller WAV from i × this (wrapping): calls not in lockstep
  uint32_t calls = 1;
  int64_t record_ms = -1;         // --record-ms: reply audio kept per call (-1 = all of it; long soak calls need none)             // calls per channel, one after another, each with its own uuid and the whole script
  uint32_t hangup_min_ms = 0, hangup_max_ms = 0;  // --hangup-at MIN[:MAX]: each call hangs up at a seeded random moment
  uint64_t seed = 1;              // --seed: the random hangup moments
  double speed = 1.0;
  bool test_hooks = false;
  bool verbose_events = false;
  std::string final_command;  // --final-command "<api> <args>": run once every call has ended (leak checks)  // events carry variable_* headers, scrubbed as FreeSWITCH's glue does (event_scrub.h)
  std::vector<std::pair<std::string, std::string>> vars;
  std::vector<std::string> node_options;
  std::vector<ScriptLine> script;  // parsed from script_path, or the default start line
};
// Parses argv; returns false with a message in err (usage printed by the caller).
bool parse_options(int argc, char** argv, Options& o, std::string& err);
bool load_script(Options& o, std::string& err);
const char* usage_text();
}  // namespace oair_sim
#endif
