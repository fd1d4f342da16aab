/**
 * `@mod-openai-realtime/esl`: a typed ESL client for applications driving mod_openai_realtime.
 */
export { OpenAIRealtimeClient, failureReason } from './openaiRealtimeClient.js';
export type {
  FunctionCallNotice,
  ListenerErrorInfo,
  ModuleStatus,
  OpenAIRealtimeClientEvents,
  OpenAIRealtimeClientOptions,
  RealtimeFamily,
  RealtimeStatus,
  SendFunctionResultOptions,
  ServerEventNotice,
} from './openaiRealtimeClient.js';
export {
  ADMIN_API,
  AUDIO_STREAM_API,
  RAW_AUDIO_STREAM_API,
  RELOAD_COMMAND,
  S2S_API,
  STATUS_COMMAND,
  encodeMute,
  encodePauseResume,
  encodeS2sClientEvent,
  encodeS2sCreate,
  encodeS2sDelete,
  encodeSendJson,
  encodeStart,
  encodeStop,
} from './commandEncoding.js';
export type { S2sCreateOptions, StartOptions } from './commandEncoding.js';
export type { MixType, MuteTarget, S2sAuth, UuidFormat } from './argumentChecks.js';
export {
  AUDIO_STREAM_EVENTS,
  MODULE_EVENT_SUBCLASSES,
  REALTIME_EVENTS,
  S2S_EVENTS,
  decodeModuleEvent,
  isModuleEventSubclass,
  isSessionStatus,
} from './moduleEvents.js';
export type {
  CallControlBody,
  ToolLoopBody,
  TranscriptBody,
  SessionRestartedBody,
  ConnectFailedBody,
  DisconnectBody,
  DtmfBody,
  ErrorBody,
  ModuleEvent,
  ModuleEventOf,
  ModuleEventSubclass,
  PlayBody,
  S2sDisconnectBody,
  SessionFamily,
  SessionLatency,
  SessionStatus,
  SessionTokens,
  StatusBody,
} from './moduleEvents.js';
export { classifyServerEvent, parseConversationItem, parseServerEvent } from './serverEvents.js';
export type * from './serverEvents.js';
export { EslConnection } from './eslConnection.js';
export type { EslConnectionEvents, EslConnectionOptions, EslConnectionState, EslConnectionStats, EslDisconnectInfo, EslEvent } from './eslConnection.js';
export {
  EslArgumentError,
  EslAuthError,
  EslCommandError,
  EslConnectionError,
  EslError,
  EslProtocolError,
  EslTimeoutError,
} from './errors.js';
export type { EslConnectionErrorCode } from './errors.js';
