/*
 * speexdspBench.c — bench-only reference: Debian's libspeexdsp resampler, driven the way the module
 * drives its own (mono int16, 20 ms frames, one stateful instance per direction). Not part of the
 * product; `npm run bench` builds it with the system compiler and links -lspeexdsp.
 *
 *   speexdsp-bench speed <inRate> <outRate> <quality> <seconds>
 *       resamples deterministic noise in 20 ms frames for at least <seconds> of CPU time and prints
 *       {"nsPerInputSample":…,"nsPerOutputSample":…,"inputLatency":…}
 *   speexdsp-bench convert <inRate> <outRate> <quality>
 *       raw int16 (host order) on stdin → resampled raw int16 on stdout, 20 ms frames
 */
#include <speex/speex_resampler.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static SpeexResamplerState *make(int in_rate, int out_rate, int quality) {
  int err = 0;
  SpeexResamplerState *st = speex_resampler_init(1, (spx_uint32_t)in_rate, (spx_uint32_t)out_rate, quality, &err);
  if (!st || err != RESAMPLER_ERR_SUCCESS) {
    fprintf(stderr, "speex_resampler_init: %s\n", speex_resampler_strerror(err));
    exit(2);
  }
  return st;
}

/* Resamples one frame completely; returns output samples. */
static spx_uint32_t frame(SpeexResamplerState *st, const int16_t *in, spx_uint32_t n, int16_t *out, spx_uint32_t cap) {
  spx_uint32_t in_len = n, out_len = cap;
  speex_resampler_process_int(st, 0, in, &in_len, out, &out_len);
  if (in_len != n) {
    fprintf(stderr, "speexdsp consumed %u of %u samples\n", in_len, n);
    exit(3);
  }
  return out_len;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s speed|convert <inRate> <outRate> <quality> [seconds]\n", argv[0]);
    return 2;
  }
  int in_rate = atoi(argv[2]), out_rate = atoi(argv[3]), quality = atoi(argv[4]);
  spx_uint32_t fin = (spx_uint32_t)(in_rate / 50);
  spx_uint32_t cap = (spx_uint32_t)((uint64_t)fin * out_rate / in_rate + 16);
  int16_t *out = malloc(cap * sizeof(int16_t));
  SpeexResamplerState *st = make(in_rate, out_rate, quality);

  if (!strcmp(argv[1], "convert")) {
    int16_t *in = malloc(fin * sizeof(int16_t));
    size_t got;
    while ((got = fread(in, sizeof(int16_t), fin, stdin)) > 0) {
      spx_uint32_t n = frame(st, in, (spx_uint32_t)got, out, cap);
      fwrite(out, sizeof(int16_t), n, stdout);
    }
    return 0;
  }
  if (strcmp(argv[1], "speed") || argc < 6) {
    fprintf(stderr, "unknown mode\n");
    return 2;
  }
  double seconds = atof(argv[5]);
  /* 10 s of noise at the input rate, the same generator as the TypeScript side (LCG). */
  size_t total = (size_t)in_rate * 10;
  int16_t *noise = malloc(total * sizeof(int16_t));
  uint32_t s = 12345;
  for (size_t i = 0; i < total; i++) {
    s = s * 1103515245u + 12345u;
    noise[i] = (int16_t)((int32_t)((s >> 8) % 40000u) - 20000);
  }
  /* Warm-up pass, then timed passes until the CPU time reaches `seconds`. */
  for (size_t p = 0; p + fin <= total; p += fin) frame(st, noise + p, fin, out, cap);
  uint64_t in_count = 0, out_count = 0;
  volatile int32_t sink = 0;
  double t0 = now_s(), t1 = t0;
  while (t1 - t0 < seconds) {
    for (size_t p = 0; p + fin <= total; p += fin) {
      spx_uint32_t n = frame(st, noise + p, fin, out, cap);
      sink += out[n / 2];
      in_count += fin;
      out_count += n;
    }
    t1 = now_s();
  }
  printf("{\"nsPerInputSample\":%.3f,\"nsPerOutputSample\":%.3f,\"inputLatency\":%d}\n", (t1 - t0) * 1e9 / (double)in_count,
         (t1 - t0) * 1e9 / (double)out_count, speex_resampler_get_input_latency(st));
  (void)sink;
  return 0;
}
