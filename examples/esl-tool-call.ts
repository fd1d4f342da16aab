/**
 * Example: the tool-call round trip over ESL (seed README "Tool calls", OpenAI's function calling).
 *
 *   1. When a call's Realtime session connects, tell the model about a `get_weather` tool.
 *   2. When the model calls it (`response.output_item.done` with a `function_call` item, surfaced
 *      by the client as a `functionCall` event), compute a (fake) forecast.
 *   3. Send the result back: `conversation.item.create` (function_call_output), then
 *      `response.create` so the model tells the caller. `sendFunctionResult` does both, in order.
 *
 * It works for streams started with `uuid_openai_audio_stream` (events `mod_openai_audio_stream::*`)
 * and sessions started with `uuid_openai_s2s` (`openai_s2s::*`): the result goes back through the
 * family the call came from.
 *
 * Run it against a FreeSWITCH with mod_openai_realtime loaded (mod_event_socket on 8021):
 *
 *   ESL_HOST=127.0.0.1 ESL_PORT=8021 ESL_PASSWORD=ClueCon npx vite-node examples/esl-tool-call.ts
 *
 * (vite-node comes with vitest, a dev dependency; `npx tsx` works as well.)
 * Set CALL_UUID too to start a stream on an existing (answered or parked) channel from here;
 * otherwise it serves the streams your dialplan starts. Your own application installs the client
 * package: `import { OpenAIRealtimeClient } from '@mod-openai-realtime/esl'`, as here.
 */
import { OpenAIRealtimeClient, type FunctionCallNotice } from '@mod-openai-realtime/esl';

const CALL_UUID = process.env.CALL_UUID;

/** The tool, declared to the model in a GA `session.update`. */
const WEATHER_TOOL = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather at a given location',
  parameters: {
    type: 'object',
    properties: {
      location: { type: 'string', description: 'City, e.g. "Paris"' },
      scale: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['location', 'scale'],
  },
};

const SESSION = {
  type: 'realtime',
  instructions: 'You are a friendly phone assistant. Use get_weather for any weather question.',
  tools: [WEATHER_TOOL],
  tool_choice: 'auto',
};

/** A deterministic fake forecast: the same place always gets the same weather. */
function fakeWeather(location: string, scale: 'celsius' | 'fahrenheit'): { location: string; temperature: number; scale: string; conditions: string } {
  let hash = 0;
  for (const ch of location.toLowerCase()) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  const celsius = 5 + (hash % 25);
  const conditions = ['sunny', 'cloudy', 'light rain', 'windy'][hash % 4]!;
  const temperature = scale === 'fahrenheit' ? Math.round((celsius * 9) / 5 + 32) : celsius;
  return { location, temperature, scale, conditions };
}

const client = new OpenAIRealtimeClient();

// 1. Declare the tool as soon as a call's session is up: one event per family.
client.on('mod_openai_audio_stream::connect', ({ uuid }) => {
  console.log(`${uuid}: stream connected, declaring get_weather`);
  client.sendJson(uuid, { type: 'session.update', session: SESSION }).catch((err: unknown) => console.error(`${uuid}: session.update failed:`, err));
});
client.on('openai_s2s::connect', ({ uuid }) => {
  console.log(`${uuid}: s2s connected, declaring get_weather`);
  client.s2sClientEvent(uuid, { type: 'session.update', session: SESSION }).catch((err: unknown) => console.error(`${uuid}: session.update failed:`, err));
});

// 2 and 3. Run the tool and return its result.
client.on('functionCall', (call: FunctionCallNotice) => {
  answer(call).catch((err: unknown) => console.error(`${call.uuid}: could not return the tool result:`, err));
});

async function answer(call: FunctionCallNotice): Promise<void> {
  if (call.name !== 'get_weather') {
    // Answer every call, even an unknown one: the model waits for an output.
    await client.sendFunctionResult(call.uuid, call.callId, { error: `unknown tool ${call.name}` });
    return;
  }
  // The model writes the arguments: they can be invalid JSON or lack fields.
  let args: { location?: unknown; scale?: unknown } = {};
  try {
    args = JSON.parse(call.arguments) as typeof args;
  } catch {
    console.warn(`${call.uuid}: unreadable arguments ${call.arguments}`);
  }
  const location = typeof args.location === 'string' ? args.location : 'unknown';
  const scale = args.scale === 'fahrenheit' ? 'fahrenheit' : 'celsius';
  const forecast = fakeWeather(location, scale);
  console.log(`${call.uuid}: get_weather(${location}, ${scale}) -> ${forecast.temperature} ${forecast.conditions}`);
  // conversation.item.create (function_call_output), then response.create: two commands, in order.
  await client.sendFunctionResult(call.uuid, call.callId, forecast);
}

// Worth seeing while trying it out.
client.on('serverEvent', ({ uuid, event }) => {
  if (event.type === 'response.output_audio_transcript.done') console.log(`${uuid}: assistant said: ${event.transcript}`);
  if (event.type === 'error') console.log(`${uuid}: OpenAI error ${event.error.code ?? ''}: ${event.error.message}`);
});
client.on('mod_openai_audio_stream::error', (e) => console.log(`${e.uuid}: stream error: ${e.body?.message.error ?? e.rawBody ?? ''}`));
client.on('disconnected', ({ error, reconnecting }) => console.log(`ESL disconnected (${error?.message ?? 'closed'}), reconnecting: ${reconnecting}`));

await client.connect(process.env.ESL_HOST ?? '127.0.0.1', Number(process.env.ESL_PORT ?? 8021), process.env.ESL_PASSWORD ?? 'ClueCon');
console.log('connected to FreeSWITCH; waiting for calls (Ctrl-C to quit)');

if (CALL_UUID) {
  // The API key comes from the channel variable STREAM_OPENAI_API_KEY (set it in the dialplan).
  console.log(await client.start(CALL_UUID, { url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime', mix: 'mono', sendRate: 24000 }));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void client.close());
