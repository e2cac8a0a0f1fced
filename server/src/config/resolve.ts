/**
 * Finds the configuration that applies to a file (the nearest pyproject.toml,
 * walking up, that has a `[tool.async-pitfalls]` table) and merges it with the
 * options of the run (CLI flags or editor settings, which win).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import type { AnalyzeOptions } from '../core/types';
import { readProjectConfig, type ConfigError, type ProjectConfig } from './pyproject';

export interface ResolvedConfig {
  config?: ProjectConfig;
  /** Problems in the config file that applies (the valid entries still apply). */
  errors: ConfigError[];
}

export class ConfigResolver {
  private readonly byDir = new Map<string, ResolvedConfig>();
  private readonly byFile = new Map<string, ResolvedConfig | null>();

  /** The configuration for a file (or folder) path. */
  resolve(filePath: string): ResolvedConfig {
    const start = path.dirname(path.resolve(filePath));
    const visited: string[] = [];
    let found: ResolvedConfig = { errors: [] };
    for (let dir = start; ; dir = path.dirname(dir)) {
      const cached = this.byDir.get(dir);
      if (cached) {
        found = cached;
        break;
      }
      visited.push(dir);
      const here = this.readFile(path.join(dir, 'pyproject.toml'));
      // A pyproject.toml that does not configure us is passed over, as Ruff passes over one without [tool.ruff].
      if (here && (here.config || here.errors.length > 0)) {
        found = here;
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    for (const dir of visited) this.byDir.set(dir, found);
    return found;
  }

  /** Every config file read so far with its errors (for reporting them once). */
  configFiles(): ResolvedConfig[] {
    return [...this.byFile.values()].filter((c): c is ResolvedConfig => c !== null);
  }

  clear(): void {
    this.byDir.clear();
    this.byFile.clear();
  }

  private readFile(file: string): ResolvedConfig | undefined {
    const cached = this.byFile.get(file);
    if (cached !== undefined) return cached ?? undefined;
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) throw new Error('not a file');
      text = readLimited(file);
    } catch {
      this.byFile.set(file, null);
      return undefined;
    }
    const result = readProjectConfig(file, text);
    this.byFile.set(file, result);
    return result;
  }
}

/** Reads at most one byte more than the limit, so a huge file is refused without loading it. */
function readLimited(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1024 * 1024 + 1);
    const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

function relativeTo(config: ProjectConfig, filePath: string): string {
  return path.relative(path.dirname(config.file), path.resolve(filePath)).split(path.sep).join('/');
}

function matches(pattern: string, relative: string): boolean {
  // A pattern without a slash matches the file name in any folder ("test_*.py"), as in Ruff.
  return picomatch.isMatch(relative, pattern, { dot: true, basename: !pattern.includes('/') }) || picomatch.isMatch(relative, `${pattern.replace(/\/$/, '')}/**`, { dot: true });
}

/** True when the config's `exclude` covers the file (checked when walking folders, not for files named explicitly). */
export function isExcluded(resolved: ResolvedConfig, filePath: string): boolean {
  const config = resolved.config;
  if (!config || config.exclude.length === 0) return false;
  const relative = relativeTo(config, filePath);
  return !relative.startsWith('..') && config.exclude.some((p) => matches(p, relative));
}

/**
 * The options for one file: the run's own options (CLI flags, editor settings) win over
 * the config's; ignores add up; per-file ignores apply to matching files.
 */
export function optionsForFile(resolved: ResolvedConfig, filePath: string, run: AnalyzeOptions): AnalyzeOptions {
  const config = resolved.config;
  if (!config) return run;
  const relative = relativeTo(config, filePath);
  const perFile = config.perFileIgnores.filter((p) => matches(p.pattern, relative)).flatMap((p) => p.codes);
  const runSelects = !!run.select && run.select.length > 0;
  return {
    select: runSelects ? run.select : config.select,
    extendSelect: [...(runSelects ? [] : (config.extendSelect ?? [])), ...(run.extendSelect ?? [])],
    ignore: [...(config.ignore ?? []), ...perFile, ...(run.ignore ?? [])],
    severity: { ...config.severity, ...run.severity },
    targetVersion: run.targetVersion ?? config.targetVersion,
    extraBlockingCalls: { ...config.blockingCalls, ...run.extraBlockingCalls },
  };
}

export function formatConfigError(error: ConfigError): string {
  return error.line > 0 ? `${error.file}:${error.line}:${error.column}: ${error.message}` : `${error.file}: ${error.message}`;
}
