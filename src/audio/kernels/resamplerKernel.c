/*
 * resamplerKernel.c — the polyphase dot products of src/audio/resampler.ts as a WebAssembly SIMD
 * kernel (wasm32 + simd128), built by scripts/build-wasm.sh into src/audio/resamplerKernelWasm.ts.
 *
 * Why C compiled to WebAssembly: the TypeScript loops run at ~0.6 ns per tap in float64, scalar;
 * four float32 lanes per instruction is what speexdsp's SSE path does. float32 keeps the output
 * within ±1 LSB of the float64 TypeScript path (tested): the rounding error of a few hundred float32
 * products is far below half an int16 step.
 *
 * Where the time goes, and what is done about it (measured against speexdsp in bench/):
 *  - outputs are finished four at a time: their four accumulators are reduced with one transpose
 *    (six shuffles/adds instead of twelve lane extractions), then rounded, converted and saturated
 *    to int16 as one vector (i16x8.narrow saturates: the clip to int16 is free);
 *  - pure decimation uses the symmetric filter folded, f[d]·(x[c−d] + x[c+d]): half the multiplies,
 *    and its four outputs share each coefficient load;
 *  - pure interpolation computes all `up` outputs of an input sample from one load of its window;
 *  - int16 → float32 uses the exponent trick (add 0x4B400000, subtract 2^23 + 2^22) because clang 14
 *    turns i16 → f32 vector conversions into per-lane scalar code.
 *
 * No state lives here: the caller (wasmResampler.ts) owns each stream's history and phase and lays
 * them out in linear memory for the call, so streams need no allocator and no dispose().
 * No libc (-nostdlib); floor is the f32x4.floor instruction.
 */
#include <stdint.h>
#include <wasm_simd128.h>

/* int16 → float32, eight at a time; the tail one by one. Exact for |v| < 2^22. */
static void widen(const int16_t *in, float *out, int n) {
  const v128_t magic_i = wasm_i32x4_splat(0x4B400000);
  const v128_t magic_f = wasm_f32x4_splat(12582912.0f); /* 2^23 + 2^22 */
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v128_t v = wasm_v128_load(in + i);
    v128_t lo = wasm_i32x4_extend_low_i16x8(v);
    v128_t hi = wasm_i32x4_extend_high_i16x8(v);
    wasm_v128_store(out + i, wasm_f32x4_sub(wasm_i32x4_add(lo, magic_i), magic_f));
    wasm_v128_store(out + i + 4, wasm_f32x4_sub(wasm_i32x4_add(hi, magic_i), magic_f));
  }
  for (; i < n; i++) out[i] = (float)in[i];
}

/* [Σa, Σb, Σc, Σd]: the four horizontal sums as one vector. */
static inline v128_t reduce4(v128_t a, v128_t b, v128_t c, v128_t d) {
  v128_t ab = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 4, 1, 5), wasm_i32x4_shuffle(a, b, 2, 6, 3, 7));
  v128_t cd = wasm_f32x4_add(wasm_i32x4_shuffle(c, d, 0, 4, 1, 5), wasm_i32x4_shuffle(c, d, 2, 6, 3, 7));
  return wasm_f32x4_add(wasm_i32x4_shuffle(ab, cd, 0, 1, 4, 5), wasm_i32x4_shuffle(ab, cd, 2, 3, 6, 7));
}

/* Math.round (halves up) of four values, clipped to int16, stored as four int16 (8 bytes). */
static inline void store4(int16_t *out, v128_t v) {
  v128_t r = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_floor(wasm_f32x4_add(v, wasm_f32x4_splat(0.5f))));
  wasm_v128_store64_lane(out, wasm_i16x8_narrow_i32x4(r, r), 0);
}

/*
 * General polyphase (any up/down), one call of Resampler.process for a chunk of `n` input samples.
 *   coefs  `up` branches of `taps` coefficients (a multiple of 4), oldest sample first
 *   x      taps − 1 history samples (oldest first), room for n more after them (filled here)
 *   state  {phase, need}: the branch of the next output and the input samples still to push
 *          before it (the TypeScript fields #phase and #need)
 *   out    room for the outputs plus 3 (groups of four are stored whole)
 * Returns the number of outputs.
 */
__attribute__((export_name("poly"))) int poly(const float *coefs, int taps, int up, int step_whole, int step_frac,
                                              int32_t *state, float *x, const int16_t *in, int n, int16_t *out) {
  widen(in, x + taps - 1, n);
  int phase = state[0], need = state[1], produced = 0;
  /* Up to four pending outputs: their branch and window. */
  const float *c[4], *w[4];
  int pending = 0;
  for (int i = 0; i < n; i++) {
    if (--need > 0) continue;
    do {
      c[pending] = coefs + phase * taps;
      w[pending] = x + i; /* the window whose newest sample is input i */
      if (++pending == 4) {
        v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < taps; j += 4) {
          a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(c[0] + j), wasm_v128_load(w[0] + j)));
          a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(c[1] + j), wasm_v128_load(w[1] + j)));
          a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(c[2] + j), wasm_v128_load(w[2] + j)));
          a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(c[3] + j), wasm_v128_load(w[3] + j)));
        }
        store4(out + produced, reduce4(a0, a1, a2, a3));
        produced += 4;
        pending = 0;
      }
      phase += step_frac;
      need = step_whole;
      if (phase >= up) {
        phase -= up;
        need++;
      }
    } while (need == 0);
  }
  if (pending > 0) {
    /* The last one to three: the same code on a padded group; only `pending` of them count. */
    for (int k = pending; k < 4; k++) {
      c[k] = c[0];
      w[k] = w[0];
    }
    v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int j = 0; j < taps; j += 4) {
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(c[0] + j), wasm_v128_load(w[0] + j)));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(c[1] + j), wasm_v128_load(w[1] + j)));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(c[2] + j), wasm_v128_load(w[2] + j)));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(c[3] + j), wasm_v128_load(w[3] + j)));
    }
    store4(out + produced, reduce4(a0, a1, a2, a3));
    produced += pending;
  }
  state[0] = phase;
  state[1] = need;
  return produced;
}

/*
 * Pure interpolation by a small factor: the `UP` outputs of input i all use the window x[i ..
 * i + taps), loaded once per four taps. Inlined with a constant UP so the accumulators stay in
 * registers; the UP sums are reduced and stored together (four lanes written, UP kept).
 */
static inline int interpolate_by(const int UP, const float *coefs, int taps, const float *x, int n, int16_t *out) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int i = 0; i < n; i++) {
    const float *w = x + i;
    v128_t a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (int j = 0; j < taps; j += 4) {
      v128_t xv = wasm_v128_load(w + j);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(coefs + j), xv));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(coefs + taps + j), xv));
      if (UP > 2) a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(coefs + 2 * taps + j), xv));
      if (UP > 3) a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(coefs + 3 * taps + j), xv));
    }
    store4(out + i * UP, reduce4(a0, a1, a2, a3));
  }
  return n * UP;
}

/* Pure interpolation by 2, 3 or 4 (poly() does the others). `out` needs room for 4 − up more. */
__attribute__((export_name("interpolate"))) int interpolate(const float *coefs, int taps, int up, float *x,
                                                            const int16_t *in, int n, int16_t *out) {
  widen(in, x + taps - 1, n);
  switch (up) {
    case 2: return interpolate_by(2, coefs, taps, x, n, out);
    case 3: return interpolate_by(3, coefs, taps, x, n, out);
    case 4: return interpolate_by(4, coefs, taps, x, n, out);
    default: return -1;
  }
}

/*
 * Pure decimation by `down` with the symmetric filter folded:
 *   out = f[0]·x[c] + Σ_{d=1..half} f[d]·(x[c − d] + x[c + d]),  c = the window's centre.
 * `rev` is the chunk's samples in reverse order, so that x[c − d] for rising d is a forward read.
 * Four outputs (four centres, `down` apart) are computed together and share each coefficient load.
 *   folded  f[0], then f[1..half] zero-padded to a multiple of 4
 *   x/rev   as for poly(); both need 4 floats of slack at the end (reads past the window meet
 *           zero coefficients); rev needs room for taps − 1 + n samples
 *   state   {unused, need}
 */
__attribute__((export_name("decimate"))) int decimate(const float *folded, int half, int taps, int down, int32_t *state,
                                                      float *x, float *rev, const int16_t *in, int n, int16_t *out) {
  widen(in, x + taps - 1, n);
  const int len = taps - 1 + n;
  for (int k = 0; k < len; k++) rev[len - 1 - k] = x[k];
  const int need = state[1];
  /* Outputs are due at inputs first, first + down, ... below n. */
  const int first = need - 1;
  const int count = first < n ? (n - 1 - first) / down + 1 : 0;
  const int half4 = (half + 3) & ~3;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  for (int o = 0; o < count; o += 4) {
    /* Centre of output o + k: input i = first + (o + k)·down, c = i + taps − 1 − half. Past the
       last output the group repeats the last centre (its lanes are not counted). */
    int cs[4];
    for (int k = 0; k < 4; k++) {
      int ok = o + k < count ? o + k : count - 1;
      cs[k] = first + ok * down + taps - 1 - half;
    }
    const float *h0 = x + cs[0] + 1, *h1 = x + cs[1] + 1, *h2 = x + cs[2] + 1, *h3 = x + cs[3] + 1;
    const float *l0 = rev + (len - cs[0]), *l1 = rev + (len - cs[1]), *l2 = rev + (len - cs[2]), *l3 = rev + (len - cs[3]);
    v128_t a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (int d = 0; d < half4; d += 4) {
      v128_t f = wasm_v128_load(folded + 1 + d);
      a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(f, wasm_f32x4_add(wasm_v128_load(h0 + d), wasm_v128_load(l0 + d))));
      a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(f, wasm_f32x4_add(wasm_v128_load(h1 + d), wasm_v128_load(l1 + d))));
      a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(f, wasm_f32x4_add(wasm_v128_load(h2 + d), wasm_v128_load(l2 + d))));
      a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(f, wasm_f32x4_add(wasm_v128_load(h3 + d), wasm_v128_load(l3 + d))));
    }
    v128_t centre = wasm_f32x4_make(x[cs[0]], x[cs[1]], x[cs[2]], x[cs[3]]);
    v128_t sums = wasm_f32x4_add(reduce4(a0, a1, a2, a3), wasm_f32x4_mul(wasm_f32x4_splat(folded[0]), centre));
    store4(out + o, sums);
  }
  state[1] = count > 0 ? first + count * down - n + 1 : need - n;
  return count;
}
