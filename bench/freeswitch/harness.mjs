/**
 * What the FreeSWITCH bench (run.mjs) and soak (soak.mjs) share: the realtime peer in its own
 * process, the seed's GA session.update, the FreeSWITCH binary and stock modules from pkg-config,
 * waiting for a started FreeSWITCH to answer on its event socket, one loopback call pair with the
 * caller's speech-like loop on A, and our module's status totals.
 */
import { execSync, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const { EslConnection } = await import(join(ROOT, 'packages', 'esl', 'dist', 'index.js'));
export const API_KEY = 'sk-bench0123456789abcdefghijklmnopqrstu';
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The seed's GA session.update (server VAD, 24 kHz PCM both ways), base64 for `send_json`. */
export const SESSION_UPDATE_B64 = Buffer.from(JSON.stringify({
  type: 'session.update',
  session: {
    type: 'realtime',
    audio: {
      input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 400, create_response: true, interrupt_response: true } },
      output: { format: { type: 'audio/pcm', rate: 24000 } },
    },
  },
})).toString('base64');

/** FreeSWITCH's prefix, binary (FREESWITCH_BIN overrides) and stock module directory. */
export function freeswitchInstall() {
  const prefix = execSync('pkg-config --variable=prefix freeswitch', { encoding: 'utf8' }).trim();
  const stockModDir = execSync('pkg-config --variable=modulesdir freeswitch', { encoding: 'utf8' }).trim();
  return { prefix, stockModDir, fsBin: process.env.FREESWITCH_BIN ?? join(prefix, 'bin', 'freeswitch') };
}

/**
 * peer.mjs in its own process. Resolves with the child, `ask(cmd)` (one IPC round trip) and the
 * stream URL the module is given (`ws://host/v1/realtime?model=gpt-realtime`).
 */
export async function startPeer(args = []) {
  const peer = fork(join(ROOT, 'bench', 'freeswitch', 'peer.mjs'), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise((resolve) => peer.once('message', (m) => resolve(m.url)));
  const ask = (cmd) => new Promise((resolve) => { peer.once('message', resolve); peer.send({ cmd }); });
  return { peer, ask, streamUrl: `ws://${new URL(url).host}/v1/realtime?model=gpt-realtime` };
}

/** Connects `esl` once FreeSWITCH says it is ready (up to 30 s). */
export async function waitReady(esl, dir) {
  for (let i = 0; ; i++) {
    try { await esl.connect(); if ((await esl.api('status')).includes('is ready')) return; } catch { /* not up yet */ }
    if (i > 120) throw new Error(`FreeSWITCH did not come up (${dir}/log)`);
    await sleep(250);
  }
}

/**
 * One loopback pair: A answers and loops `burst` (the caller), B is the leg the stream goes on;
 * unless `parked`, B plays endless silence so FreeSWITCH's own media loop drives it. Returns
 * `{ a, b }`; `extraVars` go into A's origination variables.
 */
export async function originatePair(api, burst, { parked = false, extraVars = '' } = {}) {
  const a = globalThis.crypto.randomUUID();
  const res = await api(`originate {origination_uuid=${a}${extraVars ? `,${extraVars}` : ''}}loopback/answer\\,park/default/inline &endless_playback(${burst})`);
  if (!res.startsWith('+OK')) throw new Error(`originate: ${res}`);
  const b = await api(`uuid_getvar ${a} other_loopback_leg_uuid`);
  if (!/^[0-9a-f-]{36}$/.test(b)) throw new Error(`no B leg for ${a}: ${b}`);
  if (!parked) await api(`uuid_broadcast ${b} silence_stream://-1 aleg`);
  return { a, b };
}

/** Our module's `status json` parsed (null when it does not answer JSON, e.g. unloaded). */
export async function moduleStatus(api) {
  const text = await api('openai_realtime status json');
  try { return JSON.parse(text); } catch { return null; }
}
