// What this proves: Azure's retired preview Realtime path is rewritten to the GA path with the
// deployment as the model, the host and other query parameters kept, api-version dropped; any other
// URL is left alone.
import { describe, expect, it } from 'vitest';
import { rewriteAzurePreviewUrl } from '../../src/commands/azurePreviewPath.js';

describe('rewriteAzurePreviewUrl', () => {
  it('rewrites the preview path to the GA path', () => {
    const r = rewriteAzurePreviewUrl('wss://myres.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=gpt-4o-rt&api-key=k1');
    expect(r?.url).toBe('wss://myres.openai.azure.com/openai/v1/realtime?model=gpt-4o-rt&api-key=k1');
    expect(r?.note).toContain('using the GA path openai/v1/realtime?model=gpt-4o-rt');
    expect(r?.note).not.toContain('k1');
  });

  it('leaves GA paths, OpenAI paths and preview paths without a deployment alone', () => {
    for (const url of [
      'wss://myres.openai.azure.com/openai/v1/realtime?model=d',
      'wss://api.openai.com/v1/realtime?model=gpt-realtime',
      'wss://myres.openai.azure.com/openai/realtime?api-version=2024-10-01-preview',
      'not a url',
    ]) {
      expect(rewriteAzurePreviewUrl(url)).toBeNull();
    }
  });
});
