// test_host.cc — a host for the bridge addon's tests: it plays FreeSWITCH with real native media
// threads on a real 20 ms (any ptime) clock, so the rings are exercised the way they are in
// production. Compiled only into the .node addon.
//
// Captured audio is a counter pattern (sample k of a channel's stream has value k mod 32768), so a
// test can prove that no frame was lost or reordered; everything the media thread pops from the
// playback ring is recorded so a test can check what the "caller" would have heard.
#include "test_host.h"

#include <time.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "../host.h"
#include "bridge.h"

namespace oair {
namespace {

struct FakeChannel {
  std::string uuid;
  uint32_t rate = 8000;
  uint32_t ptime_ms = 20;
  uint32_t frame = 160;
  std::map<std::string, std::string> vars;
  std::vector<int16_t> source;  // caller audio to play; empty: the counter pattern
  std::atomic<oair_channel*> ch{nullptr};
  std::atomic<bool> running{false};
  std::atomic<bool> detach_requested{false};
  std::atomic<bool> hangup_requested{false};
  std::thread thread;
  // Media-thread statistics.
  std::atomic<uint64_t> ticks{0};
  std::atomic<uint64_t> max_call_ns{0};  // time spent inside the bridge per tick
  std::atomic<uint64_t> played_frames{0};
  std::atomic<uint64_t> captured_samples{0};
  std::vector<int16_t> played;  // preallocated; written by the media thread only while running
  std::atomic<size_t> played_len{0};
  // Keys "pressed" by pressDtmf (JS thread produces, media thread consumes one per tick, like a
  // DTMF frame): an SPSC ring of 64.
  std::atomic<uint32_t> dtmf_head{0}, dtmf_tail{0};
  char dtmf[64] = {};
};

std::mutex g_mu;  // JS-thread side bookkeeping; media threads never take it
std::map<std::string, std::shared_ptr<FakeChannel>> g_channels;
std::vector<std::string> g_events;
std::vector<std::string> g_logs;
std::vector<std::string> g_controls;

uint64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void finish_hook(FakeChannel* f) {
  oair_channel* ch = f->ch.exchange(nullptr);
  if (ch) {
    oair_channel_close(ch);
    oair_channel_release(ch);
  }
}

void media_loop(FakeChannel* f) {
  std::vector<int16_t> frame(f->frame), out(f->frame);  // allocated once, before the clock starts
  uint64_t seq = 0;
  timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  while (f->running.load()) {
    next.tv_nsec += static_cast<long>(f->ptime_ms) * 1000000L;
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      next.tv_sec++;
    }
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    if (f->hangup_requested.load() || f->detach_requested.load()) {
      finish_hook(f);
      if (f->hangup_requested.load()) break;
      continue;
    }
    oair_channel* ch = f->ch.load(std::memory_order_acquire);
    uint32_t key = f->dtmf_tail.load(std::memory_order_relaxed);
    if (key != f->dtmf_head.load(std::memory_order_acquire)) {
      if (ch) oair_channel_dtmf(ch, f->dtmf[key & 63], 100);
      f->dtmf_tail.store(key + 1, std::memory_order_release);
    }
    for (uint32_t i = 0; i < f->frame; i++) {
      if (f->source.empty()) {
        frame[i] = static_cast<int16_t>((seq + i) & 0x7FFF);
      } else {
        frame[i] = seq + i < f->source.size() ? f->source[seq + i] : 0;
      }
    }
    uint64_t t0 = now_ns();
    if (ch) oair_channel_capture(ch, frame.data(), f->frame);
    uint32_t got = ch ? oair_channel_playback(ch, out.data(), f->frame) : 0;
    uint64_t dt = now_ns() - t0;
    if (ch) {
      seq += f->frame;
      f->captured_samples.fetch_add(f->frame);
    }
    if (dt > f->max_call_ns.load()) f->max_call_ns.store(dt);
    f->ticks.fetch_add(1);
    if (got) {
      f->played_frames.fetch_add(1);
      size_t len = f->played_len.load(std::memory_order_relaxed);
      if (len + got <= f->played.size()) {
        std::memcpy(f->played.data() + len, out.data(), got * sizeof(int16_t));
        f->played_len.store(len + got, std::memory_order_release);
      }
    }
  }
  f->running.store(false);
}

std::shared_ptr<FakeChannel> find(const std::string& uuid) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_channels.find(uuid);
  return it == g_channels.end() ? nullptr : it->second;
}

// ---- host ops ----
void op_log(void*, int level, const char* uuid, const char* msg) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_logs.push_back(std::to_string(level) + " " + (uuid ? uuid : "-") + " " + msg);
}
int op_fire(void*, const char* uuid, const char* subclass, const char* body, const char* const*) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_events.push_back(std::string(uuid ? uuid : "-") + " " + subclass + " " + (body ? body : ""));
  return 0;
}
char* op_get_var(void*, const char* uuid, const char* name, int* status) {
  auto f = find(uuid);
  if (!f) {
    *status = -1;
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = f->vars.find(name);
  *status = it == f->vars.end() ? 0 : 1;
  return it == f->vars.end() ? nullptr : strdup(it->second.c_str());
}
int op_attach(void*, const oair_attach_request* req, oair_attach_result* res, oair_channel** out, char* err,
              size_t err_len) {
  auto f = find(req->uuid);
  if (!f) {
    std::snprintf(err, err_len, "no such channel");
    return -1;
  }
  if (f->ch.load()) {
    std::snprintf(err, err_len, "already attached");
    return OAIR_ERR_ALREADY_ATTACHED;
  }
  oair_channel* ch = oair_channel_create(req->uuid, f->rate, f->frame, req->mix == OAIR_MIX_STEREO ? 2 : 1,
                                         req->capture_ring_ms, req->playback_ring_ms);
  if (!ch) {
    std::snprintf(err, err_len, "cannot create channel record");
    return -1;
  }
  oair_channel_set_host_data(ch, f.get());
  f->detach_requested.store(false);
  f->ch.store(ch, std::memory_order_release);
  res->sample_rate = f->rate;
  res->frame_samples = f->frame;
  *out = ch;
  return 0;
}
void op_detach(void*, oair_channel* ch) {
  auto* f = static_cast<FakeChannel*>(oair_channel_host_data(ch));
  if (!f) return;
  // Like FreeSWITCH's bug removal: the media thread finishes the hook at its next tick, so the
  // record is never released under a running callback. Without a media thread, finish it here.
  if (f->running.load()) {
    f->detach_requested.store(true);
  } else if (f->ch.load() == ch) {
    finish_hook(f);
  }
}
int op_control(void*, const char* uuid, const char* action, const char* const* args, char* err, size_t err_len) {
  auto f = find(uuid);
  if (!f) {
    std::snprintf(err, err_len, "no such channel");
    return -1;
  }
  std::string line = std::string(uuid) + " " + action;
  for (const char* const* a = args; a && *a; a++) line += std::string(" ") + *a;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_controls.push_back(line);
  }
  if (std::strcmp(action, "hangup") == 0) f->hangup_requested.store(true);
  if (std::strcmp(action, "set_var") == 0 && args && args[0] && args[1]) {
    std::lock_guard<std::mutex> lock(g_mu);
    f->vars[args[0]] = args[1];
  }
  return 0;
}

const oair_host_ops kOps = {nullptr, op_log, op_fire, op_get_var, op_attach, op_detach, op_control};

// ---- JS API ----
Napi::Value Install(const Napi::CallbackInfo& info) {
  set_host_ops(&kOps);
  set_host_info("test", "{}", "");
  return info.Env().Undefined();
}

Napi::Value CreateChannel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string uuid = info[0].ToString().Utf8Value();
  auto f = std::make_shared<FakeChannel>();
  f->uuid = uuid;
  if (info.Length() > 1 && info[1].IsObject()) {
    Napi::Object o = info[1].As<Napi::Object>();
    if (o.Has("rate")) f->rate = o.Get("rate").As<Napi::Number>().Uint32Value();
    if (o.Has("ptimeMs")) f->ptime_ms = o.Get("ptimeMs").As<Napi::Number>().Uint32Value();
    if (o.Has("vars") && o.Get("vars").IsObject()) {
      Napi::Object v = o.Get("vars").As<Napi::Object>();
      Napi::Array names = v.GetPropertyNames();
      for (uint32_t i = 0; i < names.Length(); i++) {
        std::string k = names.Get(i).ToString().Utf8Value();
        f->vars[k] = v.Get(k).ToString().Utf8Value();
      }
    }
    if (o.Has("source") && o.Get("source").IsTypedArray()) {
      Napi::Int16Array src = o.Get("source").As<Napi::Int16Array>();
      f->source.assign(src.Data(), src.Data() + src.ElementLength());
    }
    uint32_t record_ms = o.Has("recordMs") ? o.Get("recordMs").As<Napi::Number>().Uint32Value() : 10000;
    f->played.assign(static_cast<size_t>(record_ms) * f->rate / 1000, 0);
  } else {
    f->played.assign(static_cast<size_t>(10) * f->rate, 0);
  }
  f->frame = f->rate * f->ptime_ms / 1000;
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_channels.count(uuid)) throw Napi::Error::New(env, "duplicate uuid");
  g_channels[uuid] = f;
  return env.Undefined();
}

Napi::Value StartMedia(const Napi::CallbackInfo& info) {
  auto f = find(info[0].ToString().Utf8Value());
  if (!f) throw Napi::Error::New(info.Env(), "no such channel");
  if (!f->running.exchange(true)) f->thread = std::thread(media_loop, f.get());
  return info.Env().Undefined();
}

// Stops the media thread and joins it (blocking for at most one ptime).
Napi::Value StopMedia(const Napi::CallbackInfo& info) {
  auto f = find(info[0].ToString().Utf8Value());
  if (!f) return info.Env().Undefined();
  f->running.store(false);
  if (f->thread.joinable()) f->thread.join();
  return info.Env().Undefined();
}

Napi::Value Hangup(const Napi::CallbackInfo& info) {
  auto f = find(info[0].ToString().Utf8Value());
  if (!f) return info.Env().Undefined();
  if (f->running.load()) {
    f->hangup_requested.store(true);
    if (f->thread.joinable()) f->thread.join();
  } else {
    finish_hook(f.get());
  }
  return info.Env().Undefined();
}

// pressDtmf(uuid, digits): the caller presses keys; the media thread delivers one per tick.
Napi::Value PressDtmf(const Napi::CallbackInfo& info) {
  auto f = find(info[0].ToString().Utf8Value());
  if (!f) throw Napi::Error::New(info.Env(), "no such channel");
  for (char d : info[1].ToString().Utf8Value()) {
    uint32_t h = f->dtmf_head.load(std::memory_order_relaxed);
    if (h - f->dtmf_tail.load(std::memory_order_acquire) >= 64) break;
    f->dtmf[h & 63] = d;
    f->dtmf_head.store(h + 1, std::memory_order_release);
  }
  return info.Env().Undefined();
}

Napi::Value RemoveChannel(const Napi::CallbackInfo& info) {
  std::string uuid = info[0].ToString().Utf8Value();
  auto f = find(uuid);
  if (!f) return info.Env().Undefined();
  f->running.store(false);
  if (f->thread.joinable()) f->thread.join();
  finish_hook(f.get());
  std::lock_guard<std::mutex> lock(g_mu);
  g_channels.erase(uuid);
  return info.Env().Undefined();
}

Napi::Value MediaStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto f = find(info[0].ToString().Utf8Value());
  if (!f) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("ticks", static_cast<double>(f->ticks.load()));
  o.Set("maxCallUs", static_cast<double>(f->max_call_ns.load()) / 1000.0);
  o.Set("playedFrames", static_cast<double>(f->played_frames.load()));
  o.Set("capturedSamples", static_cast<double>(f->captured_samples.load()));
  o.Set("attached", f->ch.load() != nullptr);
  o.Set("running", f->running.load());
  return o;
}

Napi::Value Played(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto f = find(info[0].ToString().Utf8Value());
  if (!f) return env.Undefined();
  size_t n = f->played_len.load(std::memory_order_acquire);
  Napi::Int16Array out = Napi::Int16Array::New(env, n);
  std::memcpy(out.Data(), f->played.data(), n * sizeof(int16_t));
  return out;
}

Napi::Value Records(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::lock_guard<std::mutex> lock(g_mu);
  Napi::Object o = Napi::Object::New(env);
  auto to_array = [&](const std::vector<std::string>& v) {
    Napi::Array a = Napi::Array::New(env, v.size());
    for (size_t i = 0; i < v.size(); i++) a.Set(static_cast<uint32_t>(i), v[i]);
    return a;
  };
  o.Set("events", to_array(g_events));
  o.Set("logs", to_array(g_logs));
  o.Set("controls", to_array(g_controls));
  return o;
}

// command(api, args, timeoutMs) → Promise<string>: submitted from a native "API thread", exactly as
// fs_cli would, so the JS thread stays free to serve it.
Napi::Value Command(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string api = info[0].ToString().Utf8Value();
  std::string args = info[1].ToString().Utf8Value();
  uint32_t timeout = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Uint32Value() : 5000;
  auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
  auto tsfn = Napi::ThreadSafeFunction::New(env, Napi::Function::New(env, [](const Napi::CallbackInfo& i) {
                                              return i.Env().Undefined();
                                            }),
                                            "oair:test-command", 0, 1);
  std::thread([tsfn, deferred, api, args, timeout]() mutable {
    char* reply = oair_runtime_command(api.c_str(), args.c_str(), timeout);
    std::string text = reply ? reply : "";
    std::free(reply);
    tsfn.BlockingCall([deferred, text](Napi::Env e, Napi::Function) {
      deferred->Resolve(Napi::String::New(e, text));
    });
    tsfn.Release();
  }).detach();
  return deferred->Promise();
}

}  // namespace

Napi::Object test_host_init(Napi::Env env) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("install", Napi::Function::New(env, Install));
  o.Set("createChannel", Napi::Function::New(env, CreateChannel));
  o.Set("startMedia", Napi::Function::New(env, StartMedia));
  o.Set("stopMedia", Napi::Function::New(env, StopMedia));
  o.Set("hangup", Napi::Function::New(env, Hangup));
  o.Set("removeChannel", Napi::Function::New(env, RemoveChannel));
  o.Set("mediaStats", Napi::Function::New(env, MediaStats));
  o.Set("played", Napi::Function::New(env, Played));
  o.Set("records", Napi::Function::New(env, Records));
  o.Set("command", Napi::Function::New(env, Command));
  o.Set("pressDtmf", Napi::Function::New(env, PressDtmf));
  return o;
}

}  // namespace oair
