// What this proves, through the real app, the native command queue and real sockets to the
// realtime simulator: a profile is chosen by `profile:<name>`, by OPENAI_REALTIME_PROFILE or by
// default-profile; its key (from a file, the environment or inline) reaches the server in the
// header or query its auth style says, its headers merge with STREAM_EXTRA_HEADERS (the channel's
// value wins), STREAM_OPENAI_API_KEY beats it, and another origin gets none of its credentials;
// its <session> is sent after session.created and replayed after a reconnect; `openai_realtime
// reload` gives new sessions the new profiles while a running session keeps its own, and a broken
// file is refused with the previous profiles kept; no key appears in any event, log line, reply,
// status or debug WAV file.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RealtimeSimulator, type SimulatedConnection } from '../../src/simulator/index.js';
import { b64json } from '../helpers/callerAudio.js';
import { connectionsOfChannel, createTaggedChannel, inProcessHost, waitFor, type InProcessHost } from '../helpers/inProcessHost.js';
import { tempDir, type TempDir } from '../helpers/configFixtures.js';

const API = 'uuid_openai_audio_stream';
const EV = 'mod_openai_audio_stream::';
const KEYS = {
  file: 'sk-profile-FILEKEY-0a1b2c3d4e5f',
  env: 'azure-profile-ENVKEY-9f8e7d6c5b4a',
  inline: 'inline-profile-QUERYKEY-13579bdf',
  fallback: 'sk-profile-DEFAULTKEY-2468ace0',
  channel: 'sk-profile-CHANNELKEY-112233aabb',
  reloaded: 'sk-profile-RELOADEDKEY-445566ccdd',
} as const;
const ENV_NAME = 'OAIR_PROFILE_TEST_AZURE_KEY';
const PROFILE_SESSION = { type: 'realtime', instructions: 'Profile bearer speaking.', audio: { output: { voice: 'cedar' } } };
const RELOADED_SESSION = { type: 'realtime', instructions: 'Reloaded profile.' };

let h: InProcessHost;
let sim: RealtimeSimulator;
let other: RealtimeSimulator;
let t: TempDir;
let configFile: string;
const replies: string[] = [];
const wavBytes: Buffer[] = [];

function configXml(bearerKeyFile: string, session: object): string {
  const url = sim.url.replace(/&/g, '&amp;');
  return `<configuration name="openai_realtime.conf">
  <settings>
    <param name="default-profile" value="fallback"/>
  </settings>
  <profiles>
    <profile name="bearer">
      <param name="url" value="${url}"/>
      <param name="auth" value="bearer"/>
      <param name="api-key-file" value="${bearerKeyFile}"/>
      <header name="X-Profile" value="bearer"/>
      <header name="X-Shared" value="from-profile"/>
      <session><![CDATA[ ${JSON.stringify(session)} ]]></session>
    </profile>
    <profile name="azure">
      <param name="url" value="${url}"/>
      <param name="auth" value="api-key-header"/>
      <param name="api-key-env" value="${ENV_NAME}"/>
    </profile>
    <profile name="query">
      <param name="url" value="${url}"/>
      <param name="auth" value="api-key-query"/>
      <param name="api-key" value="${KEYS.inline}"/>
    </profile>
    <profile name="fallback">
      <param name="url" value="${url}"/>
      <param name="api-key" value="${KEYS.fallback}"/>
    </profile>
  </profiles>
</configuration>
`;
}

beforeAll(async () => {
  sim = await RealtimeSimulator.start({ voice: 'tone', tone: { durationMs: 300 } });
  other = await RealtimeSimulator.start({ voice: 'tone' });
  t = tempDir();
  process.env[ENV_NAME] = KEYS.env; // as systemd's EnvironmentFile= would
  configFile = t.write('openai_realtime.conf.xml', configXml(t.write('openai.key', `${KEYS.file}\n`), PROFILE_SESSION));
  h = inProcessHost({ configFile });
});

afterAll(async () => {
  await h.app.stop('end of test file');
  await Promise.all([sim.close(), other.close()]);
  t.remove();
});

async function command(api: string, args: string): Promise<string> {
  const reply = await h.command(api, args);
  replies.push(reply);
  return reply;
}

const channel = (prefix: string, vars: Record<string, string> = {}, extraHeaders: Record<string, string> = {}): string =>
  createTaggedChannel(h, prefix, { vars, headers: extraHeaders });

const connectionsOf = (s: RealtimeSimulator, uuid: string): SimulatedConnection[] => connectionsOfChannel(s, uuid);
const status = (uuid: string) => h.app.registry.get(uuid, 'audio_stream')?.status() as Record<string, unknown> & { connection: Record<string, unknown> };

async function start(uuid: string, target: string, s: RealtimeSimulator = sim): Promise<SimulatedConnection> {
  expect(await command(API, `${uuid} start ${target} mono`)).toBe('+OK Success');
  await waitFor(() => h.events(uuid, `${EV}connect`).length > 0, 'connect');
  return waitFor(() => connectionsOf(s, uuid)[0], 'simulator connection');
}

const stop = async (uuid: string) => expect(await command(API, `${uuid} stop`)).toBe('+OK Success');

describe('choosing a profile', () => {
  it('profile:<name>: key from the file as Bearer, headers merged (the channel wins), <session> after session.created', async () => {
    const uuid = channel('byarg', {}, { 'X-Shared': 'from-channel' });
    const c = await start(uuid, 'profile:bearer');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEYS.file}`);
    expect(c.handshake.headers['x-profile']).toBe('bearer');
    expect(c.handshake.headers['x-shared']).toBe('from-channel');
    await waitFor(() => c.serverEventTypes().includes('session.updated'), 'the profile session applied');
    expect(c.clientEvents[0]!.event).toEqual({ type: 'session.update', session: PROFILE_SESSION });
    expect(c.clientEvents[0]!.receivedAt).toBeGreaterThanOrEqual(c.handshake.at);
    expect(c.serverEventTypes().indexOf('session.created')).toBe(0);
    expect(c.session.instructions).toBe('Profile bearer speaking.');
    expect(c.session.audio.output.voice).toBe('cedar');
    expect(status(uuid)).toMatchObject({ profile: 'bearer', connection: { profileSelectedBy: 'api-argument', auth: 'bearer', keyOrigin: 'profile' } });

    // A reply, so debug WAV files exist: read them while the stream runs.
    expect(await command(API, `${uuid} send_json ${b64json({ type: 'response.create' })}`)).toBe('+OK Success');
    await waitFor(() => h.events(uuid, `${EV}play`).length > 0, '::play');
    for (const e of h.events(uuid, `${EV}play`)) {
      const file = (JSON.parse(e.body) as { file: string }).file;
      try {
        wavBytes.push(readFileSync(file));
      } catch {
        // rotated away already: the newest files are enough
      }
    }
    expect(wavBytes.length).toBeGreaterThan(0);
    await stop(uuid);
  });

  it('STREAM_OPENAI_API_KEY beats the profile key and goes out in the profile auth style (api-key header)', async () => {
    const uuid = channel('chankey', { STREAM_OPENAI_API_KEY: KEYS.channel });
    const c = await start(uuid, 'profile:azure');
    expect(c.handshake.headers['api-key']).toBe(KEYS.channel);
    expect(c.handshake.headers.authorization).toBeUndefined();
    expect(status(uuid).connection).toMatchObject({ keyOrigin: 'channel-variable', auth: 'api-key-header' });
    await stop(uuid);
  });

  it('OPENAI_REALTIME_PROFILE chooses for an explicit URL: env key in the api-key header; inline key in the query', async () => {
    const azure = channel('byvar-azure', { OPENAI_REALTIME_PROFILE: 'azure' });
    const a = await start(azure, sim.url);
    expect(a.handshake.headers['api-key']).toBe(KEYS.env);
    expect(status(azure)).toMatchObject({ profile: 'azure', connection: { profileSelectedBy: 'channel-variable' } });
    const query = channel('byvar-query', { OPENAI_REALTIME_PROFILE: 'query' });
    const q = await start(query, sim.url);
    expect(q.handshake.query['api-key']).toBe(KEYS.inline);
    expect(q.handshake.headers.authorization).toBeUndefined();
    expect(status(query).connection.url).toContain('api-key=[REDACTED]');
    await Promise.all([stop(azure), stop(query)]);
  });

  it('default-profile applies when neither the argument nor the variable chooses', async () => {
    const uuid = channel('bydefault');
    const c = await start(uuid, sim.url);
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEYS.fallback}`);
    expect(status(uuid)).toMatchObject({ profile: 'fallback', connection: { profileSelectedBy: 'default-profile' } });
    await stop(uuid);
  });

  it("another origin gets none of the profile's credentials, with a warning", async () => {
    const uuid = channel('elsewhere', { OPENAI_REALTIME_PROFILE: 'bearer' });
    const c = await start(uuid, other.url, other);
    expect(c.handshake.headers.authorization).toBeUndefined();
    expect(c.handshake.headers['x-profile']).toBeUndefined();
    expect(h.logs(uuid).some((l) => l.startsWith('4 ') && l.includes('profile "bearer": its key, headers and client certificate are not sent'))).toBe(true);
    await stop(uuid);
  });

  it('an unknown or malformed profile is -ERR and starts nothing', async () => {
    const uuid = channel('unknown');
    expect(await command(API, `${uuid} start profile:nope mono`)).toBe('-ERR profile:<name>: no profile named "nope" (defined: bearer, azure, query, fallback)');
    expect(await command(API, `${uuid} start profile:bad/name mono`)).toBe('-ERR invalid profile name "bad/name" (letters, digits, _ . -; at most 64)');
    const byVar = channel('unknownvar', { OPENAI_REALTIME_PROFILE: 'nope' });
    expect(await command(API, `${byVar} start ${sim.url} mono`)).toMatch(/^-ERR OPENAI_REALTIME_PROFILE: no profile named "nope"/);
    expect(status(uuid)).toBeUndefined();
    expect(status(byVar)).toBeUndefined();
  });
});

describe('openai_realtime reload', () => {
  it('new sessions get the new profile; a running session keeps its own, across a reconnect too', async () => {
    const running = channel('keeps');
    const first = await start(running, 'profile:bearer');
    await waitFor(() => first.serverEventTypes().includes('session.updated'), 'profile session applied');

    writeFileSync(configFile, configXml(t.write('openai-new.key', `${KEYS.reloaded}\n`), RELOADED_SESSION));
    expect(await command('openai_realtime', 'reload')).toBe('+OK reloaded (4 profiles)');

    const fresh = channel('fresh');
    const c = await start(fresh, 'profile:bearer');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEYS.reloaded}`);
    await waitFor(() => c.serverEventTypes().includes('session.updated'), 'new profile session applied');
    expect(c.session.instructions).toBe('Reloaded profile.');

    // The running session drops and reconnects: still its old key and its old session.
    first.terminate();
    const second = await waitFor(() => connectionsOf(sim, running)[1], 'reconnected');
    expect(second.handshake.headers.authorization).toBe(`Bearer ${KEYS.file}`);
    await waitFor(() => second.serverEventTypes().includes('session.updated'), 'replayed');
    expect(second.clientEvents[0]!.event).toEqual({ type: 'session.update', session: PROFILE_SESSION });
    expect(second.session.instructions).toBe('Profile bearer speaking.');
    await Promise.all([stop(running), stop(fresh)]);
  });

  it('a broken file is refused with the reason; the previous profiles stay in use', async () => {
    const good = readFileSync(configFile, 'utf8');
    writeFileSync(configFile, good.replace('<param name="auth" value="api-key-header"/>', '<param name="auth" value="api-key-headr"/>'));
    const reply = await command('openai_realtime', 'reload');
    expect(reply).toMatch(new RegExp(`^-ERR ${configFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: profile "azure", param "auth": .*the previous configuration stays in use$`));
    expect(h.logs().some((l) => l.startsWith('3 ') && l.includes('configuration not loaded') && l.includes('param "auth"'))).toBe(true);

    const uuid = channel('afterbad');
    const c = await start(uuid, 'profile:bearer');
    expect(c.handshake.headers.authorization).toBe(`Bearer ${KEYS.reloaded}`);
    await stop(uuid);
    const st = JSON.parse(await command('openai_realtime', 'status json')) as { config: { profiles: string[]; lastError: string | null } };
    expect(st.config.profiles).toEqual(['bearer', 'azure', 'query', 'fallback']);
    expect(st.config.lastError).toContain('param "auth"');

    writeFileSync(configFile, good);
    expect(await command('openai_realtime', 'reload')).toBe('+OK reloaded (4 profiles)');
  });
});

describe('secrets', () => {
  it('no key in any event, log line, reply, status or debug WAV file', async () => {
    // A live session for the status output.
    const uuid = channel('scan', { STREAM_OPENAI_API_KEY: KEYS.channel });
    await start(uuid, 'profile:query');
    replies.push(await command('openai_realtime', 'status json'), await command('openai_realtime', 'status'));
    const texts = [...h.events().map((e) => `${e.subclass} ${e.body}`), ...h.logs(), ...replies, JSON.stringify(h.app.registry.all().map((s) => s.status()))];
    const everything = texts.join('\n');
    expect(everything.length).toBeGreaterThan(1000);
    const wavs = Buffer.concat(wavBytes);
    for (const key of Object.values(KEYS)) {
      expect(everything).not.toContain(key);
      expect(wavs.includes(Buffer.from(key))).toBe(false);
    }
    await stop(uuid);
  });
});
