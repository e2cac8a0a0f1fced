/**
 * Decides, on the main thread, what each file of a CLI run is checked with: the configuration
 * that applies to it (the nearest pyproject.toml with a [tool.async-pitfalls] table), whether it
 * excludes the file, and the effective options. Doing it once, before any analysis, gives the
 * result cache its keys and reports each configuration mistake once, in file order, however many
 * worker threads run.
 */
import type { ConfigError } from '../config/pyproject';
import { ConfigResolver, isExcluded, optionsForFile } from '../config/resolve';
import type { AnalyzeOptions } from '../core/types';

export type FilePlan = { excluded: true } | { excluded: false; options: AnalyzeOptions };

export interface PlanSettings {
  runOptions: AnalyzeOptions;
  timeLimitSeconds: number;
  /** Ignore configuration files. */
  isolated: boolean;
  /** Files named on the command line: checked even when the configuration excludes them. */
  explicitFiles: string[];
}

export class Planner {
  private readonly configs = new ConfigResolver();
  private readonly explicit: Set<string>;

  constructor(private readonly settings: PlanSettings) {
    this.explicit = new Set(settings.explicitFiles);
  }

  plan(file: string): FilePlan {
    const { settings } = this;
    const config = settings.isolated ? { errors: [] } : this.configs.resolve(file);
    if (!this.explicit.has(file) && isExcluded(config, file)) return { excluded: true };
    return { excluded: false, options: { ...optionsForFile(config, file, settings.runOptions), timeLimitMs: settings.timeLimitSeconds * 1000 } };
  }

  /** Every configuration file read so far, with its mistakes. */
  configErrors(): ConfigError[] {
    return this.configs.configFiles().flatMap((c) => c.errors);
  }
}
