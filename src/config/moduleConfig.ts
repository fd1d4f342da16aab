/**
 * `autoload_configs/openai_realtime.conf.xml` → a validated, typed {@link ModuleConfig}. Every
 * problem is a {@link ConfigError} naming the file, line, profile and param; keys are read once
 * here (files and environment variables), registered as secrets, and never appear in a message.
 *
 * This reads the file itself rather than asking FreeSWITCH, so FreeSWITCH's pre-processor does not
 * run on it: `$${global_var}` and `<X-PRE-PROCESS>` are refused with a clear error instead of
 * being taken literally (the C module, which reads a few settings through FreeSWITCH, would see
 * expanded values and the two would disagree).
 */
import { ConfigError, configError } from './configError.js';
import { DEFAULT_SETTINGS, readSettings, type ModuleSettings } from './moduleSettings.js';
import { readProfile, type Profile } from './profile.js';
import { formatMode, readSmallFile } from './readSmallFile.js';
import { parseXml, XmlSyntaxError, type XmlElement } from './xmlReader.js';

export interface ModuleConfig {
  /** The file this came from, or null for the built-in defaults. */
  readonly file: string | null;
  readonly settings: ModuleSettings;
  /** By name (case-sensitive). */
  readonly profiles: ReadonlyMap<string, Profile>;
  /** Problems worth an operator's attention that did not stop the load (no keys in them). */
  readonly warnings: readonly string[];
}

export interface LoadOptions {
  /** Where `api-key-env` names are looked up; defaults to `process.env` (only ever read). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The configuration name FreeSWITCH knows the file by (`<configuration name="...">`). */
export const CONFIG_NAME = 'openai_realtime.conf';
const MAX_CONFIG_BYTES = 1024 * 1024;

export function defaultModuleConfig(): ModuleConfig {
  return Object.freeze({ file: null, settings: DEFAULT_SETTINGS, profiles: new Map<string, Profile>(), warnings: Object.freeze([]) });
}

/**
 * Reads, parses and validates the file. Throws {@link ConfigError}; `missing` is true on the error
 * when the file does not exist (the caller decides whether that means "use the defaults").
 */
export function loadModuleConfig(path: string, options: LoadOptions = {}): ModuleConfig {
  const env = options.env ?? process.env;
  const read = readSmallFile(path, MAX_CONFIG_BYTES);
  if (!read.ok) throw new ConfigError(path, null, read.problem, read.code === 'ENOENT');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.data);
  } catch {
    throw new ConfigError(path, null, 'is not valid UTF-8');
  }
  let doc: XmlElement;
  try {
    doc = parseXml(text);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new ConfigError(path, err.line, `invalid XML (column ${err.column}): ${err.reason}`);
    throw err;
  }
  refusePreprocessor(doc, path);
  const root = configurationElement(doc, path);

  let settingsElement: XmlElement | null = null;
  let profilesElement: XmlElement | null = null;
  for (const child of root.children) {
    if (child.name === 'settings' && !settingsElement) settingsElement = child;
    else if (child.name === 'profiles' && !profilesElement) profilesElement = child;
    else if (child.name === 'settings' || child.name === 'profiles') {
      throw new ConfigError(path, child.line, `<${child.name}> given twice (merge them into one)`);
    } else {
      throw new ConfigError(path, child.line, `unexpected <${child.name}> in <configuration> (expected <settings> and <profiles>)`);
    }
  }
  for (const el of [root, settingsElement, profilesElement]) {
    if (el && el.text.trim().length > 0) throw new ConfigError(path, el.line, `unexpected text inside <${el.name}>`);
  }

  const { settings, lines } = readSettings(settingsElement, path);
  const warnings: string[] = [];
  const profiles = new Map<string, Profile>();
  const lowerNames = new Map<string, number>();
  let inlineKeys = 0;
  if (profilesElement) {
    if (profilesElement.attributes.size > 0) throw new ConfigError(path, profilesElement.line, '<profiles> takes no attributes');
    for (const el of profilesElement.children) {
      if (el.name !== 'profile') throw new ConfigError(path, el.line, `unexpected <${el.name}> in <profiles> (expected <profile name="...">)`);
      const profile = readProfile(el, { file: path, env, maxSessionBytes: settings.maxSendJsonBytes, warnings });
      const first = lowerNames.get(profile.name.toLowerCase());
      if (first !== undefined) throw new ConfigError(path, el.line, `profile "${profile.name}" is defined twice (first on line ${first}; names are compared ignoring case)`);
      lowerNames.set(profile.name.toLowerCase(), el.line);
      profiles.set(profile.name, profile);
      if (profile.keySource?.kind === 'inline') inlineKeys++;
    }
  }
  if (settings.defaultProfile !== null && !profiles.has(settings.defaultProfile)) {
    throw configError(
      { file: path, line: lines.defaultProfile ?? settingsElement?.line ?? 1, what: 'settings, param "default-profile"' },
      `no profile named "${settings.defaultProfile}" (defined: ${[...profiles.keys()].join(', ') || 'none'})`,
    );
  }
  if (inlineKeys > 0 && (read.mode & 0o177) !== 0) {
    warnings.push(`${path}: holds ${inlineKeys === 1 ? 'a key' : `${inlineKeys} keys`} (api-key) and has mode ${formatMode(read.mode)}, wider than 0600: other users may read it (chmod 600 it, or move the key to an api-key-file)`);
  }
  return Object.freeze({ file: path, settings, profiles, warnings: Object.freeze(warnings) });
}

/** `<configuration name="openai_realtime.conf">`, at the root or as the only child of `<include>`. */
function configurationElement(doc: XmlElement, file: string): XmlElement {
  let root = doc;
  if (root.name === 'include') {
    const inner = root.children;
    if (inner.length !== 1 || inner[0]!.name !== 'configuration' || root.text.trim().length > 0) {
      throw new ConfigError(file, root.line, '<include> must contain exactly one <configuration>');
    }
    root = inner[0]!;
  }
  if (root.name !== 'configuration') throw new ConfigError(file, root.line, `the root element is <${root.name}>, expected <configuration name="${CONFIG_NAME}">`);
  for (const attr of root.attributes.keys()) {
    if (attr !== 'name' && attr !== 'description') throw new ConfigError(file, root.line, `unexpected attribute '${attr}' on <configuration>`);
  }
  const name = root.attributes.get('name');
  if (name !== CONFIG_NAME) {
    throw new ConfigError(file, root.line, `<configuration name=${JSON.stringify(name ?? '')}> is not this module's (expected name="${CONFIG_NAME}")`);
  }
  return root;
}

/** FreeSWITCH's pre-processor does not run on this file: refuse what only it would understand. */
function refusePreprocessor(doc: XmlElement, file: string): void {
  const stack: XmlElement[] = [doc];
  while (stack.length > 0) {
    const el = stack.pop()!;
    if (el.name.toLowerCase() === 'x-pre-process') {
      throw new ConfigError(file, el.line, '<X-PRE-PROCESS> is not supported in this file (the module reads it directly, without FreeSWITCH\'s pre-processor)');
    }
    for (const [attr, value] of el.attributes) {
      if (value.includes('$${')) {
        throw new ConfigError(file, el.line, `attribute '${attr}' of <${el.name}> uses a $\${...} pre-processor variable, which is not expanded in this file: write the value itself`);
      }
    }
    stack.push(...el.children);
  }
}
