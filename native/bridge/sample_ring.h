// sample_ring.h — a single-producer single-consumer ring of int16 samples.
//
// One side is a media thread (FreeSWITCH's, or the simulator's), the other the Node thread; neither
// may block the other, so the ring is lock-free: positions are monotonically increasing 64-bit
// sample counts published with release stores and read with acquire loads. The buffer is allocated
// once, at channel creation; push and pop never allocate.
#ifndef OAIR_SAMPLE_RING_H
#define OAIR_SAMPLE_RING_H

#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>

namespace oair {

class SampleRing {
 public:
  // Capacity is rounded up to a power of two so positions map to slots with a mask.
  explicit SampleRing(uint32_t min_capacity);
  SampleRing(const SampleRing&) = delete;
  SampleRing& operator=(const SampleRing&) = delete;

  uint32_t capacity() const { return mask_ + 1; }

  // ---- producer side ----
  uint32_t free_space() const {
    return capacity() - static_cast<uint32_t>(head_.load(std::memory_order_relaxed) - tail_.load(std::memory_order_acquire));
  }
  // All or nothing: a captured frame is either queued whole or dropped whole (an overrun), so the
  // consumer never sees half a frame.
  bool push_all(const int16_t* samples, uint32_t count) {
    if (count > free_space()) return false;
    write_at(head_.load(std::memory_order_relaxed), samples, count);
    head_.store(head_.load(std::memory_order_relaxed) + count, std::memory_order_release);
    return true;
  }
  // As many as fit; returns how many were queued (back-pressure for the playback writer).
  uint32_t push_some(const int16_t* samples, uint32_t count) {
    uint32_t n = count < free_space() ? count : free_space();
    if (n == 0) return 0;
    write_at(head_.load(std::memory_order_relaxed), samples, n);
    head_.store(head_.load(std::memory_order_relaxed) + n, std::memory_order_release);
    return n;
  }
  uint64_t head() const { return head_.load(std::memory_order_acquire); }

  // ---- consumer side ----
  uint32_t available() const {
    return static_cast<uint32_t>(head_.load(std::memory_order_acquire) - tail_.load(std::memory_order_relaxed));
  }
  uint32_t pop(int16_t* out, uint32_t count) {
    uint32_t avail = available();
    uint32_t n = count < avail ? count : avail;
    if (n == 0) return 0;
    uint64_t t = tail_.load(std::memory_order_relaxed);
    read_at(t, out, n);
    tail_.store(t + n, std::memory_order_release);
    return n;
  }
  // Consumer discards everything before `position` (a flush requested by the producer). Only moves
  // forward, and never past what was produced.
  void skip_to(uint64_t position) {
    uint64_t t = tail_.load(std::memory_order_relaxed);
    uint64_t h = head_.load(std::memory_order_acquire);
    if (position > h) position = h;
    if (position > t) tail_.store(position, std::memory_order_release);
  }
  uint64_t tail() const { return tail_.load(std::memory_order_acquire); }

 private:
  void write_at(uint64_t pos, const int16_t* src, uint32_t n) {
    uint32_t start = static_cast<uint32_t>(pos) & mask_;
    uint32_t first = n < capacity() - start ? n : capacity() - start;
    std::memcpy(buf_.get() + start, src, first * sizeof(int16_t));
    if (n > first) std::memcpy(buf_.get(), src + first, (n - first) * sizeof(int16_t));
  }
  void read_at(uint64_t pos, int16_t* dst, uint32_t n) const {
    uint32_t start = static_cast<uint32_t>(pos) & mask_;
    uint32_t first = n < capacity() - start ? n : capacity() - start;
    std::memcpy(dst, buf_.get() + start, first * sizeof(int16_t));
    if (n > first) std::memcpy(dst + first, buf_.get(), (n - first) * sizeof(int16_t));
  }

  std::unique_ptr<int16_t[]> buf_;
  uint32_t mask_;
  alignas(64) std::atomic<uint64_t> head_{0};
  alignas(64) std::atomic<uint64_t> tail_{0};
};

inline uint32_t next_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v && p < (1u << 30)) p <<= 1;
  return p;
}

inline SampleRing::SampleRing(uint32_t min_capacity)
    : buf_(new int16_t[next_pow2(min_capacity < 2 ? 2 : min_capacity)]()),
      mask_(next_pow2(min_capacity < 2 ? 2 : min_capacity) - 1) {}

}  // namespace oair

#endif
