#include "sim_host.h"

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>

#include "../bridge/bridge.h"
#include "event_scrub.h"
#include "wav_io.h"

namespace oair_sim {

static int64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

static void sleep_until_ns(int64_t t) {
  timespec ts;
  ts.tv_sec = static_cast<time_t>(t / 1000000000LL);
  ts.tv_nsec = static_cast<long>(t % 1000000000LL);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {
  }
}

static std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

// splitmix64: a seeded, well-mixed random number per (seed, channel, call), so a soak is repeatable.
static uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

SimHost::SimHost(const Options& opts, const std::vector<int16_t>& caller) : opts_(opts), caller_(caller) {
  ops_ = oair_host_ops{this, op_log, op_fire, op_get_var, op_attach, op_detach, op_control};
  uint32_t frame = opts.rate * opts.ptime_ms / 1000;
  size_t tail = static_cast<size_t>(opts.tail_ms) * opts.rate / 1000;
  size_t total = caller.size() + tail;
  total = (total + frame - 1) / frame * frame;
  for (uint32_t i = 0; i < opts.channels; i++) {
    auto c = std::make_unique<SimChannel>();
    c->index = static_cast<int>(i);
    for (uint32_t k = 0; k < opts.calls; k++) {
      if (!opts.uuid.empty() && opts.channels == 1 && opts.calls == 1) {
        c->uuids.push_back(opts.uuid);
      } else {
        // Call 0 keeps the single-call form; later calls count up in the first group.
        char buf[64];
        std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012u", k, i + 1);
        c->uuids.push_back(buf);
      }
      by_uuid_[c->uuids.back()] = CallRef{c.get(), k};
    }
    c->frame = frame;
    c->total_samples = total;
    c->record_samples = opts.record_ms < 0 ? total : std::min<size_t>(total, (static_cast<size_t>(opts.record_ms) * opts.rate / 1000 + frame - 1) / frame * frame);
    c->reply.assign(c->record_samples * opts.calls, 0);
    channels_.push_back(std::move(c));
  }
}

bool SimHost::open_events(std::string& err) {
  if (!jsonl_.open(opts_.events_path)) {
    err = "cannot write " + opts_.events_path;
    return false;
  }
  return true;
}

double SimHost::now_ms() const {
  if (!t0_ns_) return 0;
  return static_cast<double>(mono_ns() - t0_ns_) / 1e6 * opts_.speed;
}

SimChannel* SimHost::find(const char* uuid, uint32_t* call) {
  if (!uuid) return nullptr;
  auto it = by_uuid_.find(uuid);
  if (it == by_uuid_.end()) return nullptr;
  if (call) *call = it->second.call;
  return it->second.channel;
}

SimChannel* SimHost::find_live(const char* uuid) {
  uint32_t call = 0;
  SimChannel* c = find(uuid, &call);
  return c && c->call_live.load() && c->call.load() == call ? c : nullptr;
}

uint32_t SimHost::hangup_samples(const SimChannel* c, uint32_t call) const {
  if (opts_.hangup_max_ms == 0) return static_cast<uint32_t>(c->total_samples);
  uint64_t r = mix64(opts_.seed ^ (static_cast<uint64_t>(c->index) << 32) ^ call);
  uint64_t ms = opts_.hangup_min_ms + r % (static_cast<uint64_t>(opts_.hangup_max_ms - opts_.hangup_min_ms) + 1);
  uint64_t samples = ms * opts_.rate / 1000;
  return static_cast<uint32_t>(std::min<uint64_t>(samples, c->total_samples));
}

void SimHost::begin_call(SimChannel* c, uint32_t call, int64_t start_ns) {
  std::lock_guard<std::mutex> lock(c->mu);
  c->vars.clear();
  for (const auto& kv : opts_.vars) c->vars[kv.first] = kv.second;
  c->vars["uuid"] = c->uuids[call];
  c->vars["read_rate"] = std::to_string(opts_.rate);
  c->hangup_cause = "NORMAL_CLEARING";
  c->hangup_requested.store(false);
  c->detach_requested.store(false);
  c->call.store(call);
  c->call_start_ns.store(start_ns);
  c->call_live.store(true);
  c->calls_started.store(call + 1);
}

void SimHost::end_call(SimChannel* c, uint32_t call) {
  {
    // From here no attach can succeed on this call: op_attach checks call_live under the same lock.
    std::lock_guard<std::mutex> lock(c->mu);
    c->call_live.store(false);
  }
  finish_hook(c);
  std::string cause;
  {
    std::lock_guard<std::mutex> lock(c->mu);
    cause = c->hangup_cause;
  }
  jsonl_.write(now_ms(), "channel",
               {{"uuid", json_escape(c->uuids[call])}, {"state", "\"hangup\""}, {"cause", json_escape(cause)},
                {"call", std::to_string(call)}});
}

// ------------------------------------------------------------------ host operations (Node thread)

void SimHost::op_log(void* ctx, int level, const char* uuid, const char* msg) {
  auto* h = static_cast<SimHost*>(ctx);
  h->jsonl_.write(h->now_ms(), "log",
                  {{"level", std::to_string(level)}, {"uuid", uuid ? json_escape(uuid) : "null"}, {"message", json_escape(msg)}});
  if (level <= OAIR_LOG_WARNING) std::fprintf(stderr, "[%s] %s%s%s\n", level <= OAIR_LOG_ERROR ? "ERR" : "WARN",
                                              uuid ? uuid : "", uuid ? " " : "", msg);
}

int SimHost::op_fire(void* ctx, const char* uuid, const char* subclass, const char* body, const char* const* headers) {
  auto* h = static_cast<SimHost*>(ctx);
  uint32_t call = 0;
  SimChannel* c = h->find(uuid, &call);
  // The channel headers FreeSWITCH would add (a subset; with --verbose-events every channel
  // variable too), then the caller's extra headers; then FreeSWITCH's glue scrubs them.
  Headers list;
  if (c) {
    list.emplace_back("Unique-ID", uuid);
    list.emplace_back("Channel-Name", "sim/" + std::to_string(c->index));
    if (h->opts_.verbose_events) {
      std::lock_guard<std::mutex> lock(c->mu);
      if (c->call_live.load() && c->call.load() == call) {
        for (const auto& kv : c->vars) list.emplace_back("variable_" + kv.first, kv.second);
      }
    }
  }
  for (const char* const* p = headers; p && p[0] && p[1]; p += 2) list.emplace_back(p[0], p[1]);
  scrub_secret_headers(list);
  std::string hs = "{\"Event-Subclass\":" + json_escape(subclass);
  for (const auto& kv : list) hs += "," + json_escape(kv.first) + ":" + json_escape(kv.second);
  hs += "}";
  h->jsonl_.write(h->now_ms(), "event",
                  {{"uuid", uuid ? json_escape(uuid) : "null"}, {"subclass", json_escape(subclass)}, {"headers", hs},
                   {"body", json_escape(body ? body : "")}});
  return 0;
}

char* SimHost::op_get_var(void* ctx, const char* uuid, const char* name, int* status) {
  auto* h = static_cast<SimHost*>(ctx);
  uint32_t call = 0;
  SimChannel* c = h->find(uuid, &call);
  if (!c) {
    *status = -1;
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(c->mu);
  if (!c->call_live.load() || c->call.load() != call) {
    *status = -1;
    return nullptr;
  }
  auto it = c->vars.find(name);
  *status = it == c->vars.end() ? 0 : 1;
  return it == c->vars.end() ? nullptr : strdup(it->second.c_str());
}

int SimHost::op_attach(void* ctx, const oair_attach_request* req, oair_attach_result* res, oair_channel** out,
                       char* err, size_t err_len) {
  auto* h = static_cast<SimHost*>(ctx);
  uint32_t call = 0;
  SimChannel* c = h->find(req->uuid, &call);
  if (!c) {
    std::snprintf(err, err_len, "no such channel");
    return -1;
  }
  // Held until the hook is stored: the call cannot end in between (see end_call).
  std::lock_guard<std::mutex> lock(c->mu);
  if (!c->call_live.load() || c->call.load() != call) {
    std::snprintf(err, err_len, "no such channel");
    return -1;
  }
  if (c->hook.load() || c->detach_requested.load()) {
    std::snprintf(err, err_len, "a stream is already attached to this channel");
    return OAIR_ERR_ALREADY_ATTACHED;
  }
  oair_channel* ch = oair_channel_create(c->uuids[call].c_str(), h->opts_.rate, c->frame, req->mix == OAIR_MIX_STEREO ? 2 : 1,
                                         req->capture_ring_ms, req->playback_ring_ms);
  if (!ch) {
    std::snprintf(err, err_len, "cannot create the channel record");
    return -1;
  }
  oair_channel_set_host_data(ch, c);
  c->mix.store(req->mix);
  c->hook.store(ch, std::memory_order_release);
  res->sample_rate = h->opts_.rate;
  res->frame_samples = c->frame;
  *out = ch;
  return 0;
}

void SimHost::op_detach(void*, oair_channel* ch) {
  auto* c = static_cast<SimChannel*>(oair_channel_host_data(ch));
  // Like switch_core_media_bug_remove: the hook goes away between two frames. The media thread
  // finishes it at its next tick, so the record is never released under a running callback.
  if (!c) return;
  {
    // Under the lock: the request must be for this hook, not for the next call's.
    std::lock_guard<std::mutex> lock(c->mu);
    if (c->hook.load() != ch) return;
    c->detach_requested.store(true);
  }
  // Synchronous like FreeSWITCH's removal: a start right after a stop must find the channel free.
  for (int i = 0; i < 1000 && c->hook.load() == ch && !c->ended.load(); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

int SimHost::op_control(void* ctx, const char* uuid, const char* action, const char* const* args, char* err,
                        size_t err_len) {
  auto* h = static_cast<SimHost*>(ctx);
  SimChannel* c = h->find_live(uuid);
  if (!c) {
    std::snprintf(err, err_len, "no such channel");
    return -1;
  }
  std::string arr = "[";
  for (const char* const* p = args; p && *p; p++) arr += (arr.size() > 1 ? "," : "") + json_escape(*p);
  arr += "]";
  h->jsonl_.write(h->now_ms(), "control", {{"uuid", json_escape(uuid)}, {"action", json_escape(action)}, {"args", arr}});
  std::string a = action;
  if (a == "hangup" || a == "transfer") {
    std::lock_guard<std::mutex> lock(c->mu);
    if (!h->find_live(uuid)) {
      std::snprintf(err, err_len, "no such channel");
      return -1;
    }
    c->hangup_cause = a == "transfer" ? "TRANSFERRED" : (args && args[0] ? args[0] : "NORMAL_CLEARING");
    c->hangup_requested.store(true);
  } else if (a == "set_var") {
    if (!args || !args[0] || !args[1]) {
      std::snprintf(err, err_len, "set_var needs a name and a value");
      return -1;
    }
    std::lock_guard<std::mutex> lock(c->mu);
    if (!h->find_live(uuid)) {
      std::snprintf(err, err_len, "no such channel");
      return -1;
    }
    c->vars[args[0]] = args[1];
  } else if (a == "send_dtmf" || a == "play" || a == "break") {
    // Recorded above; nothing else to simulate.
  } else {
    std::snprintf(err, err_len, "unknown action %s", action);
    return -1;
  }
  return 0;
}

// ------------------------------------------------------------------ channels

void SimHost::finish_hook(SimChannel* c) {
  oair_channel* ch = c->hook.exchange(nullptr);
  if (!ch) return;
  const oair::ChannelCounters& k = static_cast<oair::Channel*>(ch)->counters;
  c->frames_in += k.frames_in.load();
  c->frames_out += k.frames_out.load();
  c->underruns += k.underruns.load();
  c->server_gaps += k.server_gaps.load();
  c->capture_overruns += k.capture_overruns.load();
  oair_channel_close(ch);
  oair_channel_release(ch);
}

void SimHost::media_loop(SimChannel* c) {
  const uint32_t frame = c->frame;
  const uint32_t ptime_ns = opts_.ptime_ms * 1000000u;
  const int64_t period = static_cast<int64_t>(ptime_ns / opts_.speed);
  // Channels do not tick in lockstep in FreeSWITCH: spread their phases over the period.
  const int64_t phase = opts_.channels > 1 ? period * c->index / static_cast<int64_t>(opts_.channels) : 0;
  const int64_t base = t0_ns_ + phase;
  std::vector<int16_t> in(2 * frame), out(frame), last_out(frame, 0);  // allocated once, before the clock
  const size_t offset = caller_.empty() ? 0
                        : static_cast<size_t>(static_cast<uint64_t>(opts_.caller_offset_ms) * opts_.rate / 1000 *
                                              static_cast<uint64_t>(c->index) % caller_.size());
  int64_t k = 0;
  for (uint32_t call = 0; call < opts_.calls; call++) {
    if (call > 0) {
      // The next call rings once the previous one's script has run (its late commands included),
      // on the next tick of this channel's clock.
      while (c->scripts_done.load() < call && !abort_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (abort_.load()) break;
      k = std::max<int64_t>(k, (mono_ns() - base) / period + 1);
    }
    begin_call(c, call, call == 0 ? t0_ns_ : base + k * period);
    const size_t end = hangup_samples(c, call);
    int16_t* reply = c->reply.data() + static_cast<size_t>(call) * c->record_samples;
    std::fill(last_out.begin(), last_out.end(), 0);
    size_t pos = 0;
    for (;; k++) {
      int64_t target = base + k * period;
      sleep_until_ns(target);
      int64_t late = mono_ns() - target;
      if (late > 5000000) c->late_ticks.fetch_add(1, std::memory_order_relaxed);
      if (late > 0 && static_cast<uint64_t>(late / 1000) > c->max_late_us.load()) c->max_late_us.store(late / 1000);
      c->ticks.fetch_add(1, std::memory_order_relaxed);
      if (c->hangup_requested.load() || abort_.load() || pos >= end) break;
      if (c->detach_requested.load()) {
        // Cleared before the hook is: op_attach checks both, and a start that finds the hook gone
        // must not find the flag still set ("already attached" right after a stop).
        c->detach_requested.store(false);
        finish_hook(c);
      }
      oair_channel* ch = c->hook.load(std::memory_order_acquire);
      // DTMF the script pressed.
      uint32_t dt = c->dtmf_tail.load(std::memory_order_relaxed);
      if (dt != c->dtmf_head.load(std::memory_order_acquire)) {
        if (ch) oair_channel_dtmf(ch, c->dtmf[dt & 63], 100);
        c->dtmf_tail.store(dt + 1, std::memory_order_release);
      }
      const size_t length = caller_.size();
      size_t have = pos < length ? std::min<size_t>(frame, length - pos) : 0;
      uint32_t got = 0;
      if (ch) {
        int mix = c->mix.load(std::memory_order_relaxed);
        for (uint32_t i = 0; i < frame; i++) {
          // --caller-offset-ms: this channel hears the WAV rotated by its own offset (wrapping).
          int16_t a = i < have ? caller_[(pos + i + offset) % length] : 0;
          if (mix == OAIR_MIX_STEREO) {
            in[2 * i] = a;
            in[2 * i + 1] = last_out[i];
          } else if (mix == OAIR_MIX_MIXED) {
            int s = a + last_out[i];
            in[i] = static_cast<int16_t>(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
          } else {
            in[i] = a;
          }
        }
        oair_channel_capture(ch, in.data(), mix == OAIR_MIX_STEREO ? 2 * frame : frame);
        got = oair_channel_playback(ch, out.data(), frame);
      }
      if (got) {
        if (pos + frame <= c->record_samples) std::memcpy(reply + pos, out.data(), frame * sizeof(int16_t));
        std::memcpy(last_out.data(), out.data(), frame * sizeof(int16_t));
      } else {
        std::fill(last_out.begin(), last_out.end(), 0);
      }
      pos += frame;
    }
    end_call(c, call);
  }
  c->ended.store(true);
}

void SimHost::api_loop(SimChannel* c) {
  for (uint32_t call = 0; call < opts_.calls; call++) {
    while (c->calls_started.load() <= call) {
      if (abort_.load() || c->ended.load()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const int64_t start = c->call_start_ns.load();
    const std::string& uuid = c->uuids[call];
    for (const ScriptLine& line : opts_.script) {
      int64_t target = start + static_cast<int64_t>(line.at_ms * 1e6 / opts_.speed);
      sleep_until_ns(target);
      if (line.api == "hangup") {
        std::lock_guard<std::mutex> lock(c->mu);
        if (c->call_live.load() && c->call.load() == call) c->hangup_requested.store(true);
        continue;
      }
      if (line.api == "dtmf") {
        for (char d : line.args) {
          uint32_t h = c->dtmf_head.load(std::memory_order_relaxed);
          if (h - c->dtmf_tail.load(std::memory_order_acquire) >= 64) break;
          c->dtmf[h & 63] = d;
          c->dtmf_head.store(h + 1, std::memory_order_release);
        }
        continue;
      }
      std::string args = replace_all(replace_all(line.args, "${uuid}", uuid), "${url}", opts_.url);
      if (!line.raw && line.api != "openai_realtime") args = uuid + (args.empty() ? "" : " " + args);
      char* reply = oair_runtime_command(line.api.c_str(), args.c_str(), opts_.command_timeout_ms);
      std::string r = reply ? reply : "";
      std::free(reply);
      jsonl_.write(now_ms(), "api", {{"uuid", json_escape(uuid)}, {"api", json_escape(line.api)},
                                     {"args", json_escape(args)}, {"reply", json_escape(r)}});
    }
    c->scripts_done.store(call + 1);
  }
}

void SimHost::start_calls() {
  t0_ns_ = mono_ns() + 20000000;  // 20 ms from now, so every thread is up before the first tick
  for (auto& c : channels_) {
    c->media_thread = std::thread(&SimHost::media_loop, this, c.get());
    c->api_thread = std::thread(&SimHost::api_loop, this, c.get());
  }
}

bool SimHost::wait_calls(uint32_t max_seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(max_seconds);
  for (;;) {
    bool all = true;
    for (auto& c : channels_) all = all && c->ended.load();
    if (all) return true;
    if (std::chrono::steady_clock::now() > deadline) {
      abort_.store(true);
      for (auto& c : channels_) c->hangup_requested.store(true);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void SimHost::join_calls() {
  for (auto& c : channels_) {
    if (c->media_thread.joinable()) c->media_thread.join();
    if (c->api_thread.joinable()) c->api_thread.join();
  }
}

bool SimHost::write_replies(std::string& err) {
  for (auto& c : channels_) {
    std::string path = opts_.reply_wav;
    if (c->index > 0) {
      size_t dot = path.rfind(".wav");
      std::string suffix = "-" + std::to_string(c->index);
      path = dot == std::string::npos ? path + suffix : path.substr(0, dot) + suffix + path.substr(dot);
    }
    if (!write_wav(path, c->reply.data(), c->reply.size(), opts_.rate, 1, err)) return false;
  }
  return true;
}

void SimHost::summary() {
  uint64_t late = 0, max_late = 0, underruns = 0, server_gaps = 0, overruns = 0, ticks = 0;
  for (auto& c : channels_) {
    late += c->late_ticks.load();
    ticks += c->ticks.load();
    max_late = std::max<uint64_t>(max_late, c->max_late_us.load());
    underruns += c->underruns;
    server_gaps += c->server_gaps;
    overruns += c->capture_overruns;
  }
  jsonl_.write(now_ms(), "summary",
               {{"channels", std::to_string(channels_.size())}, {"calls", std::to_string(channels_.size() * opts_.calls)},
                {"ticks", std::to_string(ticks)},
                {"lateTicks", std::to_string(late)}, {"maxLateMs", std::to_string(max_late / 1000.0)},
                {"underruns", std::to_string(underruns)}, {"serverGaps", std::to_string(server_gaps)},
                {"captureOverruns", std::to_string(overruns)},
                {"liveChannelRecords", std::to_string(oair::live_channels())}});
}

}  // namespace oair_sim
