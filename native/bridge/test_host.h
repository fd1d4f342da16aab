// test_host.h — the addon-only test host (see test_host.cc).
#ifndef OAIR_TEST_HOST_H
#define OAIR_TEST_HOST_H
#include <napi.h>
namespace oair {
Napi::Object test_host_init(Napi::Env env);
}
#endif
