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

// What an empty playback ring means (mirrored by src/bridge.ts's PlaybackMode; checked by
// test/moduleInterface.test.ts).
constexpr uint8_t kPlaybackIdle = 0;
constexpr uint8_t kPlaybackQueued = 1;
constexpr uint8_t kPlaybackAwaitingServer = 2;

// What a channel has for JS (poll and the ready list; mirrored by src/bridge.ts's PollBits).
constexpr int kPollClosed = 1;
constexpr int kPollDtmf = 2;
constexpr int kPollCapture = 4;
constexpr int kPollPlaybackLow = 8;  // the playback ring runs low while audio is expected: top it up

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

  // ---- the rings' formulas, in one place (the media calls of channel.cc and the binding use these) ----

  // Playback position the media thread has reached: the ring's tail, or a pending flush's target
  // when that is ahead (never past what was written).
  uint64_t playback_played() const {
    uint64_t tail = playback.tail();
    uint64_t flush = playback_flush_to.load(std::memory_order_acquire);
    uint64_t head = playback.head();
    return tail > flush ? tail : (flush > head ? head : flush);
  }
  // Samples written and not yet played (a pending flush already deducted).
  uint32_t playback_queued() const { return static_cast<uint32_t>(playback.head() - playback_played()); }
  // JS side (barge-in): everything written so far is dropped before the next frame. Returns the
  // played position at that moment (at most one frame may still go out).
  uint64_t playback_request_flush() {
    uint64_t tail = playback.tail();
    playback_flush_to.store(playback.head(), std::memory_order_release);
    return tail;
  }
  // Consumer side (whoever pops the ring): carries out a flush JS asked for.
  void playback_apply_flush() {
    uint64_t flush_to = playback_flush_to.load(std::memory_order_acquire);
    if (flush_to > playback.tail()) playback.skip_to(flush_to);
  }
  // JS holds audio for the ring and less than two frames of `frame` samples are left in it.
  bool playback_low(uint32_t frame) const {
    return playback_mode.load(std::memory_order_relaxed) == kPlaybackQueued && playback.available() < 2 * frame;
  }
  // What the channel has for JS now (kPoll* bits).
  int poll_bits() const {
    int bits = 0;
    if (closed.load(std::memory_order_acquire)) bits |= kPollClosed;
    if (dtmf_head.load(std::memory_order_acquire) != dtmf_tail.load(std::memory_order_relaxed)) bits |= kPollDtmf;
    if (capture.available() > 0) bits |= kPollCapture;
    if (playback_low(frame_samples)) bits |= kPollPlaybackLow;
    return bits;
  }
  // JS side: takes the oldest DTMF digit; false when none is waiting.
  bool dtmf_pop(char* digit, uint32_t* duration_ms) {
    uint32_t tail = dtmf_tail.load(std::memory_order_relaxed);
    if (tail == dtmf_head.load(std::memory_order_acquire)) return false;
    uint32_t v = dtmf[tail & (kDtmfRingSize - 1)];
    *digit = static_cast<char>(v & 0xFF);
    *duration_ms = v >> 8;
    dtmf_tail.store(tail + 1, std::memory_order_release);
    return true;
  }
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
