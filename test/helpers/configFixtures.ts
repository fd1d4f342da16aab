// Shared by the test/config/config*.test.ts files: real configuration files in a temporary directory.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/runtime/logger.js';

/** Distinctive keys, so a test can prove none of them leaks into a message. */
export const KEYS = {
  file: 'sk-test-FILEKEY-0123456789abcdef',
  env: 'azure-ENVKEY-fedcba9876543210',
  inline: 'inline-QUERYKEY-5566778899',
  channel: 'sk-CHANNELKEY-112233445566',
  argument: 'sk-ARGKEY-998877665544',
} as const;

export interface TempDir {
  dir: string;
  path(name: string): string;
  write(name: string, text: string, mode?: number): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const dir = mkdtempSync(join(tmpdir(), 'oair-config-'));
  return {
    dir,
    path: (name) => join(dir, name),
    write(name, text, mode = 0o600) {
      const p = join(dir, name);
      writeFileSync(p, text);
      chmodSync(p, mode);
      return p;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The example, made valid: one key source per profile, plus Azure and simulator profiles. */
export function fullExample(t: TempDir): string {
  const keyFile = t.write('openai.key', `${KEYS.file}\n`);
  const ca = t.write('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', 0o644);
  return `<?xml version="1.0" encoding="utf-8"?>
<configuration name="openai_realtime.conf" description="OpenAI Realtime bridge">
  <settings>
    <param name="bundle-dir" value="/usr/share/mod_openai_realtime"/>   <!-- read by the C module -->
    <param name="heap-limit-mb" value="512"/>
    <param name="log-level" value="info"/>
    <param name="command-timeout-ms" value="5000"/>
    <param name="max-sessions" value="500"/>
    <param name="max-send-json-bytes" value="1048576"/>
    <param name="playback-queue-ms" value="60000"/>
    <param name="uplink-backlog-ms" value="5000"/>
    <param name="workers" value="0"/>                 <!-- 0 = number of cores -->
    <param name="stats-interval-s" value="0"/>        <!-- 0 = periodic stats events off -->
    <param name="tool-handlers" value=""/>            <!-- path to a JS module of tool handlers -->
    <param name="default-profile" value="openai"/>
  </settings>
  <profiles>
    <profile name="openai">
      <param name="url" value="wss://api.openai.com/v1/realtime?model=gpt-realtime"/>
      <param name="auth" value="bearer"/>             <!-- bearer | api-key-header | api-key-query | none -->
      <param name="api-key-file" value="${keyFile}"/>
      <header name="OpenAI-Organization" value="org-example &amp; co"/>
      <param name="tls-ca-file" value="SYSTEM"/>       <!-- SYSTEM | NONE | path -->
      <param name="tls-cert-file" value=""/> <param name="tls-key-file" value=""/>
      <param name="tls-disable-hostname-validation" value="false"/>
      <param name="reconnect" value="true"/> <param name="max-connect-attempts" value="10"/>
      <param name="heartbeat-s" value="0"/> <param name="deflate" value="false"/>
      <param name="allowed-transfer-destinations" value="1000,sip:support@example.com"/>  <!-- call control (later) -->
      <param name="tools" value="end_call,transfer_call,send_dtmf"/>                      <!-- ready-made tools (later) -->
      <session><![CDATA[ {"type":"realtime","instructions":"You are a helpful phone assistant.","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcmu"},"voice":"marin"}}} ]]></session>
    </profile>
    <profile name="azure">
      <param name="url" value="wss://myres.openai.azure.com/openai/v1/realtime?model=my-deployment"/>
      <param name="auth" value="api-key-header"/>
      <param name="api-key-env" value="AZURE_OPENAI_API_KEY"/>
      <param name="tls-ca-file" value="${ca}"/>
      <param name="reconnect" value="no"/>
      <param name="heartbeat-s" value="15"/>
      <param name="deflate" value="on"/>
    </profile>
    <profile name="azure-query">
      <param name="url" value="wss://myres.openai.azure.com/openai/v1/realtime?model=my-deployment"/>
      <param name="auth" value="api-key-query"/>
      <param name="api-key" value="${KEYS.inline}"/>
    </profile>
    <profile name="sim">
      <param name="url" value="ws://127.0.0.1:8089/v1/realtime"/>
      <param name="auth" value="none"/>
    </profile>
  </profiles>
</configuration>
`;
}

export const ENV = { AZURE_OPENAI_API_KEY: KEYS.env } as const;

/** A minimal valid file around `profiles` (and optional `settings`) XML. */
export function configText(profiles: string, settings = ''): string {
  return `<configuration name="openai_realtime.conf">\n  <settings>\n${settings}  </settings>\n  <profiles>\n${profiles}  </profiles>\n</configuration>\n`;
}

/** 1-based line of the first line containing `marker`. */
export function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker ${marker} not in text`);
  return i + 1;
}

export interface CapturedLog extends Logger {
  lines: { level: string; message: string }[];
}

export function captureLog(): CapturedLog {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: string) => {
    lines.push({ level, message });
  };
  const logger: CapturedLog = {
    lines,
    error: at('error'),
    warning: at('warning'),
    notice: at('notice'),
    info: at('info'),
    debug: at('debug'),
    forChannel: () => logger,
  };
  return logger;
}
