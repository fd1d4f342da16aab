#include "jsonl.h"

namespace oair_sim {

std::string json_escape(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\r': o += "\\r"; break;
      case '\t': o += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          o += buf;
        } else {
          o += static_cast<char>(c);
        }
    }
  }
  return o + "\"";
}

bool JsonlWriter::open(const std::string& path) {
  f_ = std::fopen(path.c_str(), "w");
  return f_ != nullptr;
}

void JsonlWriter::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (f_) std::fclose(f_);
  f_ = nullptr;
}

void JsonlWriter::write(double t_ms, const char* kind, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!f_) return;
  std::fprintf(f_, "{\"t\":%.1f,\"kind\":\"%s\"", t_ms, kind);
  for (const auto& kv : fields) std::fprintf(f_, ",%s:%s", json_escape(kv.first).c_str(), kv.second.c_str());
  std::fputs("}\n", f_);
  std::fflush(f_);
}

}  // namespace oair_sim
