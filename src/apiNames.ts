/**
 * The API commands the module answers. FreeSWITCH learns them from native/freeswitch (its
 * `oair_apis` table, registered before Node starts), the JS dispatcher from app.ts and
 * shardedRuntime.ts; test/moduleInterface.test.ts checks that the two lists agree.
 */
export const AUDIO_STREAM_API = 'uuid_openai_audio_stream';
export const RAW_AUDIO_STREAM_API = 'uuid_raw_audio_stream';
export const S2S_API = 'uuid_openai_s2s';
/** Module-wide commands: `status`, `reload`, diagnostics. */
export const ADMIN_API = 'openai_realtime';

/** The two audio-stream API names; lifecycle commands work through either, `start` decides raw mode. */
export type AudioStreamApi = typeof AUDIO_STREAM_API | typeof RAW_AUDIO_STREAM_API;

export const MODULE_APIS: readonly string[] = Object.freeze([AUDIO_STREAM_API, RAW_AUDIO_STREAM_API, S2S_API, ADMIN_API]);
