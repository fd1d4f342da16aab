/**
 * HTTP answers to a refused WebSocket upgrade, with the JSON bodies OpenAI (and Azure, for its
 * `api-key` credential) send, so a client's handling of a failed connect is tested against the
 * real shapes: status, `error.type`, `error.code`, and `retry-after` on 429.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { newId } from './ids.js';

export interface HandshakeRefusal {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

function openAiError(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

export function missingApiKey(): HandshakeRefusal {
  return {
    status: 401,
    headers: {},
    body: openAiError(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
        '(i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key from https://platform.openai.com/account/api-keys.',
      'invalid_request_error',
      null,
    ),
  };
}

export function incorrectApiKey(presented: string, azureStyle: boolean): HandshakeRefusal {
  if (azureStyle) {
    return {
      status: 401,
      headers: {},
      body: {
        error: {
          code: '401',
          message:
            'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
        },
      },
    };
  }
  return {
    status: 401,
    headers: {},
    body: openAiError(
      `Incorrect API key provided: ${maskKey(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      'invalid_request_error',
      'invalid_api_key',
    ),
  };
}

export function notFound(path: string): HandshakeRefusal {
  return { status: 404, headers: {}, body: openAiError(`Invalid URL (GET ${path})`, 'invalid_request_error', null) };
}

export function missingModel(): HandshakeRefusal {
  return { status: 400, headers: {}, body: openAiError("Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter') };
}

/** The body OpenAI sends for a status, used when a fault asks for a refusal without a body. */
export function refusalFor(status: number, model: string): HandshakeRefusal {
  switch (status) {
    case 401:
      return missingApiKey();
    case 403:
      return { status, headers: {}, body: openAiError(`Project does not have access to model \`${model}\``, 'invalid_request_error', 'model_not_found') };
    case 429:
      return {
        status,
        headers: { 'retry-after': '1', 'x-ratelimit-limit-requests': '100', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': '600ms' },
        body: openAiError(
          `Rate limit reached for ${model} on requests per min (RPM): Limit 100, Used 100, Requested 1. Please try again in 600ms.`,
          'requests',
          'rate_limit_exceeded',
        ),
      };
    case 500:
      return { status, headers: {}, body: openAiError('The server had an error while processing your request. Sorry about that!', 'server_error', null) };
    case 503:
      return { status, headers: {}, body: openAiError('The engine is currently overloaded, please try again later.', 'server_error', null) };
    default:
      return { status, headers: {}, body: openAiError(STATUS_CODES[status] ?? `HTTP ${status}`, 'invalid_request_error', null) };
  }
}

/** Answer the upgrade request with a plain HTTP response and close the socket. */
export function writeRefusal(socket: Duplex, refusal: HandshakeRefusal): void {
  const body = typeof refusal.body === 'string' ? refusal.body : JSON.stringify(refusal.body);
  const headers: Record<string, string> = {
    'content-type': typeof refusal.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    'content-length': String(Buffer.byteLength(body)),
    'x-request-id': `req_${newId('event').slice('event_'.length)}`,
    connection: 'close',
    ...refusal.headers,
  };
  const head = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? 'Error'}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}
