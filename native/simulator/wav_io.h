// wav_io.h — 16-bit PCM WAV reading and writing for the host simulator.
#ifndef OAIR_SIM_WAV_IO_H
#define OAIR_SIM_WAV_IO_H
#include <cstdint>
#include <string>
#include <vector>
namespace oair_sim {
struct Wav {
  uint32_t sample_rate = 0;
  uint32_t channels = 0;
  std::vector<int16_t> samples;  // interleaved
};
// Reads a PCM 16-bit WAV; returns false with a reason in err.
bool read_wav(const std::string& path, Wav& out, std::string& err);
bool write_wav(const std::string& path, const int16_t* samples, size_t count, uint32_t rate, uint32_t channels,
               std::string& err);
}  // namespace oair_sim
#endif
