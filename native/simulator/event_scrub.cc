#include "event_scrub.h"

#include <strings.h>

#include <cctype>
#include <cstring>

namespace oair_sim {

static bool contains_nocase(const std::string& hay, const char* needle) {
  size_t n = std::strlen(needle);
  if (n == 0 || hay.size() < n) return false;
  for (size_t i = 0; i + n <= hay.size(); i++) {
    if (!strncasecmp(hay.c_str() + i, needle, n)) return true;
  }
  return false;
}

// mod_openai_realtime.c is_secret_name.
static bool is_secret_name(const std::string& name) {
  if (name.size() < 9 || strncasecmp(name.c_str(), "variable_", 9)) return false;
  std::string v = name.substr(9);
  return !strcasecmp(v.c_str(), "STREAM_OPENAI_API_KEY") || !strcasecmp(v.c_str(), "STREAM_EXTRA_HEADERS") ||
         contains_nocase(v, "API_KEY") || contains_nocase(v, "SECRET") || contains_nocase(v, "TOKEN") ||
         contains_nocase(v, "PASSWORD");
}

// mod_openai_realtime.c looks_like_key: "Bearer " anywhere, or "sk-" and 20+ key characters.
static bool looks_like_key(const std::string& v) {
  if (contains_nocase(v, "Bearer ")) return true;
  for (size_t p = v.find("sk-"); p != std::string::npos; p = v.find("sk-", p + 3)) {
    size_t n = 0;
    for (size_t q = p + 3; q < v.size() && (std::isalnum(static_cast<unsigned char>(v[q])) || v[q] == '-' || v[q] == '_'); q++) n++;
    if (n >= 20) return true;
  }
  return false;
}

void scrub_secret_headers(Headers& headers) {
  std::vector<std::string> secrets;
  for (const auto& h : headers) {
    if (is_secret_name(h.first) && h.second.size() >= 6) secrets.push_back(h.second);
  }
  Headers kept;
  for (auto& h : headers) {
    bool drop = is_secret_name(h.first) || looks_like_key(h.second);
    for (size_t i = 0; !drop && i < secrets.size(); i++) drop = h.second.find(secrets[i]) != std::string::npos;
    if (!drop) kept.push_back(std::move(h));
  }
  headers.swap(kept);
}

}  // namespace oair_sim
