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
 *  - the ratios the module uses most fold the filter too (the prototype is symmetric and centred on
 *    a multiple of `up`, so every branch is symmetric or the mirror image of another): 2/down
 *    (24k → 16k, 24k → 48k, fold2), 3/1 (8k → 24k, up3) and 3/2 (16k → 24k, up32); fewer
 *    multiplies and coefficient loads per output, shared between two outputs at a time;
 *  - other pure interpolations compute all `up` outputs of an input sample from one load of its window;
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

/* Four dot products of `taps` coefficients (branch c[k]) with four windows (w[k]), side by side. */
static inline v128_t dot4(const float *const c[4], const float *const w[4], int taps) {
  v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, a2 = a0, a3 = a0;
  for (int j = 0; j < taps; j += 4) {
    a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(c[0] + j), wasm_v128_load(w[0] + j)));
    a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(c[1] + j), wasm_v128_load(w[1] + j)));
    a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(c[2] + j), wasm_v128_load(w[2] + j)));
    a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(c[3] + j), wasm_v128_load(w[3] + j)));
  }
  return reduce4(a0, a1, a2, a3);
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
        store4(out + produced, dot4(c, w, taps));
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
    store4(out + produced, dot4(c, w, taps));
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

/* One value rounded and clipped exactly as store4 does, stored as one int16. */
static inline void store1(int16_t *out, float v) {
  v128_t r = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_floor(wasm_f32x4_add(wasm_f32x4_splat(v), wasm_f32x4_splat(0.5f))));
  wasm_v128_store16_lane(out, wasm_i16x8_narrow_i32x4(r, r), 0);
}

/* x[0 .. len) reversed into rev, so that reading downwards from x[c] is a forward read of rev. */
static void reverse(const float *x, float *rev, int len) {
  for (int k = 0; k < len; k++) rev[len - 1 - k] = x[k];
}

/* One folded output: Σ coef[d]·(h[d] + l[d]) over len4, plus cc·cx; summed as in a group of four. */
static inline float folded1(const float *coef, const float *h, const float *l, int len4, float cc, float cx) {
  v128_t a = wasm_f32x4_splat(0.0f);
  for (int d = 0; d < len4; d += 4)
    a = wasm_f32x4_add(a, wasm_f32x4_mul(wasm_v128_load(coef + d), wasm_f32x4_add(wasm_v128_load(h + d), wasm_v128_load(l + d))));
  const v128_t zero = wasm_f32x4_splat(0.0f);
  return wasm_f32x4_extract_lane(reduce4(a, zero, zero, zero), 0) + cc * cx;
}

/*
 * Resampling by 2/down, down odd: 24k → 16k (2/3) and 24k → 48k (2/1), with both branches folded.
 * The prototype is centred on c = 2·half, so
 *   branch 0 is symmetric about a sample:        y = f[0]·x[C] + Σ_{d≥1} f[d]·(x[C + d] + x[C − d])
 *   branch 1 is symmetric about a half sample:   y = Σ_{r≥1} g[r]·(x[C + r] + x[C + 1 − r])
 * with C = the window's newest sample − half: half the multiplies of the plain dot product.
 * Outputs come in periods of `down` inputs: branch 0 on some input, branch 1 s = (down − 1)/2 inputs
 * later. Two whole periods are computed together (their centres are C, C + s, C + down,
 * C + down + s, and the two branches' coefficients are loaded once for two outputs); the ends of
 * a call one output at a time with the same arithmetic, so the cut never changes a sample.
 *   coefs   f[0], f[1..len4], g[1..len4] (zero-padded; len4 a multiple of 4 ≥ half)
 *   x/rev   as for decimate()
 *   state   {phase, need} as for poly(), with up = 2
 */
__attribute__((export_name("fold2"))) int fold2(const float *coefs, int half, int len4, int taps, int down,
                                                int32_t *state, float *x, float *rev, const int16_t *in, int n,
                                                int16_t *out) {
  widen(in, x + taps - 1, n);
  const int len = taps - 1 + n;
  reverse(x, rev, len);
  const int s = down >> 1;
  const float *f = coefs + 1, *g = coefs + 1 + len4;
  const float f0 = coefs[0];
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int phase = state[0], next = state[1] - 1, produced = 0;
  /* C of the output due at input i. */
  const int shift = taps - 1 - half;
  if (phase == 1 && next < n) {
    const int cb = shift + next;
    store1(out + produced++, folded1(g, x + cb + 1, rev + (len - cb - 1), len4, 0.0f, x[cb]));
    next += s + 1;
    phase = 0;
  }
  if (phase == 0) {
    for (; next + down + s < n; next += 2 * down) {
      const int ca = shift + next;
      const float *h = x + ca + 1, *l = rev + (len - ca);
      v128_t a0 = zero, a1 = zero, a2 = zero, a3 = zero;
      for (int d = 0; d < len4; d += 4) {
        v128_t fv = wasm_v128_load(f + d), gv = wasm_v128_load(g + d);
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(fv, wasm_f32x4_add(wasm_v128_load(h + d), wasm_v128_load(l + d))));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(gv, wasm_f32x4_add(wasm_v128_load(h + s + d), wasm_v128_load(l - s - 1 + d))));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(fv, wasm_f32x4_add(wasm_v128_load(h + down + d), wasm_v128_load(l - down + d))));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(gv, wasm_f32x4_add(wasm_v128_load(h + down + s + d), wasm_v128_load(l - down - s - 1 + d))));
      }
      v128_t centres = wasm_f32x4_mul(wasm_f32x4_make(f0, 0.0f, f0, 0.0f),
                                      wasm_f32x4_make(x[ca], x[ca + s], x[ca + down], x[ca + down + s]));
      store4(out + produced, wasm_f32x4_add(reduce4(a0, a1, a2, a3), centres));
      produced += 4;
    }
  }
  while (next < n) {
    const int cb = shift + next;
    if (phase == 0) {
      store1(out + produced++, folded1(f, x + cb + 1, rev + (len - cb), len4, f0, x[cb]));
      next += s;
      phase = 1;
    } else {
      store1(out + produced++, folded1(g, x + cb + 1, rev + (len - cb - 1), len4, 0.0f, x[cb]));
      next += s + 1;
      phase = 0;
    }
  }
  state[0] = phase;
  state[1] = next - n + 1;
  return produced;
}

/*
 * Upsampling by 3/2 (16k → 24k). Every two inputs (the first at an even position in the stream)
 * give three outputs: y0 on the first input's window (prototype phase 0), y− on the same window
 * (phase 2) and y+ on the next one (phase 1). With the prototype centred on c = 3·half:
 *   y0 is symmetric about x[C0], C0 = newest − half:  y0 = f[0]·x[C0] + Σ f[d]·(x[C0 + d] + x[C0 − d])
 *   y− and y+ mirror each other about z0 = x[C0 + 1]: with a_r their taps on z_r = x[C0 + 1 + r],
 *   s_r = z_r + z_−r, d_r = z_r − z_−r, e_r = (a_r + a_−r)/2, o_r = (a_r − a_−r)/2:
 *     y− = a_0·z_0 + Σ e_r·s_r + Σ o_r·d_r + a_−half·z_−half
 *     y+ = a_0·z_0 + Σ e_r·s_r − Σ o_r·d_r + a_−half·z_half        (r = 1 .. half − 1)
 * so the pair costs what one plain dot product costs, and y0 half of one. z_half is the input
 * after the first one: when a call ends between the two, y+ is kept in state[2] without its last
 * term and finished by the next call, so the result never depends on how the input is cut.
 *   coefs   f[0], f[1..len4], e[1..len4], o[1..len4], a_0, a_−half (zero-padded, len4 ≥ half)
 *   state   {position (0: the next input starts a pair of inputs, 1: it ends one), unused, y+ carry}
 */
static inline void pair_sums(const float *f, const float *e, const float *o, int len4, const float *h0, const float *l0,
                             const float *hp, const float *lp, v128_t *fs, v128_t *es, v128_t *os) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t af = zero, ae = zero, ao = zero;
  for (int d = 0; d < len4; d += 4) {
    v128_t zp = wasm_v128_load(hp + d), zm = wasm_v128_load(lp + d);
    af = wasm_f32x4_add(af, wasm_f32x4_mul(wasm_v128_load(f + d), wasm_f32x4_add(wasm_v128_load(h0 + d), wasm_v128_load(l0 + d))));
    ae = wasm_f32x4_add(ae, wasm_f32x4_mul(wasm_v128_load(e + d), wasm_f32x4_add(zp, zm)));
    ao = wasm_f32x4_add(ao, wasm_f32x4_mul(wasm_v128_load(o + d), wasm_f32x4_sub(zp, zm)));
  }
  *fs = af;
  *es = ae;
  *os = ao;
}

__attribute__((export_name("up32"))) int up32(const float *coefs, int half, int len4, int taps, int32_t *state, float *x,
                                              float *rev, const int16_t *in, int n, int16_t *out) {
  widen(in, x + taps - 1, n);
  const int len = taps - 1 + n;
  reverse(x, rev, len);
  const float *f = coefs + 1, *e = f + len4, *o = e + len4;
  const float f0 = coefs[0], a0 = o[len4], at = o[len4 + 1];
  const v128_t zero = wasm_f32x4_splat(0.0f);
  union {
    int32_t i;
    float f;
  } carry = {.i = state[2]};
  int produced = 0, i = 0;
  if (state[0] == 1) {
    store1(out, carry.f + at * x[taps - 1]);
    produced = 1;
    i = 1;
  }
  /* Two pairs of inputs at a time: six outputs, each coefficient vector loaded once for two. */
  for (; i + 3 < n; i += 4) {
    const int c0 = taps - 1 + i - half, c1 = c0 + 2;
    v128_t fa = zero, ea = zero, oa = zero, fb = zero, eb = zero, ob = zero;
    const float *h0a = x + c0 + 1, *l0a = rev + (len - c0), *hpa = x + c0 + 2, *lpa = rev + (len - c0 - 1);
    const float *h0b = h0a + 2, *l0b = l0a - 2, *hpb = hpa + 2, *lpb = lpa - 2;
    for (int d = 0; d < len4; d += 4) {
      v128_t fv = wasm_v128_load(f + d), ev = wasm_v128_load(e + d), ov = wasm_v128_load(o + d);
      v128_t zpa = wasm_v128_load(hpa + d), zma = wasm_v128_load(lpa + d);
      v128_t zpb = wasm_v128_load(hpb + d), zmb = wasm_v128_load(lpb + d);
      fa = wasm_f32x4_add(fa, wasm_f32x4_mul(fv, wasm_f32x4_add(wasm_v128_load(h0a + d), wasm_v128_load(l0a + d))));
      ea = wasm_f32x4_add(ea, wasm_f32x4_mul(ev, wasm_f32x4_add(zpa, zma)));
      oa = wasm_f32x4_add(oa, wasm_f32x4_mul(ov, wasm_f32x4_sub(zpa, zma)));
      fb = wasm_f32x4_add(fb, wasm_f32x4_mul(fv, wasm_f32x4_add(wasm_v128_load(h0b + d), wasm_v128_load(l0b + d))));
      eb = wasm_f32x4_add(eb, wasm_f32x4_mul(ev, wasm_f32x4_add(zpb, zmb)));
      ob = wasm_f32x4_add(ob, wasm_f32x4_mul(ov, wasm_f32x4_sub(zpb, zmb)));
    }
    v128_t s1 = reduce4(fa, ea, oa, fb), s2 = reduce4(eb, ob, zero, zero);
    const float ba = a0 * x[c0 + 1] + wasm_f32x4_extract_lane(s1, 1), oA = wasm_f32x4_extract_lane(s1, 2);
    const float bb = a0 * x[c1 + 1] + wasm_f32x4_extract_lane(s2, 0), oB = wasm_f32x4_extract_lane(s2, 1);
    v128_t v1 = wasm_f32x4_make(wasm_f32x4_extract_lane(s1, 0) + f0 * x[c0], (ba + oA) + at * x[c0 + 1 - half],
                                (ba - oA) + at * x[c0 + 1 + half], wasm_f32x4_extract_lane(s1, 3) + f0 * x[c1]);
    v128_t v2 = wasm_f32x4_make((bb + oB) + at * x[c1 + 1 - half], (bb - oB) + at * x[c1 + 1 + half], 0.0f, 0.0f);
    store4(out + produced, v1);
    store4(out + produced + 4, v2);
    produced += 6;
  }
  /* The rest one pair at a time; a last lone input leaves y+ to the next call. */
  for (; i < n; i += 2) {
    const int c0 = taps - 1 + i - half;
    v128_t fs, es, os;
    pair_sums(f, e, o, len4, x + c0 + 1, rev + (len - c0), x + c0 + 2, rev + (len - c0 - 1), &fs, &es, &os);
    v128_t s = reduce4(fs, es, os, zero);
    const float b = a0 * x[c0 + 1] + wasm_f32x4_extract_lane(s, 1), od = wasm_f32x4_extract_lane(s, 2);
    const float partial = b - od;
    v128_t v = wasm_f32x4_make(wasm_f32x4_extract_lane(s, 0) + f0 * x[c0], (b + od) + at * x[c0 + 1 - half],
                               i + 1 < n ? partial + at * x[c0 + 1 + half] : 0.0f, 0.0f);
    store4(out + produced, v);
    if (i + 1 < n) {
      produced += 3;
    } else {
      produced += 2;
      carry.f = partial;
    }
  }
  state[0] = i > n ? 1 : 0;
  state[2] = carry.i;
  return produced;
}

/*
 * Upsampling by 3 (8k → 24k) with the symmetry of the prototype (centred on c = 3·half): for input
 * i, with C = its window's newest sample − half,
 *   y0 (phase 0) is symmetric about x[C]:   y0 = f[0]·x[C] + Σ f[d]·(x[C + d] + x[C − d])
 *   y1 and y2 mirror each other about the half sample after x[C]: with P_r = x[C + r],
 *   M_r = x[C + 1 − r], b_r / b'_r the taps of y1 on P_r / M_r (y2 has them swapped),
 *   e_r = (b_r + b'_r)/2, o_r = (b_r − b'_r)/2:
 *     y1 = Σ e_r·(P_r + M_r) + Σ o_r·(P_r − M_r),  y2 = Σ e_r·(P_r + M_r) − Σ o_r·(P_r − M_r)
 * so the three outputs cost the multiplies of one and a half plain dot products, and y0 and the
 * pair share the loads of x[C + d]. Two inputs at a time share each coefficient load.
 *   coefs   f[0], f[1..len4], e[1..len4], o[1..len4] (zero-padded; len4 a multiple of 4 ≥ half)
 *   x/rev   as for decimate(); `out` needs room for 2 more
 */
__attribute__((export_name("up3"))) int up3(const float *coefs, int half, int len4, int taps, float *x, float *rev,
                                            const int16_t *in, int n, int16_t *out) {
  widen(in, x + taps - 1, n);
  const int len = taps - 1 + n;
  reverse(x, rev, len);
  const float *f = coefs + 1, *e = f + len4, *o = e + len4;
  const float f0 = coefs[0];
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 1 < n; i += 2) {
    const int ca = taps - 1 + i - half;
    const float *ha = x + ca + 1, *la = rev + (len - ca);
    v128_t fa = zero, ea = zero, oa = zero, fb = zero, eb = zero, ob = zero;
    for (int d = 0; d < len4; d += 4) {
      v128_t fv = wasm_v128_load(f + d), ev = wasm_v128_load(e + d), ov = wasm_v128_load(o + d);
      v128_t pa = wasm_v128_load(ha + d), pb = wasm_v128_load(ha + 1 + d);
      v128_t ma = wasm_v128_load(la - 1 + d), mb = wasm_v128_load(la - 2 + d);
      fa = wasm_f32x4_add(fa, wasm_f32x4_mul(fv, wasm_f32x4_add(pa, wasm_v128_load(la + d))));
      ea = wasm_f32x4_add(ea, wasm_f32x4_mul(ev, wasm_f32x4_add(pa, ma)));
      oa = wasm_f32x4_add(oa, wasm_f32x4_mul(ov, wasm_f32x4_sub(pa, ma)));
      fb = wasm_f32x4_add(fb, wasm_f32x4_mul(fv, wasm_f32x4_add(pb, ma)));
      eb = wasm_f32x4_add(eb, wasm_f32x4_mul(ev, wasm_f32x4_add(pb, mb)));
      ob = wasm_f32x4_add(ob, wasm_f32x4_mul(ov, wasm_f32x4_sub(pb, mb)));
    }
    const v128_t s1 = reduce4(fa, ea, oa, fb), s2 = reduce4(eb, ob, zero, zero);
    const float eA = wasm_f32x4_extract_lane(s1, 1), oA = wasm_f32x4_extract_lane(s1, 2);
    const float eB = wasm_f32x4_extract_lane(s2, 0), oB = wasm_f32x4_extract_lane(s2, 1);
    store4(out + 3 * i, wasm_f32x4_make(wasm_f32x4_extract_lane(s1, 0) + f0 * x[ca], eA + oA, eA - oA,
                                        wasm_f32x4_extract_lane(s1, 3) + f0 * x[ca + 1]));
    store4(out + 3 * i + 4, wasm_f32x4_make(eB + oB, eB - oB, 0.0f, 0.0f));
  }
  if (i < n) {
    const int ca = taps - 1 + i - half;
    const float *ha = x + ca + 1, *la = rev + (len - ca);
    v128_t fa = zero, ea = zero, oa = zero;
    for (int d = 0; d < len4; d += 4) {
      v128_t pa = wasm_v128_load(ha + d), ma = wasm_v128_load(la - 1 + d);
      fa = wasm_f32x4_add(fa, wasm_f32x4_mul(wasm_v128_load(f + d), wasm_f32x4_add(pa, wasm_v128_load(la + d))));
      ea = wasm_f32x4_add(ea, wasm_f32x4_mul(wasm_v128_load(e + d), wasm_f32x4_add(pa, ma)));
      oa = wasm_f32x4_add(oa, wasm_f32x4_mul(wasm_v128_load(o + d), wasm_f32x4_sub(pa, ma)));
    }
    const v128_t s1 = reduce4(fa, ea, oa, zero);
    const float eA = wasm_f32x4_extract_lane(s1, 1), oA = wasm_f32x4_extract_lane(s1, 2);
    store4(out + 3 * i, wasm_f32x4_make(wasm_f32x4_extract_lane(s1, 0) + f0 * x[ca], eA + oA, eA - oA, 0.0f));
  }
  return 3 * n;
}
