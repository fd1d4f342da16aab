// bridge_state.cc — process-wide bridge state: host operations, wakers and the command queue.
//
// Wakers: a media thread must reach the Node thread without a lock and without allocating. Each JS
// thread (runtime main thread, later each worker) owns one uv_async_t; a media thread sets a
// "pending" flag and calls uv_async_send only if the flag was clear, so one wake-up (≈25 µs measured
// in FreeSWITCH) serves every frame that arrives before JS runs, across all channels.
//
// Commands: API threads (fs_cli, ESL, dialplan) copy a command into a queue and wait on their own
// condition variable with a timeout. JS takes the mutex only to move requests out of the queue.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <vector>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <sched.h>
#include <string>
#include <unordered_map>
#include <uv.h>

#include "bridge.h"
#include "commands.h"
#include "wakers.h"

namespace oair {

// ---------------------------------------------------------------- host ops
static void noop_log(void*, int, const char*, const char*) {}
static int noop_fire(void*, const char*, const char*, const char*, const char* const*) { return -1; }
static char* noop_get_var(void*, const char*, const char*, int* status) {
  if (status) *status = -1;
  return nullptr;
}
static int noop_attach(void*, const oair_attach_request*, oair_attach_result*, oair_channel**, char* err,
                       size_t err_len) {
  std::snprintf(err, err_len, "no host");
  return -1;
}
static void noop_detach(void*, oair_channel*) {}
static int noop_control(void*, const char*, const char*, const char* const*, char* err, size_t err_len) {
  std::snprintf(err, err_len, "no host");
  return -1;
}

static oair_host_ops g_noop_ops = {nullptr, noop_log, noop_fire, noop_get_var, noop_attach, noop_detach, noop_control};
static oair_host_ops g_ops = g_noop_ops;
static std::string g_host_name = "none", g_config_json = "{}", g_bundle_dir;
static void (*g_ready_hook)(void) = nullptr;

void set_host_ops(const oair_host_ops* ops) {
  g_ops = ops ? *ops : g_noop_ops;
  if (!g_ops.log) g_ops.log = noop_log;
  if (!g_ops.fire_event) g_ops.fire_event = noop_fire;
  if (!g_ops.get_var) g_ops.get_var = noop_get_var;
  if (!g_ops.attach) g_ops.attach = noop_attach;
  if (!g_ops.detach) g_ops.detach = noop_detach;
  if (!g_ops.control) g_ops.control = noop_control;
}
const oair_host_ops* host_ops() { return &g_ops; }
void set_host_info(const char* name, const char* config_json, const char* bundle_dir) {
  g_host_name = name ? name : "none";
  g_config_json = config_json && *config_json ? config_json : "{}";
  g_bundle_dir = bundle_dir ? bundle_dir : "";
}
const std::string& host_name() { return g_host_name; }
const std::string& host_config_json() { return g_config_json; }
const std::string& host_bundle_dir() { return g_bundle_dir; }
void set_ready_hook(void (*hook)(void)) { g_ready_hook = hook; }
void notify_ready() {
  if (g_ready_hook) g_ready_hook();
}

// ---------------------------------------------------------------- wakers
struct Waker {
  std::atomic<uv_async_t*> async{nullptr};
  std::atomic<int> inflight{0};
  std::atomic<bool> media_pending{false};
  std::atomic<bool> command_pending{false};
  // Channels with news for this JS thread: a lock-free LIFO that media threads push onto (CAS) and
  // JS takes whole (exchange), so there is no ABA and no node is ever popped singly.
  std::atomic<Channel*> ready_head{nullptr};
  bool in_use = false;  // guarded by g_wakers_mu
};

static Waker g_wakers[kMaxWakers];
static std::mutex g_wakers_mu;

int waker_acquire(uv_async_t* async) {
  std::lock_guard<std::mutex> lock(g_wakers_mu);
  for (int i = 0; i < kMaxWakers; i++) {
    if (!g_wakers[i].in_use) {
      Waker& w = g_wakers[i];
      w.in_use = true;
      // Records a media thread queued on this slot after its previous owner went away.
      for (Channel* c = w.ready_head.exchange(nullptr); c != nullptr;) {
        Channel* next = c->ready_next;
        c->ready_queued.store(false);
        oair_channel_release(static_cast<oair_channel*>(c));
        c = next;
      }
      w.media_pending.store(false);
      w.command_pending.store(false);
      w.async.store(async, std::memory_order_seq_cst);
      return i;
    }
  }
  return -1;
}

void waker_disarm(int idx) {
  if (idx < 0 || idx >= kMaxWakers) return;
  Waker& w = g_wakers[idx];
  // After this store no new uv_async_send can start; wait out the ones already under way so the
  // handle can be closed safely (the send itself never blocks, so this wait is a few instructions).
  w.async.store(nullptr, std::memory_order_seq_cst);
  while (w.inflight.load(std::memory_order_seq_cst) != 0) sched_yield();
  std::lock_guard<std::mutex> lock(g_wakers_mu);
  w.in_use = false;
}

static void waker_send(Waker& w) {
  w.inflight.fetch_add(1, std::memory_order_seq_cst);
  uv_async_t* a = w.async.load(std::memory_order_seq_cst);
  if (a) uv_async_send(a);
  w.inflight.fetch_sub(1, std::memory_order_seq_cst);
}

void waker_poke_media(int idx) {
  if (idx < 0 || idx >= kMaxWakers) return;
  Waker& w = g_wakers[idx];
  if (w.media_pending.exchange(true, std::memory_order_seq_cst)) return;  // one wake-up already pending
  waker_send(w);
}

void waker_signal(Channel* ch) {
  int idx = ch->waker.load(std::memory_order_acquire);
  if (idx < 0 || idx >= kMaxWakers) return;  // not adopted yet: Adopt pokes once it is
  Waker& w = g_wakers[idx];
  if (!ch->ready_queued.exchange(true, std::memory_order_seq_cst)) {
    // The caller holds a reference (host or JS), so the count is ≥ 1 and this cannot revive a dead
    // record; the list's reference keeps it alive until JS has drained it.
    ch->refs.fetch_add(1, std::memory_order_relaxed);
    Channel* head = w.ready_head.load(std::memory_order_relaxed);
    do {
      ch->ready_next = head;
    } while (!w.ready_head.compare_exchange_weak(head, ch, std::memory_order_release, std::memory_order_relaxed));
  }
  waker_poke_media(idx);
}

Channel* waker_take_ready(int idx) {
  if (idx < 0 || idx >= kMaxWakers) return nullptr;
  return g_wakers[idx].ready_head.exchange(nullptr, std::memory_order_acquire);
}

void waker_poke_commands(int idx) {
  if (idx < 0 || idx >= kMaxWakers) return;
  Waker& w = g_wakers[idx];
  if (w.command_pending.exchange(true, std::memory_order_seq_cst)) return;
  waker_send(w);
}

bool waker_take_media(int idx) {
  return idx >= 0 && idx < kMaxWakers && g_wakers[idx].media_pending.exchange(false, std::memory_order_seq_cst);
}
bool waker_media_pending(int idx) {
  return idx >= 0 && idx < kMaxWakers && g_wakers[idx].media_pending.load(std::memory_order_seq_cst);
}
bool waker_take_commands(int idx) {
  return idx >= 0 && idx < kMaxWakers && g_wakers[idx].command_pending.exchange(false, std::memory_order_seq_cst);
}

// ---------------------------------------------------------------- command queue
struct CommandRequest {
  std::atomic<int> refs{2};  // the waiting API thread's and the queue's
  uint64_t id = 0;
  std::string api, args;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::string reply;
};

static std::mutex g_cmd_mu;
static std::deque<CommandRequest*> g_cmd_queue;                  // waiting for JS
static std::unordered_map<uint64_t, CommandRequest*> g_cmd_in_js; // handed to JS, not yet answered
static int g_cmd_server = -1;
static uint64_t g_cmd_next_id = 1;
static std::atomic<uint64_t> g_cmd_timeouts{0};

static void request_release(CommandRequest* r) {
  if (r->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete r;
}

static void request_complete(CommandRequest* r, const std::string& reply) {
  {
    std::lock_guard<std::mutex> lock(r->mu);
    if (!r->done) {
      r->done = true;
      r->reply = reply;
    }
  }
  r->cv.notify_all();
  request_release(r);  // the queue's reference
}

void commands_set_server(int waker) {
  std::lock_guard<std::mutex> lock(g_cmd_mu);
  g_cmd_server = waker;
  if (waker >= 0 && !g_cmd_queue.empty()) waker_poke_commands(waker);
}

void commands_fail_all(const char* reply) {
  std::deque<CommandRequest*> queued;
  std::unordered_map<uint64_t, CommandRequest*> in_js;
  {
    std::lock_guard<std::mutex> lock(g_cmd_mu);
    queued.swap(g_cmd_queue);
    in_js.swap(g_cmd_in_js);
  }
  for (CommandRequest* r : queued) request_complete(r, reply);
  for (auto& kv : in_js) request_complete(kv.second, reply);
}

size_t commands_take(std::vector<PendingCommand>& out) {
  std::lock_guard<std::mutex> lock(g_cmd_mu);
  size_t n = 0;
  while (!g_cmd_queue.empty()) {
    CommandRequest* r = g_cmd_queue.front();
    g_cmd_queue.pop_front();
    g_cmd_in_js.emplace(r->id, r);
    out.push_back(PendingCommand{r->id, r->api, r->args});
    n++;
  }
  return n;
}

bool commands_reply(uint64_t id, const std::string& reply) {
  CommandRequest* r = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_cmd_mu);
    auto it = g_cmd_in_js.find(id);
    if (it == g_cmd_in_js.end()) return false;  // timed out and abandoned, or answered already
    r = it->second;
    g_cmd_in_js.erase(it);
  }
  request_complete(r, reply);
  return true;
}

uint64_t commands_timeouts() { return g_cmd_timeouts.load(std::memory_order_relaxed); }

char* commands_submit(const char* api, const char* args, uint32_t timeout_ms) {
  CommandRequest* r = new CommandRequest();
  r->api = api ? api : "";
  r->args = args ? args : "";
  {
    std::lock_guard<std::mutex> lock(g_cmd_mu);
    if (g_cmd_server < 0) {
      delete r;
      return strdup("-ERR runtime not running\n");
    }
    r->id = g_cmd_next_id++;
    g_cmd_queue.push_back(r);
    waker_poke_commands(g_cmd_server);
  }
  std::string reply;
  bool answered;
  {
    std::unique_lock<std::mutex> lock(r->mu);
    answered = r->cv.wait_for(lock, std::chrono::milliseconds(timeout_ms), [r] { return r->done; });
    if (answered) reply = r->reply;
  }
  if (!answered) {
    // Timed out: withdraw the request wherever it is, so a late reply from JS finds nothing.
    bool withdrawn = false;
    {
      std::lock_guard<std::mutex> lock(g_cmd_mu);
      for (auto it = g_cmd_queue.begin(); it != g_cmd_queue.end(); ++it) {
        if (*it == r) {
          g_cmd_queue.erase(it);
          withdrawn = true;
          break;
        }
      }
      if (!withdrawn) withdrawn = g_cmd_in_js.erase(r->id) > 0;
    }
    std::lock_guard<std::mutex> lock(r->mu);
    if (r->done) {
      reply = r->reply;  // answered between the timeout and the withdrawal
    } else {
      reply = "-ERR timeout\n";
      g_cmd_timeouts.fetch_add(1, std::memory_order_relaxed);
    }
    if (withdrawn) r->refs.fetch_sub(1, std::memory_order_acq_rel);  // the queue's reference, never 0 here
  }
  request_release(r);
  return strdup(reply.c_str());
}

}  // namespace oair

extern "C" char* oair_runtime_command(const char* api, const char* args, uint32_t timeout_ms) {
  return oair::commands_submit(api, args, timeout_ms);
}
