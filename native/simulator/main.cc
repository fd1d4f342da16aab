// oair-sim — the host simulator: embeds the same runtime FreeSWITCH loads and drives simulated
// channels exactly as FreeSWITCH's media bug would. See sim_host.h and `oair-sim --help`.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "../bridge/bridge.h"
#include "../host.h"
#include "jsonl.h"
#include "sim_host.h"
#include "sim_options.h"
#include "wav_io.h"

using namespace oair_sim;

int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::fputs(usage_text(), stdout);
      return 0;
    }
  }
  Options opts;
  std::string err;
  if (!parse_options(argc, argv, opts, err) || !load_script(opts, err)) {
    std::fprintf(stderr, "oair-sim: %s\n%s", err.c_str(), usage_text());
    return 2;
  }
  Wav caller;
  if (!read_wav(opts.caller_wav, caller, err)) {
    std::fprintf(stderr, "oair-sim: %s\n", err.c_str());
    return 2;
  }
  if (caller.sample_rate != opts.rate) {
    std::fprintf(stderr, "oair-sim: %s is %u Hz but the channel is %u Hz (npm run call converts it for you)\n",
                 opts.caller_wav.c_str(), caller.sample_rate, opts.rate);
    return 2;
  }
  std::vector<int16_t> mono;
  mono.reserve(caller.samples.size() / caller.channels);
  for (size_t i = 0; i < caller.samples.size(); i += caller.channels) mono.push_back(caller.samples[i]);

  SimHost host(opts, mono);
  if (!host.open_events(err)) {
    std::fprintf(stderr, "oair-sim: %s\n", err.c_str());
    return 2;
  }
  std::string config = "{\"host\":\"simulator\",\"testHooks\":";
  config += opts.test_hooks ? "true" : "false";
  config += ",\"configFile\":" + (opts.config_path.empty() ? std::string("null") : json_escape(opts.config_path));
  config += ",\"commandTimeoutMs\":" + std::to_string(opts.command_timeout_ms);
  // FreeSWITCH reports its temp_dir the same way (the debug WAVs go there).
  if (!opts.temp_dir.empty()) config += ",\"tempDir\":" + json_escape(opts.temp_dir);
  config += "}";
  std::vector<const char*> node_opts;
  for (const std::string& o : opts.node_options) node_opts.push_back(o.c_str());
  node_opts.push_back(nullptr);
  oair_runtime_config rc{};
  rc.bundle_dir = opts.bundle_dir.c_str();
  rc.host_name = "simulator";
  rc.config_json = config.c_str();
  rc.node_options = node_opts.data();
  rc.start_timeout_ms = 15000;
  rc.restart_delay_ms = 500;
  char rerr[256] = "";
  if (oair_runtime_start(&rc, host.ops(), rerr, sizeof rerr) != 0) {
    std::fprintf(stderr, "oair-sim: runtime did not start: %s\n", rerr);
    host.jsonl().write(0, "error", {{"message", json_escape(std::string("runtime did not start: ") + rerr)}});
    host.jsonl().close();
    return 1;
  }
  host.start_calls();
  bool finished = host.wait_calls(opts.max_seconds);
  host.join_calls();
  // Give JS a moment to finish the sessions (close frames, last events) and release its records.
  for (int i = 0; i < 300 && oair::live_channels() > 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!opts.final_command.empty()) {
    // What the runtime still holds after every call ended (soak leak checks: sessions, hooks).
    size_t sp = opts.final_command.find(' ');
    std::string api = opts.final_command.substr(0, sp);
    std::string args = sp == std::string::npos ? "" : opts.final_command.substr(sp + 1);
    char* reply = oair_runtime_command(api.c_str(), args.c_str(), opts.command_timeout_ms);
    host.jsonl().write(host.now_ms(), "final", {{"api", json_escape(api)}, {"args", json_escape(args)},
                                               {"reply", json_escape(reply ? reply : "")}});
    std::free(reply);
  }
  oair_runtime_stop(5000);
  host.summary();
  host.jsonl().close();
  if (!host.write_replies(err)) {
    std::fprintf(stderr, "oair-sim: %s\n", err.c_str());
    return 1;
  }
  if (!finished) {
    std::fprintf(stderr, "oair-sim: the call did not end within --max-seconds\n");
    return 1;
  }
  return 0;
}
