// commands.h — the command queue between API threads and JS (see bridge_state.cc).
#ifndef OAIR_COMMANDS_H
#define OAIR_COMMANDS_H
#include <cstdint>
#include <string>
#include <vector>
namespace oair {
struct PendingCommand {
  uint64_t id;
  std::string api;
  std::string args;
};
char* commands_submit(const char* api, const char* args, uint32_t timeout_ms);  // malloc()ed reply
size_t commands_take(std::vector<PendingCommand>& out);  // moves queued commands to "in JS"
bool commands_reply(uint64_t id, const std::string& reply);  // false if the request is gone
uint64_t commands_timeouts();
}  // namespace oair
#endif
