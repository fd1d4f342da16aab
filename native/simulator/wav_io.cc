#include "wav_io.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace oair_sim {

static uint32_t le32(const uint8_t* p) { return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24); }
static uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }

bool read_wav(const std::string& path, Wav& out, std::string& err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err = "cannot open " + path;
    return false;
  }
  std::vector<uint8_t> d((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (d.size() < 12 || std::memcmp(d.data(), "RIFF", 4) != 0 || std::memcmp(d.data() + 8, "WAVE", 4) != 0) {
    err = path + " is not a RIFF/WAVE file";
    return false;
  }
  bool have_fmt = false;
  size_t pos = 12;
  while (pos + 8 <= d.size()) {
    uint32_t size = le32(&d[pos + 4]);
    const uint8_t* body = &d[pos + 8];
    size_t avail = d.size() - pos - 8;
    if (std::memcmp(&d[pos], "fmt ", 4) == 0 && size >= 16 && avail >= 16) {
      uint16_t format = le16(body), bits = le16(body + 14);
      out.channels = le16(body + 2);
      out.sample_rate = le32(body + 4);
      if ((format != 1 && format != 0xFFFE) || bits != 16 || out.channels == 0) {
        err = path + ": only 16-bit PCM WAV is supported";
        return false;
      }
      have_fmt = true;
    } else if (std::memcmp(&d[pos], "data", 4) == 0) {
      if (!have_fmt) break;
      size_t n = (size < avail ? size : avail) / 2;
      out.samples.resize(n);
      for (size_t i = 0; i < n; i++) out.samples[i] = static_cast<int16_t>(le16(body + 2 * i));
      return true;
    }
    pos += 8 + size + (size & 1);
  }
  err = path + ": no fmt/data chunk";
  return false;
}

bool write_wav(const std::string& path, const int16_t* samples, size_t count, uint32_t rate, uint32_t channels,
               std::string& err) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    err = "cannot write " + path;
    return false;
  }
  uint32_t data_bytes = static_cast<uint32_t>(count * 2);
  uint8_t h[44];
  auto put32 = [&](int at, uint32_t v) {
    for (int i = 0; i < 4; i++) h[at + i] = static_cast<uint8_t>(v >> (8 * i));
  };
  auto put16 = [&](int at, uint16_t v) {
    h[at] = static_cast<uint8_t>(v);
    h[at + 1] = static_cast<uint8_t>(v >> 8);
  };
  std::memcpy(h, "RIFF", 4);
  put32(4, 36 + data_bytes);
  std::memcpy(h + 8, "WAVEfmt ", 8);
  put32(16, 16);
  put16(20, 1);
  put16(22, static_cast<uint16_t>(channels));
  put32(24, rate);
  put32(28, rate * channels * 2);
  put16(32, static_cast<uint16_t>(channels * 2));
  put16(34, 16);
  std::memcpy(h + 36, "data", 4);
  put32(40, data_bytes);
  bool ok = std::fwrite(h, 1, 44, f) == 44;
  for (size_t i = 0; ok && i < count; i++) {
    uint8_t s[2] = {static_cast<uint8_t>(samples[i] & 0xFF), static_cast<uint8_t>((samples[i] >> 8) & 0xFF)};
    ok = std::fwrite(s, 1, 2, f) == 2;
  }
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) err = "write failed: " + path;
  return ok;
}

}  // namespace oair_sim
