/**
 * Example in-process tool handlers for mod_openai_realtime (module setting `tool-handlers`).
 *
 *   <param name="tool-handlers" value="/usr/share/mod_openai_realtime/examples/tool-handlers.mjs"/>
 *
 * Every named export is the handler of the function of that name. When the model calls one
 * (a `function_call` item), the module runs it in its tool-handler thread with a timeout
 * (`tool-handler-timeout-ms`, default 10 s), sends what it returns as the `function_call_output`
 * (strings as they are, anything else as JSON) and asks for a response. A throw or a timeout
 * reaches the model as {"error":"..."} and the FreeSWITCH log. Functions nobody exports here still
 * reach your ESL application, as before.
 *
 * The model only calls functions it knows about: declare them in the session's `tools` (a
 * profile's <session>, or the application's session.update), e.g.
 *   {"type":"function","name":"get_weather","description":"Current weather at a location",
 *    "parameters":{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}}
 *
 * `ctx` gives the call: ctx.uuid, ctx.family, ctx.callId, ctx.name, ctx.signal (aborted on
 * timeout), ctx.log.{error,warning,notice,info,debug}, await ctx.getVariable(name), and call
 * control: ctx.hangup(cause?), ctx.transfer(destination), ctx.setVariable(name, value),
 * ctx.playFile(path), ctx.sendDtmf(digits) — checked like the ready-made tools (a transfer goes only
 * to the call's allowed destinations), each firing openai_realtime::call_control.
 */

/** Canned forecasts: an example needs no network. */
const FORECASTS = {
  paris: { temperature_c: 21, conditions: 'sunny' },
  london: { temperature_c: 14, conditions: 'light rain' },
  'new york': { temperature_c: 18, conditions: 'cloudy' },
};

export async function get_weather(args, ctx) {
  const location = typeof args.location === 'string' ? args.location.trim() : '';
  if (location === '') throw new Error('location is required');
  const forecast = FORECASTS[location.toLowerCase()] ?? { temperature_c: 20, conditions: 'clear' };
  const scale = args.scale === 'fahrenheit' ? 'fahrenheit' : 'celsius';
  const temperature = scale === 'fahrenheit' ? Math.round((forecast.temperature_c * 9) / 5 + 32) : forecast.temperature_c;
  ctx.log.info(`weather for ${location}`);
  return { location, temperature, scale, conditions: forecast.conditions };
}

/** Who is calling: channel variables the handler may read (never the ones holding credentials). */
export async function caller_info(_args, ctx) {
  return {
    number: await ctx.getVariable('caller_id_number'),
    name: await ctx.getVariable('caller_id_name'),
  };
}

/** Sales is extension 1000 in this example's dialplan (it must be in allowed-transfer-destinations). */
export async function transfer_to_sales(_args, ctx) {
  await ctx.transfer('1000');
  return { ok: true, note: 'Tell the caller they are being transferred to sales.' };
}
