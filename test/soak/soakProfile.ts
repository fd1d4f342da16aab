/**
 * How much the soak does. `full` is `npm run soak` (the numbers the reliability issue asks for);
 * `reduced` is what the test suite runs (test/e2e/hostSimulatorSoak.test.ts), small enough for CI and
 * still every kind of cycle, fault, race and input at least once.
 */
export interface SoakProfile {
  name: 'full' | 'reduced';
  /** Start/stop cycles: channels × cycles per channel, all in one host-simulator process (RSS measured). */
  cycleChannels: number;
  cyclesPerChannel: number;
  /** Calls that hang up at a random moment while a reply plays and commands race the hangup. */
  hangupChannels: number;
  hangupCallsPerChannel: number;
  /** Times the bad-input corpus goes through the embedded runtime. */
  corpusRepeats: number;
  /**
   * fast-check runs per grammar property (three properties, pure, ~50,000 a second), for the
   * command path and for the server-frame handler. The full profile's total is over a million.
   */
  grammarRuns: number;
  commandRuns: number;
  frameRuns: number;
  /** Time box of the grammar fuzzing (fast-check stops there and the count says how far it got). */
  grammarTimeLimitS: number;
  /** Share of realtime-simulator connections given a fault. */
  faultRate: number;
  seed: number;
}

export const FULL: SoakProfile = {
  name: 'full',
  cycleChannels: 20,
  cyclesPerChannel: 520,
  hangupChannels: 24,
  hangupCallsPerChannel: 110,
  corpusRepeats: 5,
  grammarRuns: 340_000,
  commandRuns: 2000,
  frameRuns: 4000,
  grammarTimeLimitS: 900,
  faultRate: 0.25,
  seed: 20261121,
};

export const REDUCED: SoakProfile = {
  name: 'reduced',
  cycleChannels: 6,
  cyclesPerChannel: 60,
  hangupChannels: 8,
  hangupCallsPerChannel: 8,
  corpusRepeats: 1,
  grammarRuns: 200,
  commandRuns: 100,
  frameRuns: 100,
  grammarTimeLimitS: 60,
  faultRate: 0.3,
  seed: 7,
};
