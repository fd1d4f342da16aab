/**
 * What an API family's session drives, whichever protocol its connection speaks: the Realtime
 * engine (realtimeEngine.ts) or the GPT-Live engine (live/liveEngine.ts). Both are made of the
 * same parts (uplink, playout, transport, channel port, shutdown, status); they differ where they
 * talk protocol (docs/DESIGN.md §7).
 */
import type { SubmitResult } from './earlyClientEvents.js';
import type { MuteTarget } from './engineConfig.js';

export type WireProtocolName = 'realtime' | 'live';

export interface SessionEngine {
  readonly uuid: string;
  readonly connected: boolean;
  readonly ending: boolean;
  /** The caller has heard everything the assistant said so far (call control waits for it). */
  readonly playbackIdle: boolean;
  connect(): void;
  sendRefusal(): string | null;
  ownEventId(): string;
  sendJson(text: string, parsed: Record<string, unknown>, options?: { opensUplink?: boolean }): boolean;
  /**
   * A client event of the application: sent now, or queued while the session starts (the reply
   * says which), or refused with the reason. `sent` does the session's bookkeeping once accepted.
   */
  submitJson(text: string, parsed: Record<string, unknown>, sent: () => void, options?: { opensUplink?: boolean }): SubmitResult;
  setPaused(paused: boolean): void;
  setMute(target: MuteTarget, muted: boolean): void;
  stop(reason: string, finalJson?: string | null): Promise<void>;
  status(): Record<string, unknown>;
}
