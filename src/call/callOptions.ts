/**
 * What a call may do beyond streaming audio, read once when its session starts: the ready-made
 * tools it offers the model, where a transfer may go, the hang-up cause, and what happens to the
 * keys the caller presses. Channel variables (set by the dialplan or an ESL application before
 * `start` / `session.create`) beat the profile, as everywhere else (docs/configuration.md); an
 * unset or empty variable does not override anything.
 *
 * Bad values never silently turn into something else: the session starts without the feature and
 * the channel's log says why (warnings). Pure: variables come in as a function.
 */
import { KNOWN_TOOLS } from '../config/profile.js';
import { switchTrue } from '../config/switchTrue.js';

export type BuiltinToolName = (typeof KNOWN_TOOLS)[number];

export const CALL_VARIABLES = {
  /** Comma-separated ready-made tools (`end_call,transfer_call,send_dtmf`), or `none`. */
  tools: 'OPENAI_REALTIME_TOOLS',
  /** Comma-separated transfer destinations the model may choose from (dialplan extensions, sip: URIs). */
  transferDestinations: 'OPENAI_REALTIME_TRANSFER_DESTINATIONS',
  /** Hang-up cause of `end_call` (a FreeSWITCH cause name, e.g. NORMAL_CLEARING). */
  hangupCause: 'OPENAI_REALTIME_HANGUP_CAUSE',
  /** `forward`: the caller's keys go to the model as a user message; anything else: events only. */
  dtmf: 'OPENAI_REALTIME_DTMF',
  /** With `forward`: ask for a response after each message (default true). */
  dtmfResponse: 'OPENAI_REALTIME_DTMF_RESPONSE',
  /** With `forward`: keys pressed within this many ms of each other go in one message (default 1500). */
  dtmfBatchMs: 'OPENAI_REALTIME_DTMF_BATCH_MS',
  /** Function calls the module answers in a row without the caller speaking (0: no bound); beats `max-tool-round-trips`. */
  maxToolRoundTrips: 'OPENAI_REALTIME_MAX_TOOL_ROUND_TRIPS',
  /** Seconds after which the call is hung up once the assistant has finished speaking (0: no limit); beats `max-call-duration-s`. */
  maxCallDurationS: 'OPENAI_REALTIME_MAX_CALL_DURATION_S',
  /** Seconds of caller silence before the model is asked to check in (0: off); beats the profile's and the module's `idle-prompt-s`. */
  idlePromptS: 'OPENAI_REALTIME_IDLE_PROMPT_S',
  /** Seconds of further silence before the call is hung up (0: off); beats `idle-hangup-s`. */
  idleHangupS: 'OPENAI_REALTIME_IDLE_HANGUP_S',
} as const;

export const DEFAULT_HANGUP_CAUSE = 'NORMAL_CLEARING';
export const DEFAULT_DTMF_BATCH_MS = 1500;
const MAX_DTMF_BATCH_MS = 10_000;
const MAX_TOOL_ROUND_TRIPS = 10_000;
const MAX_CALL_SECONDS = 86_400;
const MAX_DESTINATION_LENGTH = 256;

export interface CallOptions {
  tools: readonly BuiltinToolName[];
  /** Where `transfer_call` / `ctx.transfer` may go, exactly as listed. */
  transferDestinations: readonly string[];
  hangupCause: string;
  dtmf: { forward: boolean; respond: boolean; batchMs: number };
  /** From the channel variable, or null: the module setting applies. */
  maxToolRoundTrips: number | null;
  /** From the channel variable, else the profile, or null: the module setting applies. */
  maxCallDurationS: number | null;
  /** Idle policy (call/idlePolicy.ts): channel variable, else profile, or null: the module setting applies. */
  idlePromptS: number | null;
  idleHangupS: number | null;
}

/** What a profile (through resolveConnection) brings to a call's options. */
export interface CallProfile {
  tools: readonly string[];
  allowedTransferDestinations: readonly string[];
  maxCallDurationS?: number | null;
  idlePromptS?: number | null;
  idleHangupS?: number | null;
}

/** FreeSWITCH cause names (switch_channel_str2cause): upper-case words joined by `_`. */
export const HANGUP_CAUSE = /^[A-Z][A-Z0-9_]{2,63}$/;

export function readCallOptions(
  variable: (name: string) => string | null | undefined,
  profile: CallProfile | null,
): { options: CallOptions; warnings: string[] } {
  const warnings: string[] = [];
  const get = (name: string): string | null => {
    const v = variable(name);
    return v === undefined || v === null || v.trim() === '' ? null : v.trim();
  };

  let tools: BuiltinToolName[] = [...((profile?.tools ?? []) as BuiltinToolName[])];
  const toolsVar = get(CALL_VARIABLES.tools);
  if (toolsVar !== null) {
    tools = [];
    if (toolsVar.toLowerCase() !== 'none') {
      for (const name of splitList(toolsVar)) {
        if ((KNOWN_TOOLS as readonly string[]).includes(name)) {
          if (!tools.includes(name as BuiltinToolName)) tools.push(name as BuiltinToolName);
        } else {
          warnings.push(`${CALL_VARIABLES.tools}: unknown tool ${JSON.stringify(name.slice(0, 40))} ignored (known: ${KNOWN_TOOLS.join(', ')})`);
        }
      }
    }
  }

  let transferDestinations: string[] = [...(profile?.allowedTransferDestinations ?? [])];
  const destVar = get(CALL_VARIABLES.transferDestinations);
  if (destVar !== null) {
    transferDestinations = [];
    for (const d of splitList(destVar)) {
      if (d.length > MAX_DESTINATION_LENGTH || /[\s\x00-\x1f\x7f]/.test(d)) {
        warnings.push(`${CALL_VARIABLES.transferDestinations}: a destination longer than ${MAX_DESTINATION_LENGTH} characters or with whitespace is ignored`);
      } else if (!transferDestinations.includes(d)) {
        transferDestinations.push(d);
      }
    }
  }
  if (tools.includes('transfer_call') && transferDestinations.length === 0) {
    warnings.push('transfer_call is not offered: no transfer destinations are allowed (allowed-transfer-destinations or OPENAI_REALTIME_TRANSFER_DESTINATIONS)');
    tools = tools.filter((t) => t !== 'transfer_call');
  }

  let hangupCause = DEFAULT_HANGUP_CAUSE;
  const causeVar = get(CALL_VARIABLES.hangupCause);
  if (causeVar !== null) {
    if (HANGUP_CAUSE.test(causeVar)) hangupCause = causeVar;
    else warnings.push(`${CALL_VARIABLES.hangupCause}: ${JSON.stringify(causeVar.slice(0, 40))} is not a hang-up cause name; using ${DEFAULT_HANGUP_CAUSE}`);
  }

  const dtmfVar = get(CALL_VARIABLES.dtmf);
  const forward = dtmfVar !== null && dtmfVar.toLowerCase() === 'forward';
  if (dtmfVar !== null && !forward && !['off', 'event', 'events'].includes(dtmfVar.toLowerCase())) {
    warnings.push(`${CALL_VARIABLES.dtmf}: ${JSON.stringify(dtmfVar.slice(0, 40))} is not "forward" or "off"; keys are not forwarded`);
  }
  const responseVar = get(CALL_VARIABLES.dtmfResponse);
  const respond = responseVar === null ? true : switchTrue(responseVar);
  let batchMs = DEFAULT_DTMF_BATCH_MS;
  const batchVar = get(CALL_VARIABLES.dtmfBatchMs);
  if (batchVar !== null) {
    const n = Number(batchVar);
    if (/^\d+$/.test(batchVar) && n <= MAX_DTMF_BATCH_MS) batchMs = n;
    else warnings.push(`${CALL_VARIABLES.dtmfBatchMs}: expected a whole number of ms from 0 to ${MAX_DTMF_BATCH_MS}; using ${DEFAULT_DTMF_BATCH_MS}`);
  }

  let maxToolRoundTrips: number | null = null;
  const tripsVar = get(CALL_VARIABLES.maxToolRoundTrips);
  if (tripsVar !== null) {
    if (/^\d{1,5}$/.test(tripsVar) && Number(tripsVar) <= MAX_TOOL_ROUND_TRIPS) maxToolRoundTrips = Number(tripsVar);
    else warnings.push(`${CALL_VARIABLES.maxToolRoundTrips}: expected a whole number from 0 to ${MAX_TOOL_ROUND_TRIPS}; the max-tool-round-trips setting applies`);
  }

  // Channel variable > profile > module setting (the caller applies the last).
  const seconds = (name: string, setting: string, fromProfile: number | null | undefined): number | null => {
    const v = get(name);
    if (v === null) return fromProfile ?? null;
    if (/^\d{1,5}$/.test(v) && Number(v) <= MAX_CALL_SECONDS) return Number(v);
    warnings.push(`${name}: expected a whole number of seconds from 0 to ${MAX_CALL_SECONDS}; the profile's or module's ${setting} applies`);
    return fromProfile ?? null;
  };
  const maxCallDurationS = seconds(CALL_VARIABLES.maxCallDurationS, 'max-call-duration-s', profile?.maxCallDurationS);
  const idlePromptS = seconds(CALL_VARIABLES.idlePromptS, 'idle-prompt-s', profile?.idlePromptS);
  const idleHangupS = seconds(CALL_VARIABLES.idleHangupS, 'idle-hangup-s', profile?.idleHangupS);

  return {
    options: { tools, transferDestinations, hangupCause, dtmf: { forward, respond, batchMs }, maxToolRoundTrips, maxCallDurationS, idlePromptS, idleHangupS },
    warnings,
  };
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
