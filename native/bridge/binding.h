// binding.h — the bridge's N-API entry point, for the runtime's linked binding and the test addon.
#ifndef OAIR_BINDING_H
#define OAIR_BINDING_H
#include <node_api.h>
namespace oair {
// Fills `exports` with the bridge API for this environment (see src/bridge.ts for the typed view).
napi_value bridge_init(napi_env env, napi_value exports);
}  // namespace oair
#endif
