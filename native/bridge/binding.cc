// binding.cc — the N-API face of the bridge (NAPI_VERSION 8, node_api.h/napi.h only, never node.h).
//
// The same code is linked into the embedded runtime (node::AddLinkedBinding, read with
// process._linkedBinding('oair_bridge')) and built as a .node addon for tests under plain Node.
// It is a translation layer: it validates arguments, calls the bridge (the channel records and their
// ring formulas in bridge.h, the channel table in channel_table.h) or the host, and returns. What
// it owns itself is per JS thread: the wake-up handles and their batching timer. No napi_value
// outlives a call and nothing here runs on a media thread.
#include <napi.h>
#include <uv.h>

#include <pthread.h>

#include <string>
#include <vector>

#include "binding.h"
#include "bridge.h"
#include "channel_table.h"
#include "commands.h"
#include "wakers.h"

namespace oair {
namespace {

// One per JS thread (napi_env) that loaded the binding.
struct EnvState {
  napi_env env = nullptr;
  uv_async_t* async = nullptr;
  int waker = -1;
  napi_ref media_cb = nullptr;
  napi_ref command_cb = nullptr;
  napi_ref resource = nullptr;
  napi_async_context async_context = nullptr;
  bool serving_commands = false;
  bool cleaned_up = false;
  // Media wake-ups are batched in time: JS services the rings at most once per media_batch_ms (when
  // that is > 0). Between two runs the pending flag stays set, so media threads send no wake-ups;
  // a timer runs the next batch. Thousands of calls on their own ptime phases would otherwise wake
  // the loop once per frame each.
  uv_timer_t* media_timer = nullptr;
  bool media_timer_armed = false;
  uint32_t media_batch_ms = 0;
  uint64_t media_ran_at = 0;
  // Records taken off the waker's ready list but not yet handed to JS (drainReady's out was full).
  std::vector<Channel*> ready_backlog;
};

Channel* lookup(uint32_t id) { return table_find(id); }

EnvState* state_of(const Napi::Env& env) { return env.GetInstanceData<EnvState>(); }

uint32_t id_arg(const Napi::CallbackInfo& info, size_t i = 0) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "Expected a channel id");
  return info[i].As<Napi::Number>().Uint32Value();
}

std::string string_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString()) {
    throw Napi::TypeError::New(info.Env(), std::string("Expected a string for ") + what);
  }
  return info[i].As<Napi::String>().Utf8Value();
}

// Calls a JS callback from a libuv callback, where no JS is on the stack: napi_make_callback runs
// it in a proper callback scope (microtasks drained afterwards). An exception that escapes is handed
// to process 'uncaughtException' (the runtime's handler contains it) instead of being lost.
void call_js(EnvState* s, napi_ref fn_ref, size_t argc, const napi_value* argv) {
  napi_env env = s->env;
  napi_value fn, recv, result;
  if (!fn_ref || napi_get_reference_value(env, fn_ref, &fn) != napi_ok || fn == nullptr) return;
  if (napi_get_reference_value(env, s->resource, &recv) != napi_ok || recv == nullptr) return;
  napi_status st = napi_make_callback(env, s->async_context, recv, fn, argc, argv, &result);
  if (st != napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) {
      napi_value err;
      if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    }
  }
}

void dispatch_commands(EnvState* s) {
  std::vector<PendingCommand> cmds;
  commands_take(cmds);
  for (const PendingCommand& c : cmds) {
    napi_value argv[3];
    // Every napi status is checked: this can run while the Environment is stopping.
    if (napi_create_double(s->env, static_cast<double>(c.id), &argv[0]) != napi_ok ||
        napi_create_string_utf8(s->env, c.api.c_str(), c.api.size(), &argv[1]) != napi_ok ||
        napi_create_string_utf8(s->env, c.args.c_str(), c.args.size(), &argv[2]) != napi_ok) {
      commands_reply(c.id, "-ERR runtime stopping\n");
      continue;
    }
    call_js(s, s->command_cb, 3, argv);
  }
}

// Clears the pending flag first (a frame queued from here on sends a new wake-up), then runs JS.
void run_media(EnvState* s) {
  waker_take_media(s->waker);
  s->media_ran_at = uv_now(s->media_timer->loop);
  napi_handle_scope scope;
  if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
  call_js(s, s->media_cb, 0, nullptr);
  napi_close_handle_scope(s->env, scope);
}

void on_media_timer(uv_timer_t* timer) {
  EnvState* s = static_cast<EnvState*>(timer->data);
  if (!s || s->cleaned_up) return;
  s->media_timer_armed = false;
  if (s->media_cb) run_media(s);
}

void on_async(uv_async_t* handle) {
  EnvState* s = static_cast<EnvState*>(handle->data);
  if (!s || s->cleaned_up) return;
  if (waker_take_commands(s->waker) && s->serving_commands) {
    napi_handle_scope scope;
    if (napi_open_handle_scope(s->env, &scope) != napi_ok) return;
    dispatch_commands(s);
    napi_close_handle_scope(s->env, scope);
  }
  if (!s->media_cb || s->media_timer_armed || !waker_media_pending(s->waker)) return;
  uint64_t now = uv_now(handle->loop);
  uint64_t due = s->media_ran_at + s->media_batch_ms;
  if (s->media_batch_ms == 0 || now >= due) {
    run_media(s);
  } else {
    // The flag stays set until the timer runs the batch: no more wake-ups from media threads.
    uv_timer_start(s->media_timer, on_media_timer, due - now, 0);
    s->media_timer_armed = true;
  }
}

void on_timer_closed(uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); }

void on_async_closed(uv_handle_t* handle) { delete reinterpret_cast<uv_async_t*>(handle); }

void ensure_waker(const Napi::Env& env, EnvState* s) {
  if (s->async) return;
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) throw Napi::Error::New(env, "No event loop");
  auto* async = new uv_async_t();
  if (uv_async_init(loop, async, on_async) != 0) {
    delete async;
    throw Napi::Error::New(env, "uv_async_init failed");
  }
  async->data = s;
  auto* timer = new uv_timer_t();
  uv_timer_init(loop, timer);
  timer->data = s;
  uv_unref(reinterpret_cast<uv_handle_t*>(timer));  // never what keeps the loop alive
  int w = waker_acquire(async);
  if (w < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(async), on_async_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(timer), on_timer_closed);
    throw Napi::Error::New(env, "Too many JS threads for the bridge");
  }
  s->async = async;
  s->media_timer = timer;
  s->waker = w;
  Napi::Object resource = Napi::Object::New(env);
  napi_create_reference(env, resource, 1, &s->resource);
  napi_async_init(env, resource, Napi::String::New(env, "oair:wake"), &s->async_context);
}

// Releases what this JS thread holds: its channel references (detaching their media hooks, so the
// host stops feeding a ring nobody reads), its waker, and the command service. Runs from
// bridge.shutdown() and, at the latest, from the environment cleanup hook. Idempotent.
// Gives back the ready list's references (runtime stopping: nobody will service these records).
void drop_ready(EnvState* s) {
  for (Channel* c = waker_take_ready(s->waker); c != nullptr;) {
    Channel* next = c->ready_next;
    s->ready_backlog.push_back(c);
    c = next;
  }
  for (Channel* c : s->ready_backlog) {
    c->ready_queued.store(false, std::memory_order_seq_cst);
    oair_channel_release(static_cast<oair_channel*>(c));
  }
  s->ready_backlog.clear();
}

void release_env(EnvState* s, bool from_cleanup) {
  if (s->cleaned_up) return;
  s->cleaned_up = true;
  if (s->serving_commands) {
    commands_set_server(-1);
    commands_fail_all("-ERR runtime stopped\n");
    s->serving_commands = false;
  }
  for (Channel* ch : table_remove_owned(s)) {
    auto* c = static_cast<oair_channel*>(ch);
    ch->waker.store(-1, std::memory_order_release);  // media threads stop queueing it on our list
    if (!ch->closed.load()) host_ops()->detach(host_ops()->ctx, c);
    oair_channel_release(c);
  }
  drop_ready(s);
  if (s->waker >= 0) {
    waker_disarm(s->waker);
    drop_ready(s);  // anything a media thread queued while we were detaching
    s->waker = -1;
  }
  if (s->async) {
    s->async->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(s->async), on_async_closed);
    s->async = nullptr;
  }
  if (s->media_timer) {
    uv_timer_stop(s->media_timer);
    s->media_timer->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(s->media_timer), on_timer_closed);
    s->media_timer = nullptr;
    s->media_timer_armed = false;
  }
  (void)from_cleanup;
  {
    // Our references are ours to delete even during environment teardown (cleanup hooks run before
    // the napi_env itself goes away); LeakSanitizer caught them leaking on every runtime restart.
    if (s->media_cb) napi_delete_reference(s->env, s->media_cb);
    if (s->command_cb) napi_delete_reference(s->env, s->command_cb);
    if (s->async_context) napi_async_destroy(s->env, s->async_context);
    if (s->resource) napi_delete_reference(s->env, s->resource);
    s->media_cb = s->command_cb = s->resource = nullptr;
    s->async_context = nullptr;
  }
}

void env_cleanup_hook(void* arg) { release_env(static_cast<EnvState*>(arg), true); }

// ------------------------------------------------------------------------------- JS functions

Napi::Value HostInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("host", host_name());
  o.Set("config", host_config_json());
  o.Set("bundleDir", host_bundle_dir());
  o.Set("napiVersion", NAPI_VERSION);
  return o;
}

Napi::Value Log(const Napi::CallbackInfo& info) {
  int level = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : OAIR_LOG_INFO;
  std::string uuid = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  std::string msg = string_arg(info, 2, "message");
  host_ops()->log(host_ops()->ctx, level, uuid.empty() ? nullptr : uuid.c_str(), msg.c_str());
  return info.Env().Undefined();
}

Napi::Value FireEvent(const Napi::CallbackInfo& info) {
  std::string uuid = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "";
  std::string subclass = string_arg(info, 1, "subclass");
  std::string body = info.Length() > 2 && info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
  std::vector<std::string> kv;
  if (info.Length() > 3 && info[3].IsObject()) {
    Napi::Object h = info[3].As<Napi::Object>();
    Napi::Array names = h.GetPropertyNames();
    for (uint32_t i = 0; i < names.Length(); i++) {
      Napi::Value k = names.Get(i);
      Napi::Value v = h.Get(k);
      if (!v.IsString()) continue;
      kv.push_back(k.ToString().Utf8Value());
      kv.push_back(v.As<Napi::String>().Utf8Value());
    }
  }
  std::vector<const char*> headers;
  for (const std::string& s : kv) headers.push_back(s.c_str());
  headers.push_back(nullptr);
  int rc = host_ops()->fire_event(host_ops()->ctx, uuid.empty() ? nullptr : uuid.c_str(), subclass.c_str(),
                                  body.c_str(), headers.data());
  return Napi::Boolean::New(info.Env(), rc == 0);
}

// Returns the value, null when unset, undefined when there is no such channel.
Napi::Value GetVar(const Napi::CallbackInfo& info) {
  std::string uuid = string_arg(info, 0, "uuid");
  std::string name = string_arg(info, 1, "name");
  int status = -1;
  char* v = host_ops()->get_var(host_ops()->ctx, uuid.c_str(), name.c_str(), &status);
  Napi::Env env = info.Env();
  if (!v) return status < 0 ? env.Undefined() : env.Null();
  Napi::String s = Napi::String::New(env, v);
  std::free(v);
  return s;
}

Napi::Value Attach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvState* s = state_of(env);
  std::string uuid = string_arg(info, 0, "uuid");
  std::string bug = string_arg(info, 1, "bugName");
  int mix = info.Length() > 2 && info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  if (mix < OAIR_MIX_MONO || mix > OAIR_MIX_STEREO) throw Napi::RangeError::New(env, "Expected mix 0|1|2");
  uint32_t cap_ms = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Uint32Value() : 1000;
  uint32_t play_ms = info.Length() > 4 && info[4].IsNumber() ? info[4].As<Napi::Number>().Uint32Value() : 1000;
  oair_attach_request req{uuid.c_str(), bug.c_str(), static_cast<oair_mix>(mix), cap_ms, play_ms};
  oair_attach_result res{0, 0};
  oair_channel* ch = nullptr;
  char err[256] = "attach failed";
  int rc = host_ops()->attach(host_ops()->ctx, &req, &res, &ch, err, sizeof err);
  if (rc != 0 || !ch) {
    // The code, not the wording, is what JS decides on (host.h's oair_host_error).
    Napi::Error e = Napi::Error::New(env, err);
    e.Set("code", Napi::Number::New(env, rc < 0 ? rc : OAIR_ERR_FAILED));
    throw e;
  }
  uint32_t id = table_add(ch, s);  // its js_id is published by the waker store below
  // Only a thread that takes media wake-ups gets the channel queued on its ready list: a list
  // nobody drains would hold the records (and their rings) forever.
  if (s && s->waker >= 0 && s->media_cb) ch->waker.store(s->waker, std::memory_order_release);
  Napi::Object o = Napi::Object::New(env);
  o.Set("id", id);
  o.Set("sampleRate", res.sample_rate);
  o.Set("frameSamples", res.frame_samples);
  o.Set("captureChannels", ch->capture_channels);
  o.Set("captureCapacity", ch->capture.capacity());
  o.Set("playbackCapacity", ch->playback.capacity());
  return o;
}

// Moves the JS reference of a channel to this JS thread (a worker taking over a session).
Napi::Value Adopt(const Napi::CallbackInfo& info) {
  EnvState* s = state_of(info.Env());
  uint32_t id = id_arg(info);
  Channel* ch = table_adopt(id, s);
  if (!ch) return Napi::Boolean::New(info.Env(), false);
  if (s && s->waker >= 0 && s->media_cb) {
    ch->waker.store(s->waker, std::memory_order_release);
    waker_signal(ch);  // anything captured before the hand-over gets read
  }
  return Napi::Boolean::New(info.Env(), true);
}

Napi::Value Detach(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  if (ch && !ch->closed.load()) host_ops()->detach(host_ops()->ctx, static_cast<oair_channel*>(ch));
  return Napi::Boolean::New(info.Env(), ch != nullptr);
}

Napi::Value Release(const Napi::CallbackInfo& info) {
  Channel* ch = table_remove(id_arg(info));
  if (ch) oair_channel_release(static_cast<oair_channel*>(ch));
  return Napi::Boolean::New(info.Env(), ch != nullptr);
}

// read(id, Int16Array) → samples copied out of the capture ring (whole frames), -1 for an unknown id.
Napi::Value Read(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  if (!ch) return Napi::Number::New(info.Env(), -1);
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "Expected an Int16Array");
  Napi::Int16Array out = info[1].As<Napi::Int16Array>();
  uint32_t n = ch->capture.pop(out.Data(), static_cast<uint32_t>(out.ElementLength()));
  return Napi::Number::New(info.Env(), n);
}

// write(id, Int16Array, length) → samples queued for playback (as many as fit).
Napi::Value Write(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  if (!ch || ch->closed.load(std::memory_order_acquire)) return Napi::Number::New(info.Env(), 0);
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "Expected an Int16Array");
  Napi::Int16Array in = info[1].As<Napi::Int16Array>();
  uint32_t len = static_cast<uint32_t>(in.ElementLength());
  if (info.Length() > 2 && info[2].IsNumber()) {
    uint32_t want = info[2].As<Napi::Number>().Uint32Value();
    if (want < len) len = want;
  }
  return Napi::Number::New(info.Env(), ch->playback.push_some(in.Data(), len));
}

// playbackInfo(id, Float64Array(4 or 5)) fills [queued samples, free samples, played position, written
// position, ms since the media thread last asked for a frame (-1: not yet)] without allocating;
// returns false for an unknown id.
Napi::Value PlaybackInfo(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  if (!ch) return Napi::Boolean::New(info.Env(), false);
  if (info.Length() < 2 || !info[1].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "Expected a Float64Array");
  Napi::Float64Array out = info[1].As<Napi::Float64Array>();
  if (out.ElementLength() < 4) throw Napi::RangeError::New(info.Env(), "Expected 4 slots");
  out[0] = static_cast<double>(ch->playback_queued());
  out[1] = static_cast<double>(ch->playback.free_space());
  out[2] = static_cast<double>(ch->playback.tail());
  out[3] = static_cast<double>(ch->playback.head());
  if (out.ElementLength() >= 5) {
    int64_t tick = ch->playback_tick_ns.load(std::memory_order_relaxed);
    out[4] = tick == 0 ? -1.0 : static_cast<double>(oair::steady_ns() - tick) / 1e6;
  }
  return Napi::Boolean::New(info.Env(), true);
}

// Barge-in: everything written so far is dropped by the media thread before its next frame.
// Returns the played position at the moment of the flush (≤ one frame may still go out).
Napi::Value FlushPlayback(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  if (!ch) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), static_cast<double>(ch->playback_request_flush()));
}

// setPlaybackMode(id, 0 idle | 1 queued | 2 awaiting the server): what an empty ring counts as.
Napi::Value SetPlaybackMode(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  uint32_t mode = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 0;
  if (mode > kPlaybackAwaitingServer) throw Napi::RangeError::New(info.Env(), "Expected a playback mode 0|1|2");
  if (ch) ch->playback_mode.store(static_cast<uint8_t>(mode), std::memory_order_relaxed);
  return info.Env().Undefined();
}

// poll(id) → bit mask: 1 closed, 2 DTMF waiting, 4 captured audio waiting, 8 playback running low
// while audio is expected; -1 unknown id.
Napi::Value Poll(const Napi::CallbackInfo& info) {
  Channel* ch = lookup(id_arg(info));
  if (!ch) return Napi::Number::New(info.Env(), -1);
  return Napi::Number::New(info.Env(), ch->poll_bits());
}

// drainReady(Int32Array) → n: the channels that changed since the last drain, as n pairs
// [id, poll bits] (bits as poll()). Call again while n fills the array. Replaces polling every
// channel on every wake-up: the cost of a wake is the channels with news, not all of them.
Napi::Value DrainReady(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvState* s = state_of(env);
  if (info.Length() < 1 || !info[0].IsTypedArray()) throw Napi::TypeError::New(env, "Expected an Int32Array");
  Napi::Int32Array out = info[0].As<Napi::Int32Array>();
  const size_t capacity = out.ElementLength() / 2;
  if (!s || s->waker < 0) return Napi::Number::New(env, 0);
  if (s->ready_backlog.empty()) {
    // The list is newest first; the backlog is consumed from its back, so oldest first.
    for (Channel* c = waker_take_ready(s->waker); c != nullptr; c = c->ready_next) s->ready_backlog.push_back(c);
  }
  size_t n = 0;
  while (n < capacity && !s->ready_backlog.empty()) {
    Channel* ch = s->ready_backlog.back();
    s->ready_backlog.pop_back();
    // Cleared before reading the state: whatever a media thread adds from now on queues it again.
    ch->ready_queued.store(false, std::memory_order_seq_cst);
    out[2 * n] = static_cast<int32_t>(ch->js_id.load(std::memory_order_relaxed));
    out[2 * n + 1] = ch->poll_bits();
    n++;
    oair_channel_release(static_cast<oair_channel*>(ch));  // the list's reference
  }
  return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value ReadDtmf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Channel* ch = lookup(id_arg(info));
  Napi::Array out = Napi::Array::New(env);
  if (!ch) return out;
  char digit[2] = {0, 0};
  uint32_t duration_ms = 0;
  for (uint32_t i = 0; ch->dtmf_pop(&digit[0], &duration_ms); i++) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("digit", digit);
    d.Set("durationMs", duration_ms);
    out.Set(i, d);
  }
  return out;
}

Napi::Value Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Channel* ch = lookup(id_arg(info));
  if (!ch) return env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  const ChannelCounters& c = ch->counters;
  o.Set("framesIn", static_cast<double>(c.frames_in.load()));
  o.Set("captureOverruns", static_cast<double>(c.capture_overruns.load()));
  o.Set("framesOut", static_cast<double>(c.frames_out.load()));
  o.Set("underruns", static_cast<double>(c.underruns.load()));
  o.Set("serverGaps", static_cast<double>(c.server_gaps.load()));
  o.Set("samplesPlayed", static_cast<double>(c.samples_played.load()));
  o.Set("dtmfDropped", static_cast<double>(c.dtmf_dropped.load()));
  o.Set("captureQueued", ch->capture.available());
  o.Set("playbackQueued", ch->playback.available());
  o.Set("closed", ch->closed.load());
  return o;
}

Napi::Value Control(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string uuid = string_arg(info, 0, "uuid");
  std::string action = string_arg(info, 1, "action");
  std::vector<std::string> args;
  if (info.Length() > 2 && info[2].IsArray()) {
    Napi::Array a = info[2].As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) args.push_back(a.Get(i).ToString().Utf8Value());
  }
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  char err[256] = "failed";
  if (host_ops()->control(host_ops()->ctx, uuid.c_str(), action.c_str(), argv.data(), err, sizeof err) != 0) {
    throw Napi::Error::New(env, err);
  }
  return env.Undefined();
}

Napi::Value OnWake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvState* s = state_of(env);
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "Expected a function");
  uint32_t batch_ms = 0;
  if (info.Length() > 1 && !info[1].IsUndefined()) {
    if (!info[1].IsNumber()) throw Napi::TypeError::New(env, "Expected a batch interval in ms");
    double v = info[1].As<Napi::Number>().DoubleValue();
    if (!(v >= 0 && v <= 1000)) throw Napi::RangeError::New(env, "Expected a batch interval of 0-1000 ms");
    batch_ms = static_cast<uint32_t>(v);
  }
  ensure_waker(env, s);
  s->media_batch_ms = batch_ms;
  if (s->media_cb) napi_delete_reference(env, s->media_cb);
  napi_create_reference(env, info[0], 1, &s->media_cb);
  // Frames that came before the callback left the flag set: run them now.
  if (waker_media_pending(s->waker)) uv_async_send(s->async);
  return env.Undefined();
}

Napi::Value ServeCommands(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  EnvState* s = state_of(env);
  if (info.Length() < 1 || !info[0].IsFunction()) throw Napi::TypeError::New(env, "Expected a function");
  ensure_waker(env, s);
  if (s->command_cb) napi_delete_reference(env, s->command_cb);
  napi_create_reference(env, info[0], 1, &s->command_cb);
  s->serving_commands = true;
  commands_set_server(s->waker);
  return env.Undefined();
}

Napi::Value Reply(const Napi::CallbackInfo& info) {
  if (info.Length() < 2 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "Expected (id, text)");
  uint64_t id = static_cast<uint64_t>(info[0].As<Napi::Number>().DoubleValue());
  std::string text = info[1].ToString().Utf8Value();
  if (text.empty()) text = "-ERR empty reply\n";
  return Napi::Boolean::New(info.Env(), commands_reply(id, text));
}

Napi::Value Ready(const Napi::CallbackInfo& info) {
  notify_ready();
  return info.Env().Undefined();
}

Napi::Value Shutdown(const Napi::CallbackInfo& info) {
  EnvState* s = state_of(info.Env());
  if (s) release_env(s, false);
  return info.Env().Undefined();
}

// setThreadName(name): names the calling JS thread (15 characters at most) for `top -H` and /proc.
Napi::Value SetThreadName(const Napi::CallbackInfo& info) {
  std::string name = string_arg(info, 0, "name").substr(0, 15);
  return Napi::Boolean::New(info.Env(), pthread_setname_np(pthread_self(), name.c_str()) == 0);
}

Napi::Value Counters(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("liveChannels", static_cast<double>(live_channels()));
  o.Set("tableChannels", static_cast<double>(table_size()));
  o.Set("commandTimeouts", static_cast<double>(commands_timeouts()));
  return o;
}

}  // namespace

napi_value bridge_init(napi_env raw_env, napi_value raw_exports) {
  // node-addon-api turns C++ exceptions into JS exceptions at every function boundary below.
  Napi::Env env(raw_env);
  Napi::Object exports(raw_env, raw_exports);
  auto* s = new EnvState();
  s->env = raw_env;
  env.SetInstanceData<EnvState>(s);  // deleted with the environment
  // The (hook, arg) pair is unique per environment, as Node requires.
  napi_add_env_cleanup_hook(raw_env, env_cleanup_hook, s);
  exports.Set("hostInfo", Napi::Function::New(env, HostInfo, "hostInfo"));
  exports.Set("log", Napi::Function::New(env, Log, "log"));
  exports.Set("fireEvent", Napi::Function::New(env, FireEvent, "fireEvent"));
  exports.Set("getVar", Napi::Function::New(env, GetVar, "getVar"));
  exports.Set("attach", Napi::Function::New(env, Attach, "attach"));
  exports.Set("adopt", Napi::Function::New(env, Adopt, "adopt"));
  exports.Set("detach", Napi::Function::New(env, Detach, "detach"));
  exports.Set("release", Napi::Function::New(env, Release, "release"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("write", Napi::Function::New(env, Write, "write"));
  exports.Set("playbackInfo", Napi::Function::New(env, PlaybackInfo, "playbackInfo"));
  exports.Set("flushPlayback", Napi::Function::New(env, FlushPlayback, "flushPlayback"));
  exports.Set("setPlaybackMode", Napi::Function::New(env, SetPlaybackMode, "setPlaybackMode"));
  exports.Set("poll", Napi::Function::New(env, Poll, "poll"));
  exports.Set("drainReady", Napi::Function::New(env, DrainReady, "drainReady"));
  exports.Set("readDtmf", Napi::Function::New(env, ReadDtmf, "readDtmf"));
  exports.Set("stats", Napi::Function::New(env, Stats, "stats"));
  exports.Set("control", Napi::Function::New(env, Control, "control"));
  exports.Set("onWake", Napi::Function::New(env, OnWake, "onWake"));
  exports.Set("serveCommands", Napi::Function::New(env, ServeCommands, "serveCommands"));
  exports.Set("reply", Napi::Function::New(env, Reply, "reply"));
  exports.Set("ready", Napi::Function::New(env, Ready, "ready"));
  exports.Set("shutdown", Napi::Function::New(env, Shutdown, "shutdown"));
  exports.Set("counters", Napi::Function::New(env, Counters, "counters"));
  exports.Set("setThreadName", Napi::Function::New(env, SetThreadName, "setThreadName"));
  return exports;
}

}  // namespace oair
