/**
 * Reads `[tool.async-pitfalls]` from a pyproject.toml as plain data (never
 * executed), validating every key: a wrong entry becomes an error with its
 * line, and the valid entries still apply.
 */
import { escapeRegExp } from '../core/regex';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };
import type { SeveritySetting } from '../core/types';

// smol-toml ships a CommonJS build under its "require" condition, but declares types for its ESM entry only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse, TomlError } = require('smol-toml') as typeof SmolToml;

export const CONFIG_TABLE = 'async-pitfalls';
/** A config file larger than this is refused rather than parsed. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ProjectConfig {
  /** The pyproject.toml this came from. */
  file: string;
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  severity: Record<string, SeveritySetting>;
  /** Qualified name or pattern (`legacy.db.*`) -> what to do instead. */
  blockingCalls: Record<string, string>;
  /** Glob (relative to the config file's folder) -> codes or prefixes ignored in matching files. */
  perFileIgnores: Array<{ pattern: string; codes: string[] }>;
  /** Globs of files not to check at all. */
  exclude: string[];
  targetVersion?: [number, number];
}

export interface ConfigError {
  file: string;
  /** 1-based; 0 when the file as a whole is at fault. */
  line: number;
  column: number;
  message: string;
}

const KNOWN_KEYS = ['select', 'extend-select', 'ignore', 'severity', 'blocking-calls', 'per-file-ignores', 'exclude', 'target-version'];
const SEVERITIES = new Set(['error', 'warning', 'information', 'hint', 'off']);
const CODE_PREFIX = /^AIO\d{0,3}$/;
const PYTHON_VERSION = /^(?:py)?3\.?(\d{1,2})$/;

/** Parses the text of a pyproject.toml; `config` is undefined when it has no `[tool.async-pitfalls]` table. */
export function readProjectConfig(file: string, text: string): { config?: ProjectConfig; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  if (text.length > MAX_CONFIG_BYTES) {
    return { errors: [{ file, line: 0, column: 0, message: `pyproject.toml is over ${MAX_CONFIG_BYTES / 1024} KB; not read` }] };
  }
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      return { errors: [{ file, line: error.line, column: error.column, message: `invalid TOML: ${error.message.split('\n')[0]}` }] };
    }
    return { errors: [{ file, line: 0, column: 0, message: `invalid TOML: ${String(error)}` }] };
  }
  const tool = document.tool;
  const table = isTable(tool) ? tool[CONFIG_TABLE] : undefined;
  if (table === undefined) return { errors };
  const locate = locator(text);
  const error = (key: string, message: string): void => {
    const { line, column } = locate(key);
    errors.push({ file, line, column, message: `[tool.${CONFIG_TABLE}] ${key}: ${message}` });
  };
  const config: ProjectConfig = { file, severity: {}, blockingCalls: {}, perFileIgnores: [], exclude: [] };
  if (!isTable(table)) {
    error(CONFIG_TABLE, 'must be a table');
    return { config, errors };
  }
  for (const key of Object.keys(table)) {
    if (!KNOWN_KEYS.includes(key)) error(key, `unknown key (known: ${KNOWN_KEYS.join(', ')})`);
  }
  config.select = codeList(table.select, 'select', error);
  config.extendSelect = codeList(table['extend-select'], 'extend-select', error);
  config.ignore = codeList(table.ignore, 'ignore', error);

  const severity = table.severity;
  if (severity !== undefined) {
    if (!isTable(severity)) error('severity', 'must be a table of CODE = "error" | "warning" | "information" | "hint" | "off"');
    else {
      for (const [code, level] of Object.entries(severity)) {
        const normalized = typeof level === 'string' ? (level.toLowerCase() === 'info' ? 'information' : level.toLowerCase()) : '';
        if (!/^AIO\d{3}$/.test(code.toUpperCase())) error(code, `not a rule code (AIO + 3 digits)`);
        else if (!SEVERITIES.has(normalized)) error(code, `severity must be one of error, warning, information, hint, off; got ${JSON.stringify(level)}`);
        else config.severity[code.toUpperCase()] = normalized as SeveritySetting;
      }
    }
  }

  const blocking = table['blocking-calls'];
  if (blocking !== undefined) {
    if (!isTable(blocking)) error('blocking-calls', 'must be a table of "module.function" = "what to use instead"');
    else {
      for (const [pattern, suggestion] of Object.entries(blocking)) {
        if (!/^[A-Za-z_*][\w*]*(\.[\w*]+)*$/.test(pattern)) error(pattern, 'must be a dotted name such as "mylib.client.fetch" (`*` matches one name part, `**` any number)');
        else if (typeof suggestion !== 'string') error(pattern, 'the value must be a string saying what to use instead');
        else config.blockingCalls[pattern] = suggestion;
      }
    }
  }

  const perFile = table['per-file-ignores'];
  if (perFile !== undefined) {
    if (!isTable(perFile)) error('per-file-ignores', 'must be a table of "glob" = ["AIO101", ...]');
    else {
      for (const [pattern, codes] of Object.entries(perFile)) {
        const list = codeList(codes, pattern, error);
        if (list) config.perFileIgnores.push({ pattern, codes: list });
      }
    }
  }

  const exclude = table.exclude;
  if (exclude !== undefined) {
    if (!Array.isArray(exclude) || !exclude.every((e) => typeof e === 'string')) error('exclude', 'must be a list of glob strings');
    else config.exclude = exclude as string[];
  }

  const target = table['target-version'];
  if (target !== undefined) {
    const match = typeof target === 'string' ? PYTHON_VERSION.exec(target.trim()) : null;
    if (!match) error('target-version', `must be a Python 3 version such as "3.11" or "py311"; got ${JSON.stringify(target)}`);
    else config.targetVersion = [3, Number(match[1])];
  }
  return { config, errors };
}

function codeList(value: unknown, key: string, error: (key: string, message: string) => void): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    error(key, 'must be a list of rule codes or prefixes, e.g. ["AIO1", "AIO201"]');
    return undefined;
  }
  const codes = (value as string[]).map((v) => v.trim().toUpperCase());
  const bad = codes.filter((c) => !CODE_PREFIX.test(c));
  if (bad.length > 0) {
    error(key, `not a rule code or prefix: ${bad.join(', ')} (codes look like AIO101; prefixes like AIO1)`);
    return codes.filter((c) => CODE_PREFIX.test(c));
  }
  return codes;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Where a key is written, for error messages: TOML parsers return values, not positions, so
 * look for the key at the start of a line (bare or quoted) after the table header; the
 * header's own line when the key is not found.
 */
function locator(text: string): (key: string) => { line: number; column: number } {
  const lines = text.split(/\r?\n/);
  const header = lines.findIndex((l) => /^\s*\[\s*tool\s*\.\s*("?)async-pitfalls\1\s*[\].]/.test(l));
  return (key) => {
    const escaped = escapeRegExp(key);
    const pattern = new RegExp(`^\\s*(?:"${escaped}"|'${escaped}'|${escaped})\\s*=|^\\s*\\[\\s*tool\\s*\\.\\s*"?async-pitfalls"?\\s*\\.\\s*"?${escaped}"?\\s*\\]`);
    for (let i = Math.max(header, 0); i < lines.length; i++) {
      const match = pattern.exec(lines[i]!);
      if (match) return { line: i + 1, column: (lines[i]!.length - lines[i]!.trimStart().length) + 1 };
    }
    return { line: header >= 0 ? header + 1 : 1, column: 1 };
  };
}
