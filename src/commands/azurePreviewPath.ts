/**
 * Azure OpenAI's preview Realtime path, `openai/realtime?api-version=<v>&deployment=<d>`, spoke the
 * beta protocol, which no longer answers. Applications still send it (jambonz's feature-server
 * builds it for its `microsoft` vendor), so it is rewritten to the GA path,
 * `openai/v1/realtime?model=<d>`, keeping the host, the deployment and any other query parameter
 * (an `api-key` among them); `api-version` is dropped (the GA path takes none). Pure.
 */
const PREVIEW_PATH = /^\/openai\/realtime\/?$/i;

export function rewriteAzurePreviewUrl(url: string): { url: string; note: string } | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!PREVIEW_PATH.test(parsed.pathname)) return null;
  const deployment = parsed.searchParams.get('deployment');
  if (deployment === null || deployment === '') return null;
  const query = new URLSearchParams();
  query.set('model', deployment);
  for (const [name, value] of parsed.searchParams) {
    if (name !== 'deployment' && name !== 'api-version' && name !== 'model') query.append(name, value);
  }
  parsed.pathname = '/openai/v1/realtime';
  parsed.search = query.toString();
  return {
    url: parsed.toString(),
    note: `Azure's preview path openai/realtime?api-version=…&deployment=${deployment} no longer answers: using the GA path openai/v1/realtime?model=${deployment}`,
  };
}
