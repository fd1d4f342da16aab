// jsonl.h — the simulator's record of a call: one JSON object per line with its time in ms.
#ifndef OAIR_SIM_JSONL_H
#define OAIR_SIM_JSONL_H
#include <cstdio>
#include <mutex>
#include <string>
#include <utility>
#include <vector>
namespace oair_sim {
std::string json_escape(const std::string& s);
class JsonlWriter {
 public:
  bool open(const std::string& path);
  void close();
  // Writes {"t":<ms>,"kind":<kind>, <fields...>}; each field value is already JSON.
  void write(double t_ms, const char* kind, const std::vector<std::pair<std::string, std::string>>& fields);
 private:
  std::mutex mu_;
  FILE* f_ = nullptr;
};
}  // namespace oair_sim
#endif
