/**
 * Reads the host simulator's JSONL call record and renders it for a person: one line per event,
 * API reply and control action, with OpenAI server events shown by type (audio deltas, which the
 * module plays instead of forwarding, do not appear).
 */
export interface CallRecordLine {
  t: number;
  /** 'final': the host simulator's --final-command, run once every call has ended. */
  kind: 'event' | 'api' | 'log' | 'control' | 'channel' | 'summary' | 'error' | 'final';
  uuid?: string | null;
  subclass?: string;
  headers?: Record<string, string>;
  body?: string;
  api?: string;
  args?: string;
  reply?: string;
  level?: number;
  message?: string;
  action?: string;
  state?: string;
  cause?: string;
  [key: string]: unknown;
}

export function parseCallRecord(jsonl: string): CallRecordLine[] {
  const lines: CallRecordLine[] = [];
  for (const text of jsonl.split('\n')) {
    if (!text.trim()) continue;
    try {
      lines.push(JSON.parse(text) as CallRecordLine);
    } catch {
      // A torn last line (the simulator was killed) is skipped, not fatal.
    }
  }
  return lines;
}

function summarizeBody(body: string | undefined): string {
  if (!body) return '';
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      if (typeof o.type === 'string') {
        const extra =
          typeof o.transcript === 'string' ? ` "${o.transcript}"` : typeof o.delta === 'string' && o.type.includes('transcript') ? '' : '';
        return `${o.type}${extra}`;
      }
    }
  } catch {
    // Not JSON: show it as it is.
  }
  return body.length > 120 ? `${body.slice(0, 117)}...` : body;
}

/** One readable line for a record line, or null when it is not worth showing. */
function describeLine(l: CallRecordLine): string | null {
  switch (l.kind) {
    case 'event':
      if (l.subclass?.endsWith('::json') && /transcript\.delta/.test(l.body ?? '')) return null;
      return `event  ${l.subclass ?? ''}  ${summarizeBody(l.body)}`;
    case 'api':
      return `api    ${l.api ?? ''} ${(l.args ?? '').slice(0, 80)} -> ${(l.reply ?? '').trim().split('\n').pop() ?? ''}`;
    case 'control':
      return `control ${l.action ?? ''}`;
    case 'channel':
      return `channel ${l.state ?? ''} ${l.cause ?? ''}`;
    case 'log':
      return (l.level ?? 7) <= 4 ? `log    ${l.message ?? ''}` : null;
    case 'error':
      return `error  ${l.message ?? ''}`;
    default:
      return null;
  }
}

export function formatCallRecord(jsonl: string): string {
  const out: string[] = [];
  let plays = 0; // a ::play event per audio delta: show the first of a run, then a count
  for (const l of parseCallRecord(jsonl)) {
    const text = describeLine(l);
    if (text === null) continue;
    const isPlay = l.kind === 'event' && (l.subclass?.endsWith('::play') ?? false);
    if (isPlay && plays++ > 0) continue;
    if (!isPlay && plays > 1) out.push(`           ... and ${plays - 1} more audio deltas`);
    if (!isPlay) plays = 0;
    out.push(`${`${(l.t / 1000).toFixed(3)}s`.padStart(9)}  ${text}`);
  }
  if (plays > 1) out.push(`           ... and ${plays - 1} more audio deltas`);
  return `${out.join('\n')}\n`;
}
