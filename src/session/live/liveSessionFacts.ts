/**
 * What a Live engine knows of its server session, for `openai_realtime status`: the session's id
 * and expiry (`session.started`), how many sessions the stream has started (one more after every
 * reconnect), usage in seconds (cumulative: the latest figure, from `session.usage.updated` or
 * `session.closed`, never a sum), the context window's usage ratio (it can fall after the server
 * compacts), and the reason the server gave when it closed.
 */
import type { LiveServerEvent } from '../../protocol/live/liveTypes.js';

export class LiveSessionFacts {
  sessionId: string | null = null;
  expiresAt: number | null = null;
  sessionsStarted = 0;
  usageSeconds = 0;
  contextUsageRatio: number | null = null;
  closedReason: string | null = null;

  observe(event: LiveServerEvent): void {
    switch (event.type) {
      case 'session.started':
        this.sessionId = event.session.id;
        this.expiresAt = event.session.expires_at;
        this.sessionsStarted++;
        break;
      case 'session.usage.updated':
        this.usageSeconds = event.usage.seconds;
        if (event.context_window) this.contextUsageRatio = event.context_window.usage_ratio;
        break;
      case 'session.closed':
        if (event.usage) this.usageSeconds = event.usage.seconds;
        this.closedReason = event.reason;
        break;
      default:
        break;
    }
  }

  status(): Record<string, unknown> {
    return {
      sessionId: this.sessionId,
      expiresAt: this.expiresAt,
      sessionsStarted: this.sessionsStarted,
      usageSeconds: this.usageSeconds,
      contextUsageRatio: this.contextUsageRatio,
      closedReason: this.closedReason,
    };
  }
}
