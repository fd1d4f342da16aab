// channel_table.cc — the ids JS addresses channel records by (see channel_table.h).
#include "channel_table.h"

#include <mutex>
#include <unordered_map>

namespace oair {
namespace {

struct Entry {
  Channel* channel;
  const void* owner;  // the JS thread whose reference this is
};

std::mutex g_mu;
std::unordered_map<uint32_t, Entry> g_entries;
uint32_t g_next_id = 1;

}  // namespace

uint32_t table_add(Channel* ch, const void* owner) {
  uint32_t id;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    id = g_next_id++;
    if (g_next_id == 0) g_next_id = 1;
    g_entries.emplace(id, Entry{ch, owner});
  }
  ch->js_id.store(id, std::memory_order_relaxed);  // published by the caller's waker store
  return id;
}

Channel* table_find(uint32_t id) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_entries.find(id);
  return it == g_entries.end() ? nullptr : it->second.channel;
}

Channel* table_adopt(uint32_t id, const void* owner) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_entries.find(id);
  if (it == g_entries.end()) return nullptr;
  it->second.owner = owner;
  return it->second.channel;
}

Channel* table_remove(uint32_t id) {
  std::lock_guard<std::mutex> lock(g_mu);
  auto it = g_entries.find(id);
  if (it == g_entries.end()) return nullptr;
  Channel* ch = it->second.channel;
  g_entries.erase(it);
  return ch;
}

std::vector<Channel*> table_remove_owned(const void* owner) {
  std::vector<Channel*> owned;
  std::lock_guard<std::mutex> lock(g_mu);
  for (auto it = g_entries.begin(); it != g_entries.end();) {
    if (it->second.owner == owner) {
      owned.push_back(it->second.channel);
      it = g_entries.erase(it);
    } else {
      ++it;
    }
  }
  return owned;
}

size_t table_size() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_entries.size();
}

}  // namespace oair
