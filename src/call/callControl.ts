/**
 * What the assistant may do to the call: hang up, transfer, set a variable, play a file, send DTMF.
 * One object per session, used by the ready-made tools (`tool:<name>`) and by in-process tool
 * handlers (`handler:<name>`) alike, so both get the same checks and the same events:
 *
 * - every argument is checked here (they come from the model or from handler code): a bad one is
 *   refused with a reason and nothing happens on the call;
 * - a transfer goes only to a destination of the call's allow-list, exactly as listed;
 * - every action, done or refused, fires `openai_realtime::call_control` with its source;
 * - hang-up and transfer wait until the caller has heard what the assistant is saying (the
 *   playback queue and ring drained, and the response that asked for it finished), with a safety
 *   timeout, so the call never ends in the middle of a word; a transfer first ends the stream
 *   cleanly (close 1000, the family's events) so the channel leaves with nothing attached.
 *
 * Host actions go through the host's `control` operation (native/host.h).
 */
import type { NativeBridge } from '../bridge.js';
import { fireRealtimeEvent, REALTIME_EVENTS, type CallControlAction, type CallControlEventBody, type SessionFamily } from '../events/realtimeEvents.js';
import type { Logger } from '../runtime/logger.js';
import { describe } from '../runtime/processGuards.js';
import { HANGUP_CAUSE, type CallOptions } from './callOptions.js';
import { isSecretVariable, VARIABLE_NAME } from './secretVariables.js';

/** The session as call control needs it. */
export interface CallLink {
  /** The caller has heard everything queued so far. */
  readonly playbackIdle: boolean;
  readonly ending: boolean;
  /** Ends the session cleanly (close 1000, media hook removed, the family's events). */
  end(reason: string): Promise<void>;
}

export interface CallControlDeps {
  uuid: string;
  family: SessionFamily;
  bridge: Pick<NativeBridge, 'control' | 'fireEvent' | 'getVar'>;
  link: CallLink;
  options: CallOptions;
  log: Logger;
}

export type ControlResult = { ok: true } | { ok: false; error: string };

/** How often the wait for the end of playback looks again (the media clock's own pace). */
const POLL_MS = 20;
/** The longest wait for the assistant to finish speaking before a hang-up or transfer goes ahead anyway. */
export const LEAVE_MAX_WAIT_MS = 30_000;
/**
 * After the last sample left the ring: the far end's jitter buffer still has to play it, and a
 * BYE makes most phones stop playing at once.
 */
export const FAR_END_TAIL_MS = 200;
export const MAX_DTMF_DIGITS = 32;
const DTMF_DIGITS = /^[0-9*#A-Da-d]+$/;
const MAX_VALUE_LENGTH = 4096;
const MAX_PATH_LENGTH = 1024;

export class CallControl {
  readonly #d: CallControlDeps;
  /** Set once a hang-up or transfer is accepted: the call is on its way out. */
  #leaving: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #disposed = false;
  #actions = 0;

  constructor(deps: CallControlDeps) {
    this.#d = deps;
  }

  /** A hang-up or transfer has been accepted (the call is waiting to leave, or has left). */
  get leaving(): boolean {
    return this.#leaving !== null;
  }

  get actions(): number {
    return this.#actions;
  }

  /**
   * Hangs up once the assistant has finished speaking (and `ready()`, when given, says so too).
   * `cause`: a FreeSWITCH cause name; default the call's (OPENAI_REALTIME_HANGUP_CAUSE, else NORMAL_CLEARING).
   */
  hangup(source: string, cause?: unknown, reason = '', ready: () => boolean = () => true): ControlResult {
    const c = cause === undefined || cause === null || cause === '' ? this.#d.options.hangupCause : cause;
    const args: Record<string, string> = { cause: typeof c === 'string' ? c.slice(0, 64) : String(c).slice(0, 64) };
    if (reason) args.reason = reason;
    if (typeof c !== 'string' || !HANGUP_CAUSE.test(c)) return this.#refuse('hangup', args, source, 'cause must be a FreeSWITCH hang-up cause name such as NORMAL_CLEARING');
    const busy = this.#busy();
    if (busy) return this.#refuse('hangup', args, source, busy);
    this.#leave('hangup', ready, () => {
      this.#act('hangup', args, source, [c]);
    });
    this.#d.log.info(`${source}: hanging up (${c}${reason ? `: ${reason}` : ''}) once the assistant has finished speaking`);
    return { ok: true };
  }

  /** Blind transfer to an allowed destination once the assistant has finished speaking; the stream ends first. */
  transfer(source: string, destination: unknown, ready: () => boolean = () => true): ControlResult {
    const shown = typeof destination === 'string' ? destination.slice(0, 256) : String(destination).slice(0, 64);
    if (typeof destination !== 'string' || destination.trim() === '') {
      return this.#refuse('transfer', { destination: shown }, source, 'destination must be a non-empty string');
    }
    const dest = destination.trim();
    if (!this.#d.options.transferDestinations.includes(dest)) {
      return this.#refuse('transfer', { destination: shown }, source, 'destination not allowed');
    }
    const busy = this.#busy();
    if (busy) return this.#refuse('transfer', { destination: dest }, source, busy);
    const hostArgs = this.#transferArgs(dest);
    this.#leave('transfer', ready, async () => {
      // The stream ends cleanly first: close 1000, the hook removed, the app's disconnect events.
      try {
        await this.#d.link.end('transfer');
      } catch (err) {
        this.#d.log.warning(`${source}: ending the stream before the transfer failed: ${describe(err)}`);
      }
      this.#act('transfer', { destination: dest }, source, hostArgs);
    });
    this.#d.log.info(`${source}: transferring to ${dest} once the assistant has finished speaking`);
    return { ok: true };
  }

  setVariable(source: string, name: unknown, value: unknown): ControlResult {
    const shownName = typeof name === 'string' ? name.slice(0, 128) : String(name).slice(0, 64);
    if (typeof name !== 'string' || !VARIABLE_NAME.test(name)) {
      return this.#refuse('set_variable', { name: shownName }, source, 'name must be letters, digits, _ . - (at most 128)');
    }
    if (isSecretVariable(name)) return this.#refuse('set_variable', { name }, source, 'variables that hold credentials cannot be set');
    if (typeof value !== 'string') return this.#refuse('set_variable', { name }, source, 'value must be a string');
    if (value.length > MAX_VALUE_LENGTH || /[\x00\r\n]/.test(value)) {
      return this.#refuse('set_variable', { name }, source, `value must be one line of at most ${MAX_VALUE_LENGTH} characters`);
    }
    if (this.#leaving) return this.#refuse('set_variable', { name, value }, source, 'the call is ending');
    return this.#act('set_variable', { name, value }, source, [name, value]);
  }

  /** Plays a file (any FreeSWITCH file path or URL, e.g. `ivr/ivr-hold_connect_call.wav`) to the caller. */
  playFile(source: string, path: unknown): ControlResult {
    if (typeof path !== 'string' || path.trim() === '' || path.length > MAX_PATH_LENGTH || /[\x00-\x1f\x7f]/.test(path)) {
      return this.#refuse('play_file', { path: typeof path === 'string' ? path.slice(0, 128) : String(path).slice(0, 64) }, source, `path must be a non-empty string of at most ${MAX_PATH_LENGTH} characters, no control characters`);
    }
    if (this.#leaving) return this.#refuse('play_file', { path }, source, 'the call is ending');
    return this.#act('play_file', { path }, source, [path]);
  }

  sendDtmf(source: string, digits: unknown): ControlResult {
    const shown = typeof digits === 'string' ? digits.slice(0, 64) : String(digits).slice(0, 64);
    if (typeof digits !== 'string' || !DTMF_DIGITS.test(digits) || digits.length > MAX_DTMF_DIGITS) {
      return this.#refuse('send_dtmf', { digits: shown }, source, `digits must be 1 to ${MAX_DTMF_DIGITS} of 0-9 * # A-D`);
    }
    if (this.#leaving) return this.#refuse('send_dtmf', { digits }, source, 'the call is ending');
    return this.#act('send_dtmf', { digits: digits.toUpperCase() }, source, [digits.toUpperCase()]);
  }

  /** The session ended: a pending hang-up or transfer no longer applies (the channel is gone or moved on). */
  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #busy(): string | null {
    if (this.#leaving) return `the call is already ending (${this.#leaving})`;
    if (this.#disposed || this.#d.link.ending) return 'the session has ended';
    return null;
  }

  /** sip:/sips: URIs are bridged through the call's own SIP profile; anything else is a dialplan extension. */
  #transferArgs(dest: string): string[] {
    if (/^sips?:/i.test(dest)) {
      let profile = 'external';
      try {
        const p = this.#d.bridge.getVar(this.#d.uuid, 'sofia_profile_name');
        if (typeof p === 'string' && /^[A-Za-z0-9_.-]+$/.test(p)) profile = p;
      } catch {
        // No such channel: the transfer itself will say so.
      }
      return [`bridge:sofia/${profile}/${dest}`, 'inline'];
    }
    return [dest];
  }

  #leave(action: string, ready: () => boolean, run: () => void | Promise<void>): void {
    this.#leaving = action;
    const started = Date.now();
    const go = (): void => {
      this.#timer = null;
      if (this.#disposed) return;
      void Promise.resolve()
        .then(run)
        .catch((err: unknown) => this.#d.log.error(`${action} failed: ${describe(err)}`));
    };
    const look = (): void => {
      this.#timer = null;
      if (this.#disposed) return;
      let done = false;
      try {
        done = this.#d.link.playbackIdle && ready();
      } catch {
        done = true;
      }
      if (done) {
        this.#timer = setTimeout(go, FAR_END_TAIL_MS);
        return;
      }
      if (Date.now() - started >= LEAVE_MAX_WAIT_MS) {
        this.#d.log.warning(`${action}: the assistant was still speaking after ${LEAVE_MAX_WAIT_MS / 1000} s; going ahead`);
        go();
        return;
      }
      this.#timer = setTimeout(look, POLL_MS);
    };
    look();
  }

  #act(action: CallControlAction, args: Record<string, string>, source: string, hostArgs: string[]): ControlResult {
    const hostAction = HOST_ACTION[action];
    this.#actions++;
    try {
      this.#d.bridge.control(this.#d.uuid, hostAction, hostArgs);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.#d.log.warning(`${source}: ${action} failed: ${error}`);
      this.#event({ action, args, source, result: 'failed', error, family: this.#d.family });
      return { ok: false, error };
    }
    this.#event({ action, args, source, result: 'ok', family: this.#d.family });
    return { ok: true };
  }

  #refuse(action: CallControlAction, args: Record<string, string>, source: string, error: string): ControlResult {
    this.#d.log.warning(`${source}: ${action} refused: ${error}`);
    this.#event({ action, args, source, result: 'refused', error, family: this.#d.family });
    return { ok: false, error };
  }

  #event(body: CallControlEventBody): void {
    fireRealtimeEvent(this.#d.bridge, this.#d.uuid, REALTIME_EVENTS.callControl, body);
  }
}

const HOST_ACTION: Record<CallControlAction, string> = {
  hangup: 'hangup',
  transfer: 'transfer',
  set_variable: 'set_var',
  play_file: 'play',
  send_dtmf: 'send_dtmf',
};
