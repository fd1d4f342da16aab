// event_scrub.h — verbose events in the host simulator, scrubbed as FreeSWITCH's glue scrubs them.
//
// With verbose events on, FreeSWITCH copies every channel variable into each event as a
// `variable_<name>` header, so an API key set as a channel variable would ride along on every
// event the module fires. native/freeswitch/mod_openai_realtime.c (scrub_secrets) drops every
// header that names a secret variable, and every header whose value holds one of those values or
// looks like a key. This is the same rule, so tests can see what a FreeSWITCH consumer would see.
// Keep the two in step.
#ifndef OAIR_SIM_EVENT_SCRUB_H
#define OAIR_SIM_EVENT_SCRUB_H
#include <string>
#include <utility>
#include <vector>
namespace oair_sim {
using Headers = std::vector<std::pair<std::string, std::string>>;
// Removes the headers FreeSWITCH's glue would remove.
void scrub_secret_headers(Headers& headers);
}  // namespace oair_sim
#endif
