/**
 * Reads the host simulator's JSONL call record and renders it for a person: one line per event,
 * API reply and control action, with OpenAI server events shown by type (audio deltas, which the
 * module plays instead of forwarding, do not appear).
 */
export interface CallRecordLine {
  t: number;
  kind: 'event' | 'api' | 'log' | 'control' | 'channel' | 'summary' | 'error';
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

export function formatCallRecord(jsonl: string): string {
  const out: string[] = [];
  for (const l of parseCallRecord(jsonl)) {
    const t = `${(l.t / 1000).toFixed(3).padStart(8)}s`;
    switch (l.kind) {
      case 'event':
        if (l.subclass?.endsWith('::json') && /transcript\.delta|audio_transcript\.delta/.test(l.body ?? '')) break;
        out.push(`${t}  event  ${l.subclass ?? ''}  ${summarizeBody(l.body)}`);
        break;
      case 'api':
        out.push(`${t}  api    ${l.api ?? ''} ${(l.args ?? '').slice(0, 80)} -> ${(l.reply ?? '').trim().split('\n').pop() ?? ''}`);
        break;
      case 'control':
        out.push(`${t}  control ${l.action ?? ''}`);
        break;
      case 'channel':
        out.push(`${t}  channel ${l.state ?? ''} ${l.cause ?? ''}`);
        break;
      case 'log':
        if ((l.level ?? 7) <= 4) out.push(`${t}  log    ${l.message ?? ''}`);
        break;
      case 'error':
        out.push(`${t}  error  ${l.message ?? ''}`);
        break;
      default:
        break;
    }
  }
  return `${out.join('\n')}\n`;
}
