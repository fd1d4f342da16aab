/** The GPT-Live protocol layer: types, the two parsers, builders, endpoint rules and pure helpers. */
export type * from './liveTypes.js';
export { LIVE_CLIENT_EVENT_TYPES, LIVE_CLOSE_REASONS, LIVE_PCM_RATES } from './liveTypes.js';
export { parseLiveServerEvent, KNOWN_LIVE_SERVER_EVENT_TYPES, type LiveServerParse } from './liveServerEvents.js';
export { parseLiveClientEvent, liveAudioFormatProblem, isLiveAudioFormat, LIVE_MAX_INPUT_MESSAGES, type LiveClientParse } from './liveClientEvents.js';
export * from './liveClientBuilders.js';
export * from './liveEndpoint.js';
export * from './liveResponseEvents.js';
export * from './functionCallBatch.js';
export * from './liveAudioFormat.js';
export * from './liveSessionGate.js';
export * from './transcriptTurns.js';
export * from './reconnectHistory.js';
