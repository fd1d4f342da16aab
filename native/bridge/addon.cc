// addon.cc — the bridge as a plain .node addon, for tests under the tooling Node (20).
//
// Inside FreeSWITCH and the host simulator the bridge is a linked binding of the embedded runtime;
// here it is loaded with node-gyp-build, and a test host (test_host.cc) plays FreeSWITCH: real
// native media threads on a real 20 ms clock.
#include <napi.h>

#include "binding.h"
#include "test_host.h"

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  oair::bridge_init(env, exports);
  exports.Set("testHost", oair::test_host_init(env));
  return exports;
}

NODE_API_MODULE(oair_bridge, Init)
