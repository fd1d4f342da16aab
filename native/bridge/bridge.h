// bridge.h — internals shared by the bridge's translation units (host-agnostic, no node.h).
//
// The bridge owns: channel records (rings + counters), the channel table JS addresses by id, the
// wakers that poke a JS thread from media threads, and the command queue API threads wait on.
#ifndef OAIR_BRIDGE_H
#define OAIR_BRIDGE_H

#include <atomic>
#include <cstdint>
#include <string>

#include "../host.h"
#include "sample_ring.h"

namespace oair {

// Per-channel counters. Written by one side only (noted), read by anyone with relaxed loads.
struct ChannelCounters {
  std::atomic<uint64_t> frames_in{0};          // media: captured frames queued
  std::atomic<uint64_t> capture_overruns{0};   // media: captured frames dropped, ring full
  std::atomic<uint64_t> frames_out{0};         // media: frames filled with assistant audio
  std::atomic<uint64_t> underruns{0};          // media: frame wanted while JS held audio for it, none ready
  std::atomic<uint64_t> server_gaps{0};        // media: frame wanted mid-answer while the server's next audio had not come
  std::atomic<uint64_t> samples_played{0};     // media: assistant samples handed to the channel
  std::atomic<uint64_t> dtmf_dropped{0};       // media: digits lost, DTMF ring full
};

constexpr uint32_t kDtmfRingSize = 32;  // power of two

constexpr uint8_t kPlaybackIdle = 0;
constexpr uint8_t kPlaybackQueued = 1;
constexpr uint8_t kPlaybackAwaitingServer = 2;

struct Channel {
  Channel(const char* uuid, uint32_t rate, uint32_t frame_samples, uint32_t capture_channels,
          uint32_t capture_samples, uint32_t playback_samples);

  std::atomic<int> refs{2};
  const std::string uuid;
  const uint32_t sample_rate;
  const uint32_t frame_samples;
  const uint32_t capture_channels;
  SampleRing capture;   // media thread → JS
  SampleRing playback;  // JS → media thread
  // JS asks the media thread to drop everything queued before this playback position (barge-in).
  std::atomic<uint64_t> playback_flush_to{0};
  // What an empty ring means now, as JS last said: silence (kPlaybackIdle), an underrun (JS holds
  // audio for it: kPlaybackQueued) or a server gap (an answer is streaming but its next audio has
  // not arrived: kPlaybackAwaitingServer). Split so a gap can be blamed on the right side.
  std::atomic<uint8_t> playback_mode{0};
  // When the media thread last asked for a playback frame (steady clock, ns; 0: not yet), whether
  // or not it got one: the phase of the channel's frame clock, so JS can tell when the next frame
  // is taken (GPT-Live primes its jitter buffer to it; docs/DESIGN.md §7).
  std::atomic<int64_t> playback_tick_ns{0};
  std::atomic<bool> closed{false};
  std::atomic<int> waker{-1};  // which JS thread to wake; -1 until a JS thread adopts the channel
  // The ready list (see waker_signal): set while this record sits in its waker's list, so a media
  // thread queues it at most once per JS drain; the list holds a reference of its own.
  std::atomic<bool> ready_queued{false};
  Channel* ready_next = nullptr;   // written only by the thread that queues it (the flag was clear)
  std::atomic<uint32_t> js_id{0};  // the id JS addresses this record by (0 until attached)
  ChannelCounters counters;
  // DTMF digits (media → JS), packed as digit | duration_ms << 8.
  std::atomic<uint32_t> dtmf_head{0};
  std::atomic<uint32_t> dtmf_tail{0};
  uint32_t dtmf[kDtmfRingSize] = {};
  std::atomic<void*> host_data{nullptr};
};

}  // namespace oair

// The C handle of host.h is the record itself.
struct oair_channel : oair::Channel {
  using oair::Channel::Channel;
};

namespace oair {

// ---- wakers: one per JS thread (main runtime thread, each worker) ----
constexpr int kMaxWakers = 64;
// Media-thread side: marks work pending and sends one async wake-up unless one is already pending
// for that JS thread. Lock-free, allocation-free, async-signal-safe underneath (uv_async_send).
void waker_poke_media(int waker);
void waker_poke_commands(int waker);
// Media-thread side, per channel: queues the record on its JS thread's ready list (once until that
// thread drains it) and pokes the waker, so a wake-up costs JS the channels that changed, not all.
void waker_signal(Channel* ch);
// JS-thread side: takes the whole ready list of `waker` (oldest last); each record carries a list
// reference that the caller releases with oair_channel_release after clearing ready_queued.
Channel* waker_take_ready(int waker);

// ---- process-wide host state set by the runtime (or the test addon) ----
void set_host_ops(const oair_host_ops* ops);
const oair_host_ops* host_ops();  // never NULL; a no-op host until set
void set_host_info(const char* host_name, const char* config_json, const char* bundle_dir);
const std::string& host_name();
const std::string& host_config_json();
const std::string& host_bundle_dir();
// Called when JS says it is ready (bridge.ready()).
void set_ready_hook(void (*hook)(void));
void notify_ready();

// Steady-clock nanoseconds (the clock playback_tick_ns is on).
int64_t steady_ns();

// Number of live channel records (a leak check for tests and status).
int64_t live_channels();

// ---- command queue ----
void commands_set_server(int waker);  // a JS thread serves commands; -1: none (replies "-ERR runtime not running")
void commands_fail_all(const char* reply);  // answer everything queued or in JS with `reply`

}  // namespace oair

#endif
