// runtime.cc — embeds Debian's libnode (Node 18, ABI 108) in a host process.
//
// Every rule here comes from docs/embedding.md and protects the host (FreeSWITCH):
//  - InitializeOncePerProcess exactly once per process and never torn down (a second call aborts);
//    its result lives in a static that survives module unload/reload (the module links -z nodelete);
//  - Node runs on its own thread: explicit 8 MB stack (V8 assumes ~1 MB and FreeSWITCH sets a 240 KB
//    RLIMIT_STACK), explicit SCHED_OTHER (FreeSWITCH may run SCHED_FIFO), asynchronous signals blocked
//    (fault signals stay unblocked so FreeSWITCH's crash handling still sees them);
//  - no inspector, no native addons, no NODE_OPTIONS, no stdio or signal changes;
//  - process.exit() and fatal exceptions stop only the Environment (SetProcessExitHandler);
//  - the Environment is created and destroyed on the Node thread; node::Stop() is the hard fallback.
// This translation unit includes node.h and nothing of the bridge but its entry point's declaration.
#include <node.h>
#include <pthread.h>
#include <signal.h>
#include <uv.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "../bridge/binding.h"
#include "../host.h"

#if NODE_MODULE_VERSION != 108
#error "The runtime is written against Debian's libnode108 (Node 18). Point LIBNODE_ROOT at its headers."
#endif

namespace oair {
void set_host_ops(const oair_host_ops* ops);
const oair_host_ops* host_ops();
void set_host_info(const char* host_name, const char* config_json, const char* bundle_dir);
void set_ready_hook(void (*hook)(void));
}  // namespace oair

namespace {

constexpr size_t kNodeThreadStack = 8u << 20;

struct RuntimeState {
  std::mutex mu;
  std::condition_variable cv;
  node::Environment* env = nullptr;  // guarded by mu; valid only while the loop spins
  bool thread_alive = false;
  bool joinable = false;  // a thread was started and not yet joined
  bool ready = false;
  bool stop_requested = false;
  std::string start_error;
  pthread_t thread{};
  // Configuration, copied at start.
  std::string bundle_dir, host_name, config_json;
  std::vector<std::string> node_options;
  uint32_t restart_delay_ms = 0;
  uint64_t environments_started = 0;
};

RuntimeState g_rt;
std::unique_ptr<node::InitializationResult> g_init;  // per process, never torn down
std::atomic<bool> g_running{false};

void log(int level, const std::string& msg) { oair::host_ops()->log(oair::host_ops()->ctx, level, nullptr, msg.c_str()); }

void on_js_ready() {
  std::lock_guard<std::mutex> lock(g_rt.mu);
  g_rt.ready = true;
  g_running.store(true);
  g_rt.cv.notify_all();
}

bool initialize_process() {
  if (g_init) return true;
  std::vector<std::string> args = {"oair-runtime", "--force-node-api-uncaught-exceptions-policy=true"};
  for (const std::string& o : g_rt.node_options) args.push_back(o);
  g_init = node::InitializeOncePerProcess(
      args, {node::ProcessInitializationFlags::kNoStdioInitialization,
             node::ProcessInitializationFlags::kNoDefaultSignalHandling,
             node::ProcessInitializationFlags::kNoAdjustResourceLimits,
             node::ProcessInitializationFlags::kNoUseLargePages,
             node::ProcessInitializationFlags::kNoPrintHelpOrVersionOutput,
             node::ProcessInitializationFlags::kDisableNodeOptionsEnv});
  for (const std::string& e : g_init->errors()) log(OAIR_LOG_ERROR, "node init: " + e);
  if (g_init->early_return() || !g_init->platform()) {
    std::lock_guard<std::mutex> lock(g_rt.mu);
    g_rt.start_error = "node initialisation failed";
    return false;
  }
  return true;
}

// Runs one Environment until it stops. Returns when the loop ends for any reason.
void run_environment() {
  std::vector<std::string> errors;
  std::string main_js = g_rt.bundle_dir + "/dist/main.js";
  std::vector<std::string> args = {"oair-runtime", main_js};
  std::unique_ptr<node::CommonEnvironmentSetup> setup = node::CommonEnvironmentSetup::Create(
      g_init->platform(), &errors, args, g_init->exec_args(),
      static_cast<node::EnvironmentFlags::Flags>(node::EnvironmentFlags::kNoCreateInspector |
                                                 node::EnvironmentFlags::kNoNativeAddons));
  for (const std::string& e : errors) log(OAIR_LOG_ERROR, "node environment: " + e);
  if (!setup) {
    std::lock_guard<std::mutex> lock(g_rt.mu);
    g_rt.start_error = "cannot create the Node environment";
    g_rt.cv.notify_all();
    return;
  }
  v8::Isolate* isolate = setup->isolate();
  node::Environment* env = setup->env();
  {
    v8::Locker locker(isolate);
    v8::Isolate::Scope isolate_scope(isolate);
    v8::HandleScope handle_scope(isolate);
    v8::Context::Scope context_scope(setup->context());
    node::AddLinkedBinding(env, "oair_bridge", oair::bridge_init);
    node::SetProcessExitHandler(env, [](node::Environment* e, int code) {
      log(code == 0 ? OAIR_LOG_NOTICE : OAIR_LOG_CRIT,
          "JS runtime asked to exit (code " + std::to_string(code) + "); stopping the runtime, the host keeps running");
      node::Stop(e);
    });
    {
      std::lock_guard<std::mutex> lock(g_rt.mu);
      g_rt.env = env;
      g_rt.environments_started++;
    }
    // An empty callback runs argv[1] as Node's main module (ESM, as package.json says).
    v8::MaybeLocal<v8::Value> loaded = node::LoadEnvironment(env, node::StartExecutionCallback{});
    if (!loaded.IsEmpty()) {
      node::SpinEventLoop(env);  // Nothing if node::Stop() was called
    } else {
      log(OAIR_LOG_ERROR, "loading " + main_js + " failed");
    }
    std::lock_guard<std::mutex> lock(g_rt.mu);
    g_rt.env = nullptr;
  }
  g_running.store(false);
  setup.reset();  // on this thread, as Node requires; runs the bridge's cleanup hooks
}

// libuv starts its thread pool at the first piece of work, from whichever thread asks: started here,
// while this thread is still "oair-node", the pool's threads carry that name instead of "oair-js".
void start_thread_pool() {
  uv_loop_t loop;
  if (uv_loop_init(&loop) != 0) return;
  uv_work_t work;
  uv_queue_work(&loop, &work, [](uv_work_t*) {}, [](uv_work_t*, int) {});
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
}

void* node_thread_main(void*) {
  // Block asynchronous signals here; every thread Node creates inherits the mask. Synchronous fault
  // signals stay deliverable: blocked, a SIGSEGV would kill the host silently.
  sigset_t set;
  sigfillset(&set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT, SIGSYS}) sigdelset(&set, sig);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  // Names an operator sees in `top -H`: the threads Node starts from here (V8's platform workers,
  // libuv's pool) inherit "oair-node"; this one, which runs JS, is "oair-js" (workers: oair-js-N).
  pthread_setname_np(pthread_self(), "oair-node");
  start_thread_pool();
  if (initialize_process()) {
    pthread_setname_np(pthread_self(), "oair-js");
    for (;;) {
      run_environment();
      std::unique_lock<std::mutex> lock(g_rt.mu);
      if (g_rt.stop_requested || g_rt.restart_delay_ms == 0 || !g_rt.ready) break;
      // The Environment ended without being asked to (process.exit, fatal error): start a fresh one.
      lock.unlock();
      log(OAIR_LOG_CRIT, "JS runtime stopped unexpectedly; restarting in " + std::to_string(g_rt.restart_delay_ms) + " ms");
      lock.lock();
      g_rt.ready = false;
      if (g_rt.cv.wait_for(lock, std::chrono::milliseconds(g_rt.restart_delay_ms), [] { return g_rt.stop_requested; })) {
        break;
      }
    }
  }
  std::lock_guard<std::mutex> lock(g_rt.mu);
  g_rt.thread_alive = false;
  g_running.store(false);
  g_rt.cv.notify_all();
  return nullptr;
}

}  // namespace

extern "C" {

int oair_runtime_start(const oair_runtime_config* cfg, const oair_host_ops* ops, char* err, size_t err_len) {
  if (!cfg || !cfg->bundle_dir) {
    std::snprintf(err, err_len, "no bundle directory");
    return -1;
  }
  std::unique_lock<std::mutex> lock(g_rt.mu);
  if (g_rt.joinable) {
    std::snprintf(err, err_len, "runtime already running");
    return -1;
  }
  oair::set_host_ops(ops);
  oair::set_host_info(cfg->host_name, cfg->config_json, cfg->bundle_dir);
  oair::set_ready_hook(on_js_ready);
  g_rt.bundle_dir = cfg->bundle_dir;
  g_rt.host_name = cfg->host_name ? cfg->host_name : "host";
  g_rt.config_json = cfg->config_json ? cfg->config_json : "{}";
  g_rt.node_options.clear();
  for (const char* const* o = cfg->node_options; o && *o; o++) g_rt.node_options.emplace_back(*o);
  if (g_init && !g_rt.node_options.empty()) {
    log(OAIR_LOG_NOTICE, "Node options apply once per process; a reload keeps the first ones");
  }
  g_rt.restart_delay_ms = cfg->restart_delay_ms;
  g_rt.ready = false;
  g_rt.stop_requested = false;
  g_rt.start_error.clear();

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kNodeThreadStack);
  pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
  pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
  sched_param sp{};
  sp.sched_priority = 0;
  pthread_attr_setschedparam(&attr, &sp);
  int rc = pthread_create(&g_rt.thread, &attr, node_thread_main, nullptr);
  pthread_attr_destroy(&attr);
  if (rc != 0) {
    std::snprintf(err, err_len, "cannot create the Node thread: %s", std::strerror(rc));
    return -1;
  }
  g_rt.thread_alive = true;
  g_rt.joinable = true;
  uint32_t timeout = cfg->start_timeout_ms ? cfg->start_timeout_ms : 10000;
  bool ok = g_rt.cv.wait_for(lock, std::chrono::milliseconds(timeout),
                             [] { return g_rt.ready || !g_rt.thread_alive || !g_rt.start_error.empty(); });
  if (ok && g_rt.ready) return 0;
  std::string why = !g_rt.start_error.empty() ? g_rt.start_error
                    : !ok                     ? "JS did not become ready in time"
                                              : "JS failed to start (see the log)";
  lock.unlock();
  oair_runtime_stop(2000);
  std::snprintf(err, err_len, "%s", why.c_str());
  return -1;
}

void oair_runtime_stop(uint32_t timeout_ms) {
  {
    std::lock_guard<std::mutex> lock(g_rt.mu);
    if (!g_rt.joinable) return;
    g_rt.stop_requested = true;
    g_rt.cv.notify_all();
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  // Graceful first: JS ends its sessions (close frames, events) and lets the loop run dry.
  if (g_running.load()) {
    char* reply = oair_runtime_command("__runtime__", "shutdown", timeout_ms / 2 + 1);
    std::free(reply);
  }
  {
    std::unique_lock<std::mutex> lock(g_rt.mu);
    if (!g_rt.cv.wait_until(lock, deadline, [] { return !g_rt.thread_alive; })) {
      // Hard stop: terminates even a JS busy loop (verified), then the thread tears down.
      if (g_rt.env) {
        log(OAIR_LOG_WARNING, "JS did not stop in time; forcing the runtime to stop");
        node::Stop(g_rt.env);
      }
    }
  }
  pthread_join(g_rt.thread, nullptr);
  std::lock_guard<std::mutex> lock(g_rt.mu);
  g_rt.joinable = false;
  g_rt.thread_alive = false;
  g_running.store(false);
}

int oair_runtime_running(void) { return g_running.load() ? 1 : 0; }

}  // extern "C"
