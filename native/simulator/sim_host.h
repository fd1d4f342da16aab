// sim_host.h — simulated channels and the host operations of the host simulator.
//
// Each channel behaves like a FreeSWITCH session with our media bug: a media thread on its own
// ptime clock sends READ frames (the caller WAV) into the capture ring and takes WRITE_REPLACE frames
// out of the playback ring (what the caller hears, recorded sample-aligned with the caller WAV);
// an API thread runs the script's commands the way fs_cli or ESL would; hangup closes the hook.
//
// With --calls N a channel carries N calls one after another (a phone line taking call after call):
// each call has its own uuid, its own copy of the variables and runs the whole script from its
// start; a uuid of a call that has ended is "no such channel" from then on. Attach, detach, hangup
// and the end of a call take the channel's mutex, so a hook can never be attached to a call that is
// ending (the record would then never be closed).
#ifndef OAIR_SIM_HOST_H
#define OAIR_SIM_HOST_H

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../host.h"
#include "jsonl.h"
#include "sim_options.h"

namespace oair_sim {

struct SimChannel {
  int index = 0;
  std::vector<std::string> uuids;  // one per call, fixed before the runtime starts
  uint32_t frame = 160;       // samples per frame
  size_t total_samples = 0;   // call length: caller audio + tail
  size_t record_samples = 0;  // reply audio kept per call (--record-ms)
  std::vector<int16_t> reply; // what the caller hears, call after call; written by the media thread only
  std::atomic<oair_channel*> hook{nullptr};
  std::atomic<int> mix{OAIR_MIX_MONO};
  std::atomic<bool> detach_requested{false};
  std::atomic<bool> hangup_requested{false};
  std::atomic<bool> ended{false};       // every call is over
  // The call in progress: written under mu by the media thread at the start and end of a call.
  std::atomic<uint32_t> call{0};
  std::atomic<bool> call_live{false};
  std::atomic<uint32_t> calls_started{0};  // media thread → API thread: call k may run its script
  std::atomic<uint32_t> scripts_done{0};   // API thread → media thread: call k's script has run
  std::atomic<int64_t> call_start_ns{0};
  std::mutex mu;  // guards vars, hangup_cause and the call transitions (never held by the media thread while it runs frames)
  std::map<std::string, std::string> vars;
  std::string hangup_cause = "NORMAL_CLEARING";
  // Digits from the script (API thread → media thread), a tiny SPSC ring.
  std::atomic<uint32_t> dtmf_head{0}, dtmf_tail{0};
  char dtmf[64] = {};
  // Clock statistics.
  std::atomic<uint64_t> ticks{0}, late_ticks{0};
  std::atomic<uint64_t> max_late_us{0};
  // Bridge counters captured when the hook went away.
  uint64_t frames_in = 0, frames_out = 0, underruns = 0, server_gaps = 0, capture_overruns = 0;
  std::thread media_thread, api_thread;
};

class SimHost {
 public:
  SimHost(const Options& opts, const std::vector<int16_t>& caller);
  const oair_host_ops* ops() { return &ops_; }
  bool open_events(std::string& err);
  void start_calls();         // media + API threads of every channel
  bool wait_calls(uint32_t max_seconds);  // until every channel hung up
  void join_calls();
  bool write_replies(std::string& err);
  void summary();
  double now_ms() const;      // call time since start_calls (scaled by --speed)
  JsonlWriter& jsonl() { return jsonl_; }

 private:
  // The channel whose call in progress has this uuid (nullptr for unknown or ended calls). The caller
  // holds c->mu when it must act before the call can end.
  SimChannel* find(const char* uuid, uint32_t* call = nullptr);
  SimChannel* find_live(const char* uuid);
  void begin_call(SimChannel* c, uint32_t call, int64_t start_ns);
  void end_call(SimChannel* c, uint32_t call);
  uint32_t hangup_samples(const SimChannel* c, uint32_t call) const;
  void media_loop(SimChannel* c);
  void api_loop(SimChannel* c);
  void finish_hook(SimChannel* c);
  static void op_log(void* ctx, int level, const char* uuid, const char* msg);
  static int op_fire(void* ctx, const char* uuid, const char* subclass, const char* body, const char* const* headers);
  static char* op_get_var(void* ctx, const char* uuid, const char* name, int* status);
  static int op_attach(void* ctx, const oair_attach_request* req, oair_attach_result* res, oair_channel** out,
                       char* err, size_t err_len);
  static void op_detach(void* ctx, oair_channel* ch);
  static int op_control(void* ctx, const char* uuid, const char* action, const char* const* args, char* err,
                        size_t err_len);

  const Options& opts_;
  const std::vector<int16_t>& caller_;
  std::vector<std::unique_ptr<SimChannel>> channels_;
  struct CallRef {
    SimChannel* channel;
    uint32_t call;
  };
  std::map<std::string, CallRef> by_uuid_;  // fixed before the runtime starts: read without a lock
  oair_host_ops ops_;
  JsonlWriter jsonl_;
  int64_t t0_ns_ = 0;
  std::atomic<bool> abort_{false};  // --max-seconds ran out: no further calls
};

}  // namespace oair_sim

#endif
