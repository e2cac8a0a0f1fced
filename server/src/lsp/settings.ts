/**
 * The server's settings (section `asyncPitfalls`), normalised from whatever a
 * client sends: VS Code's `workspace/configuration`, Neovim's or Helix's
 * initialization options, or nothing at all (defaults work everywhere).
 */
import { DEFAULT_MAX_FILE_BYTES } from '../core/engine';
import type { AnalyzeOptions, SeveritySetting } from '../core/types';

export const SETTINGS_SECTION = 'asyncPitfalls';

export interface Settings {
  /** Turns all diagnostics off for the scope. */
  enable: boolean;
  /** Only these codes or prefixes (empty: all). */
  select: string[];
  /** Never these codes or prefixes. */
  ignore: string[];
  /** Per-code severity or `off`. */
  severity: Record<string, SeveritySetting>;
  /** Files larger than this many megabytes are not analyzed. */
  maxFileSizeMb: number;
  /** The analysis of one file stops after this many seconds (and says so). */
  maxAnalysisSeconds: number;
  /** Base URL of a hosted copy of docs/ (`<base>/rules/AIO101.md`); when empty, links point at the shipped files. */
  docsBaseUrl: string;
  /** Hovers that explain async vocabulary (`async def`, `await`, `create_task`, ...) without a finding. */
  vocabularyHovers: boolean;
  /** Index every Python file of the workspace in the background at startup (imports are followed on demand either way). */
  indexWorkspace: boolean;
  /** After an edit, analyze only the functions it touched, and the whole file once typing pauses. */
  incrementalAnalysis: boolean;
}

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  enable: true,
  select: [],
  ignore: [],
  severity: {},
  maxFileSizeMb: DEFAULT_MAX_FILE_BYTES / (1024 * 1024),
  maxAnalysisSeconds: 10,
  docsBaseUrl: '',
  vocabularyHovers: true,
  indexWorkspace: true,
  incrementalAnalysis: true,
});

const SEVERITIES = new Set<SeveritySetting>(['error', 'warning', 'information', 'hint', 'off']);

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string').map((s) => s.trim()).filter(Boolean);
  return undefined;
}

/** Accepts `{ asyncPitfalls: {...} }` or the section itself; ignores anything malformed. */
export function normalizeSettings(raw: unknown): Settings {
  const source = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const section = (typeof source[SETTINGS_SECTION] === 'object' && source[SETTINGS_SECTION] !== null
    ? source[SETTINGS_SECTION]
    : source) as Record<string, unknown>;
  const severity: Record<string, SeveritySetting> = {};
  if (typeof section.severity === 'object' && section.severity !== null) {
    for (const [code, level] of Object.entries(section.severity as Record<string, unknown>)) {
      const normalized = typeof level === 'string' ? (level.toLowerCase() === 'info' ? 'information' : level.toLowerCase()) : '';
      if (SEVERITIES.has(normalized as SeveritySetting)) severity[code.toUpperCase()] = normalized as SeveritySetting;
    }
  }
  const maxFileSizeMb = typeof section.maxFileSizeMb === 'number' && section.maxFileSizeMb > 0 ? section.maxFileSizeMb : DEFAULT_SETTINGS.maxFileSizeMb;
  const maxAnalysisSeconds =
    typeof section.maxAnalysisSeconds === 'number' && section.maxAnalysisSeconds > 0 ? section.maxAnalysisSeconds : DEFAULT_SETTINGS.maxAnalysisSeconds;
  return {
    maxAnalysisSeconds,
    enable: typeof section.enable === 'boolean' ? section.enable : DEFAULT_SETTINGS.enable,
    select: stringList(section.select) ?? [],
    ignore: stringList(section.ignore) ?? [],
    severity,
    maxFileSizeMb,
    docsBaseUrl: typeof section.docsBaseUrl === 'string' ? section.docsBaseUrl : '',
    vocabularyHovers: typeof section.vocabularyHovers === 'boolean' ? section.vocabularyHovers : DEFAULT_SETTINGS.vocabularyHovers,
    indexWorkspace: typeof section.indexWorkspace === 'boolean' ? section.indexWorkspace : DEFAULT_SETTINGS.indexWorkspace,
    incrementalAnalysis: typeof section.incrementalAnalysis === 'boolean' ? section.incrementalAnalysis : DEFAULT_SETTINGS.incrementalAnalysis,
  };
}

export function analyzeOptionsOf(settings: Settings): AnalyzeOptions {
  return { select: settings.select, ignore: settings.ignore, severity: settings.severity };
}
