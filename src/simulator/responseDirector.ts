/**
 * The responses of one simulated connection: `response.create` and `response.cancel`, at most one
 * active response, what it says (a function call when a rule and the tools allow it, else the
 * voice's next utterance for the situation: greeting, reply, after a tool output), its usage, and
 * the records tests read (`responses`, `cancels`).
 */
import type { UtteranceSituation } from './assistantVoice.js';
import type { ConnectionIo } from './connectionIo.js';
import type { CancelRecord, ResponseRecord } from './connectionRecord.js';
import type { Conversation } from './conversation.js';
import { decideFunctionCall } from './functionCallRule.js';
import { newId } from './ids.js';
import type { CancelReason, ClientEvent, RealtimeSession, SessionTool, ToolChoice } from './protocolTypes.js';
import { realtimeErrors } from './realtimeErrors.js';
import { parseResponseCreate } from './responseParams.js';
import { ResponseRun, type ResponseContent, type ResponseRunHost } from './responseRun.js';
import { isObject } from './sessionConfig.js';
import type { ConnectionSettings } from './simulatedConnection.js';
import { RateLimitLedger, estimateUsage } from './tokenAccounting.js';
import { lastToolOutput, replyWithToolOutput, userTextOf } from './toolOutputReply.js';

export interface ResponseDirectorOptions {
  io: ConnectionIo;
  conversation: Conversation;
  session: () => RealtimeSession;
  settings: Pick<ConnectionSettings, 'voice' | 'chunkMs' | 'deltaIntervalMs' | 'functionCalls'>;
  /** The connection's faults, applied to the audio as it streams. */
  faults: Pick<ResponseRunHost, 'transformAudioDelta' | 'afterDelta'>;
  /** Where the records go (the connection's public arrays). */
  responses: ResponseRecord[];
  cancels: CancelRecord[];
}

export class ResponseDirector {
  readonly #o: ResponseDirectorOptions;
  readonly #conversationId = newId('conv');
  readonly #ledger = new RateLimitLedger();
  #activeRun: ResponseRun | undefined;
  readonly #records = new Map<string, ResponseRecord>();
  #responseCount = 0;
  readonly #situationCounts = new Map<UtteranceSituation, number>();
  #previousInputTokens = 0;
  #assistantAudioProduced = false;

  constructor(options: ResponseDirectorOptions) {
    this.#o = options;
  }

  get active(): ResponseRun | undefined {
    return this.#activeRun;
  }

  /** Whether any assistant audio was produced (the output format is fixed from then on). */
  get assistantAudioProduced(): boolean {
    return this.#assistantAudioProduced;
  }

  create(event: ClientEvent, id: string | undefined): void {
    if (this.#activeRun) return this.#o.io.sendError(realtimeErrors.activeResponse(this.#activeRun.id), id);
    const params = event.response;
    if (params !== undefined && !isObject(params)) return this.#o.io.sendError(realtimeErrors.invalidType('response', 'an object'), id);
    this.start(params, id);
  }

  cancel(event: ClientEvent, id: string | undefined): void {
    const run = this.#activeRun;
    const wanted = event.response_id;
    if (!run || (typeof wanted === 'string' && wanted !== run.id)) return this.#o.io.sendError(realtimeErrors.cancelNotActive(), id);
    this.cancelActive('client_cancelled');
  }

  cancelActive(reason: CancelReason): void {
    const run = this.#activeRun;
    if (!run) return;
    this.#o.cancels.push({ responseId: run.id, reason, audioMsSent: run.audioMsSent, deltasSent: run.deltasSent });
    run.cancel(reason);
  }

  /** `params` is the `response` of a `response.create`, or undefined for a VAD-triggered one. */
  start(params: Record<string, unknown> | undefined, id: string | undefined): void {
    const { io, conversation, settings } = this.#o;
    const session = this.#o.session();
    const parsed = parseResponseCreate(params, session);
    if (!parsed.ok) return io.sendError(parsed.error, id);
    const r = parsed.value;

    const situation = this.#situation();
    const content = this.#contentFor(situation, r.tools, r.toolChoice);
    const situationIndex = this.#situationCounts.get(situation) ?? 0;
    this.#situationCounts.set(situation, situationIndex + 1);
    this.#responseCount++;
    const context = [...conversation.items];

    const run: ResponseRun = new ResponseRun(
      {
        responseId: newId('resp'),
        conversationId: r.outOfBand ? null : this.#conversationId,
        outputModalities: r.modalities,
        format: r.format,
        voice: r.voice,
        maxOutputTokens: r.maxOutputTokens,
        metadata: r.metadata,
        content,
        rateLimits: this.#ledger.reserve(r.maxOutputTokens),
        chunkMs: settings.chunkMs,
        deltaIntervalMs: settings.deltaIntervalMs,
      },
      {
        send: (event) => io.send(event),
        insertItem: (item) => conversation.insert(item),
        setItemAudioMs: (itemId, ms) => {
          this.#assistantAudioProduced = true;
          conversation.setAudioMs(itemId, ms);
          const record = this.#records.get(run.id);
          if (record) record.audioMs = ms;
        },
        transformAudioDelta: (base64) => this.#o.faults.transformAudioDelta(base64),
        afterDelta: () => {
          const record = this.#records.get(run.id);
          if (record) record.deltas = run.deltasSent;
          this.#o.faults.afterDelta();
        },
        usageFor: (outputAudioMs, outputText) => {
          const usage = estimateUsage({
            instructions: session.instructions,
            context,
            audioMsOf: (itemId) => conversation.audioMsOf(itemId),
            outputAudioMs,
            outputText,
            previousInputTokens: this.#previousInputTokens,
          });
          this.#previousInputTokens = usage.input_tokens;
          return usage;
        },
        finished: (finishedRun) => this.#onRunFinished(finishedRun),
      },
    );
    const record: ResponseRecord = {
      id: run.id,
      kind: content.kind,
      status: 'in_progress',
      itemId: run.itemId,
      outputModalities: r.modalities,
      format: r.format,
      audioMs: 0,
      transcript: '',
      deltas: 0,
      ...(content.kind === 'function_call' ? { name: content.name, callId: content.callId, arguments: content.arguments } : {}),
    };
    this.#records.set(run.id, record);
    this.#o.responses.push(record);
    this.#activeRun = run;
    run.start();
  }

  #situation(): UtteranceSituation {
    const items = this.#o.conversation.items;
    const last = items[items.length - 1];
    if (last?.type === 'function_call_output') return 'afterToolOutput';
    return items.some((item) => item.type === 'message' && item.role === 'user') ? 'reply' : 'greeting';
  }

  #contentFor(situation: UtteranceSituation, tools: readonly SessionTool[], toolChoice: ToolChoice): ResponseContent {
    const items = this.#o.conversation.items;
    const last = items[items.length - 1];
    const call = decideFunctionCall({
      tools,
      toolChoice,
      specs: this.#o.settings.functionCalls,
      afterUserTurn: situation === 'reply' && last?.type === 'message' && last.role === 'user',
      userText: userTextOf(last),
    });
    if (call) return { kind: 'function_call', name: call.name, callId: newId('call'), arguments: call.arguments };
    const index = this.#situationCounts.get(situation) ?? 0;
    const utterance = this.#o.settings.voice.utteranceFor({ situation, responseIndex: this.#responseCount, situationIndex: index });
    const tool = situation === 'afterToolOutput' ? lastToolOutput(items) : null;
    return { kind: 'message', utterance: tool ? replyWithToolOutput(utterance, tool) : utterance };
  }

  #onRunFinished(run: ResponseRun): void {
    if (this.#activeRun === run) this.#activeRun = undefined;
    const record = this.#records.get(run.id);
    if (record) {
      record.status = run.status;
      record.audioMs = run.audioMsSent;
      record.deltas = run.deltasSent;
      record.transcript = run.transcriptSent;
    }
  }
}
