// channel_table.h — the ids JS addresses channel records by.
//
// Each entry holds the JS side's reference to its record and says which JS thread holds it (an
// opaque owner: the binding's per-thread state). Only JS threads touch the table (the host's attach
// runs on one); media threads hold record pointers directly and never take its lock.
#ifndef OAIR_CHANNEL_TABLE_H
#define OAIR_CHANNEL_TABLE_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "bridge.h"

namespace oair {

// Adds a record (with the JS reference it carries) for `owner`; returns its id, also stored in
// the record's js_id. Ids are never 0.
uint32_t table_add(Channel* ch, const void* owner);
// The record of an id, or nullptr. The pointer stays valid while the entry exists (only its owner
// thread removes it).
Channel* table_find(uint32_t id);
// Gives the entry to another JS thread (a worker taking over a session); nullptr for an unknown id.
Channel* table_adopt(uint32_t id, const void* owner);
// Removes an entry; returns its record, whose JS reference the caller now releases, or nullptr.
Channel* table_remove(uint32_t id);
// Removes every entry of `owner` (a JS thread going away); the caller releases their references.
std::vector<Channel*> table_remove_owned(const void* owner);
size_t table_size();

}  // namespace oair

#endif
