/**
 * 24 kHz → 8 kHz for the simulator's G.711 output: a Blackman-windowed sinc low-pass, then keep
 * every third sample.
 *
 * Why not src/audio/resampler.ts: it belongs to another engineer, and the simulator should not
 * share code with the client it tests. Utterances are short and converted once (then cached),
 * so a plain whole-buffer FIR is enough; no streaming state is needed.
 */

const FACTOR = 3;
const TAPS = 97;
/** Pass band edge at 3.4 kHz (telephone band) of a 24 kHz signal, transition to Nyquist (4 kHz). */
const CUTOFF = 3700 / 24000;

const KERNEL = buildKernel();

function buildKernel(): Float64Array {
  const kernel = new Float64Array(TAPS);
  const middle = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const n = i - middle;
    const sinc = n === 0 ? 2 * CUTOFF : Math.sin(2 * Math.PI * CUTOFF * n) / (Math.PI * n);
    const window = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    kernel[i] = sinc * window;
    sum += kernel[i]!;
  }
  // Unity gain at DC.
  for (let i = 0; i < TAPS; i++) kernel[i] = kernel[i]! / sum;
  return kernel;
}

export function downsample24kTo8k(input: Int16Array): Int16Array {
  const outLength = Math.floor(input.length / FACTOR);
  const out = new Int16Array(outLength);
  const middle = (TAPS - 1) / 2;
  for (let o = 0; o < outLength; o++) {
    const centre = o * FACTOR;
    let acc = 0;
    for (let k = 0; k < TAPS; k++) {
      const idx = centre + k - middle;
      if (idx >= 0 && idx < input.length) acc += input[idx]! * KERNEL[k]!;
    }
    out[o] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
  }
  return out;
}
