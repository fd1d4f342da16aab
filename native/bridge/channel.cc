// channel.cc — channel records and their media-thread entry points (the C API of host.h).
//
// Everything here that a media thread calls is lock-free and allocation-free: ring pushes/pops,
// relaxed counter increments, and one coalesced wake-up per batch through waker_signal().
#include <chrono>
#include <new>

#include "bridge.h"

namespace oair {

static std::atomic<int64_t> g_live_channels{0};

int64_t live_channels() { return g_live_channels.load(std::memory_order_relaxed); }

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Channel::Channel(const char* id, uint32_t rate, uint32_t frame, uint32_t cap_channels, uint32_t capture_samples,
                 uint32_t playback_samples)
    : uuid(id ? id : ""),
      sample_rate(rate),
      frame_samples(frame),
      capture_channels(cap_channels),
      capture(capture_samples),
      playback(playback_samples) {
  g_live_channels.fetch_add(1, std::memory_order_relaxed);
}

static uint32_t ms_to_samples(uint32_t ms, uint32_t rate, uint32_t channels, uint32_t min_samples) {
  uint64_t n = static_cast<uint64_t>(ms) * rate / 1000 * channels;
  if (n < min_samples) n = min_samples;
  if (n > (1u << 24)) n = 1u << 24;  // 16 M samples: far beyond any sane ring, keeps a typo from eating RAM
  return static_cast<uint32_t>(n);
}

}  // namespace oair

extern "C" {

oair_channel* oair_channel_create(const char* uuid, uint32_t sample_rate, uint32_t frame_samples,
                                  uint32_t capture_channels, uint32_t capture_ring_ms, uint32_t playback_ring_ms) {
  if (sample_rate < 8000 || sample_rate > 192000 || frame_samples == 0 || frame_samples > sample_rate ||
      (capture_channels != 1 && capture_channels != 2)) {
    return nullptr;
  }
  // Each ring holds at least two frames so one frame in flight never counts as a full ring.
  uint32_t cap = oair::ms_to_samples(capture_ring_ms, sample_rate, capture_channels, 2 * frame_samples * capture_channels);
  uint32_t play = oair::ms_to_samples(playback_ring_ms, sample_rate, 1, 2 * frame_samples);
  return new (std::nothrow) oair_channel(uuid, sample_rate, frame_samples, capture_channels, cap, play);
}

void oair_channel_release(oair_channel* ch) {
  if (!ch) return;
  if (ch->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    oair::g_live_channels.fetch_sub(1, std::memory_order_relaxed);
    delete ch;
  }
}

void oair_channel_set_host_data(oair_channel* ch, void* data) {
  if (ch) ch->host_data.store(data, std::memory_order_release);
}

void* oair_channel_host_data(const oair_channel* ch) {
  return ch ? ch->host_data.load(std::memory_order_acquire) : nullptr;
}

void oair_channel_capture(oair_channel* ch, const int16_t* samples, uint32_t count) {
  if (!ch || ch->closed.load(std::memory_order_acquire) || !samples || count == 0) return;
  if (ch->capture.push_all(samples, count)) {
    ch->counters.frames_in.fetch_add(1, std::memory_order_relaxed);
  } else {
    ch->counters.capture_overruns.fetch_add(1, std::memory_order_relaxed);
  }
  oair::waker_signal(ch);
}

uint32_t oair_channel_playback(oair_channel* ch, int16_t* out, uint32_t count) {
  if (!ch || !out || count == 0 || ch->closed.load(std::memory_order_acquire)) return 0;
  ch->playback_tick_ns.store(oair::steady_ns(), std::memory_order_relaxed);
  ch->playback_apply_flush();
  // Only whole frames are played: a short frame would be padded by the core with garbage (the seed
  // module's stale-inuse bug). JS pads the end of each utterance to a frame boundary.
  if (ch->playback.available() < count) {
    uint8_t mode = ch->playback_mode.load(std::memory_order_relaxed);
    if (mode == oair::kPlaybackQueued) {
      ch->counters.underruns.fetch_add(1, std::memory_order_relaxed);
    } else if (mode == oair::kPlaybackAwaitingServer) {
      ch->counters.server_gaps.fetch_add(1, std::memory_order_relaxed);
    }
    return 0;
  }
  uint32_t n = ch->playback.pop(out, count);
  ch->counters.frames_out.fetch_add(1, std::memory_order_relaxed);
  ch->counters.samples_played.fetch_add(n, std::memory_order_relaxed);
  // Room freed in the playback ring: JS may want to top it up.
  if (ch->playback_low(count)) oair::waker_signal(ch);
  return n;
}

uint32_t oair_channel_playback_queued(const oair_channel* ch) { return ch ? ch->playback_queued() : 0; }

uint32_t oair_channel_playback_trim(oair_channel* ch, uint32_t keep_samples) {
  if (!ch || ch->closed.load(std::memory_order_acquire)) return 0;
  ch->playback_apply_flush();
  const uint32_t frame = ch->frame_samples;
  uint32_t keep = (keep_samples + frame - 1) / frame * frame;
  uint32_t avail = ch->playback.available();
  if (avail <= keep) return 0;
  uint32_t drop = (avail - keep) / frame * frame;  // whole frames: what stays is still frame-aligned
  if (drop == 0) return 0;
  ch->playback.skip_to(ch->playback.tail() + drop);
  return drop;
}

void oair_channel_dtmf(oair_channel* ch, char digit, uint32_t duration_ms) {
  if (!ch || ch->closed.load(std::memory_order_acquire)) return;
  uint32_t head = ch->dtmf_head.load(std::memory_order_relaxed);
  if (head - ch->dtmf_tail.load(std::memory_order_acquire) >= oair::kDtmfRingSize) {
    ch->counters.dtmf_dropped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (duration_ms > 0xFFFFFF) duration_ms = 0xFFFFFF;
  ch->dtmf[head & (oair::kDtmfRingSize - 1)] = static_cast<uint8_t>(digit) | (duration_ms << 8);
  ch->dtmf_head.store(head + 1, std::memory_order_release);
  oair::waker_signal(ch);
}

void oair_channel_close(oair_channel* ch) {
  if (!ch) return;
  if (!ch->closed.exchange(true, std::memory_order_acq_rel)) {
    oair::waker_signal(ch);
  }
}

}  // extern "C"
