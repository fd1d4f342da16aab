// bridge_selftest.cc — native tests of the bridge core with real threads and no Node at all, so
// AddressSanitizer/UBSan see every access (CI builds and runs it under ASan).
//  1. ring: a producer thread on a 20 ms clock, a consumer that is sometimes late; no frame lost or
//     reordered, overruns counted and never blocking;
//  2. channel records: create/release across threads, close racing capture/playback, refcounts;
//  3. command queue: many API threads, replies, timeouts, late replies after a timeout, fail-all;
//  4. ready list: many media threads queueing channels while a JS stand-in takes the list whole;
//     a channel is never in one take twice, no frame is left unread, and the list's references all
//     come back;
//  5. the playback ring's formulas (bridge.h): queued samples across a flush, trim, the poll bits,
//     DTMF in order; and the channel table's ids and owners.
#include <time.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../bridge/bridge.h"
#include "../bridge/channel_table.h"
#include "../bridge/commands.h"
#include "../bridge/wakers.h"
#include "../host.h"

#include <set>
#include <uv.h>

static int g_failures = 0;
#define CHECK(cond, ...)                                   \
  do {                                                     \
    if (!(cond)) {                                         \
      std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      std::fprintf(stderr, __VA_ARGS__);                   \
      std::fprintf(stderr, "\n");                          \
      g_failures++;                                        \
    }                                                      \
  } while (0)

static void test_ring_producer_consumer() {
  oair::SampleRing ring(160 * 8);
  const int frames = 150;
  std::atomic<bool> done{false};
  std::atomic<int> dropped{0};
  std::thread producer([&] {
    int16_t frame[160];
    uint32_t seq = 0;
    auto next = std::chrono::steady_clock::now();
    for (int f = 0; f < frames; f++) {
      next += std::chrono::milliseconds(2);  // a fast clock keeps the test short; ordering is what matters
      std::this_thread::sleep_until(next);
      for (int i = 0; i < 160; i++) frame[i] = static_cast<int16_t>((seq + i) & 0x7FFF);
      if (ring.push_all(frame, 160)) seq += 160; else dropped++;
    }
    done = true;
  });
  std::vector<int16_t> got;
  int16_t buf[512];
  int stalls = 0;
  while (!done || ring.available()) {
    if (++stalls % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a stuck consumer
    uint32_t n = ring.pop(buf, 512);
    got.insert(got.end(), buf, buf + n);
    if (!n) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  producer.join();
  CHECK(got.size() == static_cast<size_t>(frames - dropped) * 160, "got %zu samples, dropped %d", got.size(), dropped.load());
  for (size_t i = 0; i < got.size(); i++) {
    if (got[i] != static_cast<int16_t>(i & 0x7FFF)) {
      CHECK(false, "sample %zu out of order: %d", i, got[i]);
      break;
    }
  }
}

static void test_ring_flush_and_wrap() {
  oair::SampleRing ring(64);
  int16_t in[48], out[64];
  for (int round = 0; round < 100; round++) {
    for (int i = 0; i < 48; i++) in[i] = static_cast<int16_t>(round * 100 + i);
    CHECK(ring.push_some(in, 48) == 48, "push round %d", round);
    CHECK(ring.push_some(in, 48) == 16, "partial push round %d", round);
    ring.skip_to(ring.head() - 10);
    CHECK(ring.pop(out, 64) == 10, "after skip 10 remain");
    CHECK(out[0] == in[6], "skip kept the newest samples");  // the second push queued in[0..16)
  }
}

static void test_channel_races() {
  for (int iter = 0; iter < 200; iter++) {
    oair_channel* ch = oair_channel_create("u", 8000, 160, 1, 200, 200);
    CHECK(ch != nullptr, "create");
    std::atomic<bool> stop{false};
    std::thread media([&] {
      int16_t f[160] = {0}, o[160];
      while (!stop) {
        oair_channel_capture(ch, f, 160);
        oair_channel_playback(ch, o, 160);
        oair_channel_dtmf(ch, '5', 100);
      }
      oair_channel_close(ch);
      oair_channel_release(ch);  // the host's reference
    });
    int16_t buf[400];
    for (int i = 0; i < 50; i++) {
      ch->capture.pop(buf, 400);
      ch->playback.push_some(buf, 160);
      if (i == 25) ch->playback_request_flush();
    }
    stop = true;
    media.join();
    CHECK(ch->closed.load(), "closed after hangup");
    oair_channel_release(ch);  // the JS reference: frees the record
  }
  CHECK(oair::live_channels() == 0, "leaked %lld records", static_cast<long long>(oair::live_channels()));
}

static void test_command_queue() {
  // No server: immediate answer.
  char* r = oair::commands_submit("x", "y", 100);
  CHECK(std::strcmp(r, "-ERR runtime not running\n") == 0, "no server: %s", r);
  std::free(r);
  // A fake JS thread that answers most commands, ignores some (timeouts) and answers some late.
  oair::commands_set_server(0);  // waker 0 has no async handle: pokes are harmless no-ops
  std::atomic<bool> stop{false};
  std::thread js([&] {
    std::vector<oair::PendingCommand> cmds;
    std::vector<uint64_t> late;
    while (!stop) {
      cmds.clear();
      oair::commands_take(cmds);
      for (auto& c : cmds) {
        if (c.args == "ignore") continue;
        if (c.args == "late") { late.push_back(c.id); continue; }
        oair::commands_reply(c.id, "+OK " + c.args + "\n");
      }
      if (late.size() > 3) {
        std::this_thread::sleep_for(std::chrono::milliseconds(60));
        for (uint64_t id : late) CHECK(!oair::commands_reply(id, "+OK late\n"), "late reply accepted");
        late.clear();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  std::vector<std::thread> api;
  std::atomic<int> ok{0}, timeouts{0};
  for (int t = 0; t < 8; t++) {
    api.emplace_back([&, t] {
      for (int i = 0; i < 50; i++) {
        std::string arg = (i % 10 == 3) ? "ignore" : (i % 10 == 7) ? "late" : std::to_string(t * 1000 + i);
        // Only the requests meant to time out get a short timeout: on a loaded (ASan, CI) machine a
        // normal reply may take longer than 40 ms, and that is not what this test is about.
        bool expect_timeout = arg == "ignore" || arg == "late";
        char* reply = oair::commands_submit("api", arg.c_str(), expect_timeout ? 40 : 10000);
        if (std::strncmp(reply, "+OK ", 4) == 0) {
          CHECK(arg + "\n" == std::string(reply + 4), "reply mismatch %s vs %s", reply, arg.c_str());
          ok++;
        } else if (std::strcmp(reply, "-ERR timeout\n") == 0) {
          timeouts++;
        } else {
          CHECK(false, "unexpected reply %s", reply);
        }
        std::free(reply);
      }
    });
  }
  for (auto& t : api) t.join();
  stop = true;
  js.join();
  CHECK(ok == 8 * 40, "ok replies %d", ok.load());
  CHECK(timeouts == 8 * 10, "timeouts %d", timeouts.load());
  // Fail-all answers whoever is still waiting.
  std::thread waiter([] {
    char* reply = oair::commands_submit("api", "pending", 5000);
    CHECK(std::strcmp(reply, "-ERR runtime stopped\n") == 0, "fail-all reply %s", reply);
    std::free(reply);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  oair::commands_fail_all("-ERR runtime stopped\n");
  waiter.join();
  oair::commands_set_server(-1);
}

static void test_ready_list() {
  uv_loop_t loop;
  uv_loop_init(&loop);
  uv_async_t async;
  uv_async_init(&loop, &async, [](uv_async_t*) {});
  const int waker = oair::waker_acquire(&async);
  CHECK(waker >= 0, "waker slot");
  constexpr int kThreads = 8, kPerThread = 8, kFrames = 400;
  std::vector<oair_channel*> chans;
  for (int i = 0; i < kThreads * kPerThread; i++) {
    oair_channel* ch = oair_channel_create("r", 8000, 160, 1, 1000, 200);
    ch->waker.store(waker);
    chans.push_back(ch);
  }
  std::vector<uint64_t> read(chans.size(), 0);
  auto index_of = [&](oair::Channel* c) {
    for (size_t i = 0; i < chans.size(); i++)
      if (static_cast<oair::Channel*>(chans[i]) == c) return static_cast<int>(i);
    return -1;
  };
  int duplicates = 0, unknown = 0;
  int16_t buf[8000];
  // The JS side: take the whole list, clear each flag before reading the ring, give the reference back.
  auto drain = [&] {
    std::set<int> seen;
    for (oair::Channel* c = oair::waker_take_ready(waker); c != nullptr;) {
      oair::Channel* next = c->ready_next;
      int i = index_of(c);
      if (i < 0) unknown++;
      else if (!seen.insert(i).second) duplicates++;
      c->ready_queued.store(false);
      uint32_t n;
      while (i >= 0 && (n = c->capture.pop(buf, 8000)) > 0) read[i] += n;
      oair_channel_release(static_cast<oair_channel*>(c));
      c = next;
    }
  };
  std::atomic<int> running{kThreads};
  std::vector<std::thread> media;
  for (int t = 0; t < kThreads; t++) {
    media.emplace_back([&, t] {
      int16_t f[160] = {0};
      for (int k = 0; k < kFrames; k++) {
        for (int j = 0; j < kPerThread; j++) oair_channel_capture(chans[t * kPerThread + j], f, 160);
        if (k % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      running--;
    });
  }
  while (running.load() > 0) drain();
  for (auto& m : media) m.join();
  drain();  // whatever was queued after the last take
  CHECK(duplicates == 0, "a channel twice in one take (%d)", duplicates);
  CHECK(unknown == 0, "unknown records in the list (%d)", unknown);
  for (size_t i = 0; i < chans.size(); i++) {
    const uint64_t in = chans[i]->counters.frames_in.load() * 160;
    CHECK(read[i] == in, "channel %zu: %llu samples read of %llu queued", i, static_cast<unsigned long long>(read[i]),
          static_cast<unsigned long long>(in));
    CHECK(!chans[i]->ready_queued.load(), "channel %zu still marked queued", i);
    oair_channel_close(chans[i]);   // signals once more: queued with a reference of the list's
    oair_channel_release(chans[i]);  // the host's reference
  }
  drain();
  for (oair_channel* ch : chans) oair_channel_release(ch);  // the JS references: every record freed
  CHECK(oair::live_channels() == 0, "leaked %lld records (list references)", static_cast<long long>(oair::live_channels()));
  oair::waker_disarm(waker);
  uv_close(reinterpret_cast<uv_handle_t*>(&async), nullptr);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}

static void test_playback_formulas_and_table() {
  oair_channel* ch = oair_channel_create("f", 8000, 160, 1, 200, 200);
  CHECK(ch != nullptr, "create");
  int16_t buf[800] = {0}, out[160];
  CHECK(ch->poll_bits() == 0, "nothing for JS yet (bits %d)", ch->poll_bits());
  ch->playback_mode.store(oair::kPlaybackQueued);
  CHECK(ch->poll_bits() == oair::kPollPlaybackLow, "an empty ring while audio is queued is low");
  CHECK(ch->playback.push_some(buf, 800) == 800, "write five frames");
  CHECK(oair_channel_playback_queued(ch) == 800, "five frames queued");
  CHECK(ch->poll_bits() == 0, "five frames are not low");
  CHECK(oair_channel_playback(ch, out, 160) == 160, "one frame played");
  CHECK(ch->playback_queued() == 640 && ch->playback_played() == 160, "four frames left after one");
  CHECK(oair_channel_playback_trim(ch, 300) == 320, "trim to 300 keeps two whole frames");
  CHECK(ch->playback_queued() == 320, "two frames after the trim");
  uint64_t at = ch->playback_request_flush();
  CHECK(at == 480, "the flush reports the played position (%llu)", static_cast<unsigned long long>(at));
  CHECK(ch->playback_queued() == 0, "a pending flush counts as played");
  CHECK(oair_channel_playback(ch, out, 160) == 0, "nothing plays after the flush");
  CHECK(ch->playback.tail() == ch->playback.head(), "the consumer carried the flush out");
  oair_channel_dtmf(ch, '1', 100);
  oair_channel_dtmf(ch, '#', 250);
  CHECK(ch->poll_bits() & oair::kPollDtmf, "DTMF waiting");
  char d = 0;
  uint32_t ms = 0;
  CHECK(ch->dtmf_pop(&d, &ms) && d == '1' && ms == 100, "first digit");
  CHECK(ch->dtmf_pop(&d, &ms) && d == '#' && ms == 250, "second digit");
  CHECK(!ch->dtmf_pop(&d, &ms), "no third digit");
  int owner_a = 0, owner_b = 0;
  uint32_t id = oair::table_add(ch, &owner_a);
  CHECK(id != 0 && ch->js_id.load() == id && oair::table_find(id) == ch, "the table finds the record by its id");
  CHECK(oair::table_adopt(id, &owner_b) == ch, "adopted by another thread");
  CHECK(oair::table_remove_owned(&owner_a).empty(), "no longer the first thread's");
  std::vector<oair::Channel*> owned = oair::table_remove_owned(&owner_b);
  CHECK(owned.size() == 1 && owned[0] == ch && oair::table_find(id) == nullptr && oair::table_size() == 0, "removed with its owner");
  oair_channel_close(ch);
  CHECK(ch->poll_bits() & oair::kPollClosed, "closed");
  oair_channel_release(ch);
  oair_channel_release(ch);
  CHECK(oair::live_channels() == 0, "leaked %lld records", static_cast<long long>(oair::live_channels()));
}

int main() {
  test_ring_producer_consumer();
  test_ring_flush_and_wrap();
  test_channel_races();
  test_command_queue();
  test_ready_list();
  test_playback_formulas_and_table();
  std::printf("bridge_selftest: %s\n", g_failures ? "FAILED" : "ok");
  return g_failures ? 1 : 0;
}
