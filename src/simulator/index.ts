/** Public surface of the realtime simulator. */
export { RealtimeSimulator } from './realtimeSimulator.js';
export type { RealtimeSimulatorEvents, RealtimeSimulatorOptions, RefusedHandshake } from './realtimeSimulator.js';
export { SimulatedConnection, BETA_CLOSE_CODE, SESSION_EXPIRED_CLOSE_CODE, GA_CLIENT_EVENT_TYPES } from './simulatedConnection.js';
export type * from './connectionRecord.js';
export type { SimulatorFaults, GarbageFrame } from './faults.js';
export type { FunctionCallSpec } from './functionCallRule.js';
export type { AssistantVoice, Utterance, UtteranceRequest, UtteranceSituation } from './assistantVoice.js';
export { ToneVoice, type ToneVoiceOptions } from './toneVoice.js';
export { SpeechVoice } from './speechVoice.js';
export type * from './protocolTypes.js';
export { MAX_APPEND_BASE64_CHARS, MIN_COMMIT_MS } from './realtimeErrors.js';
export { thresholdToDbfs, VAD_WINDOW_MS, MIN_SPEECH_MS } from './energyVad.js';
export { RealtimeProbeClient } from './probeClient.js';
export type { ProbeClose, ProbeConnectOptions, ProbeRefusal } from './probeClient.js';
