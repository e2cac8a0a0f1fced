/**
 * `async-pitfalls`: the command-line checker for CI and terminals.
 *
 *   async-pitfalls check [PATH...] [--format text|json|sarif|github] [--output FILE] [--statistics] [--select CODES] ...
 *   async-pitfalls rules
 *
 * Exit status: 0 no findings, 1 findings, 2 usage error, a path that does not exist, an invalid
 * configuration or an --output file that cannot be written.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { examplesDir, packageVersion, parserLocation } from './assets';
import { formatGithub } from './cli/github';
import { progressFor } from './cli/progress';
import {
  formatFindingsJson,
  formatFindingsText,
  formatStatisticsText,
  type CheckRun,
  type ConfigErrorReport,
  type FileReport,
  type InternalError,
} from './cli/report';
import { formatSarif } from './cli/sarif';
import { collectPythonFiles } from './workspace/files';
import { formatConfigError } from './config/resolve';
import { buildFingerprint, defaultCacheDir, ResultCache, type Ticket } from './cli/cache';
import { displayPath, FileChecker, type CheckSettings, type FileOutcome } from './cli/check-file';
import { Planner } from './cli/plan';
import { checkInWorkers, type Task } from './cli/pool';
import { limitInliningForShortRun } from './cli/compiler-budget';
import { DEFAULT_MAX_FILE_BYTES, Engine } from './core/engine';
import type { AnalyzeOptions } from './core/types';
import { RULES } from './rules';

/** Per file; the server's `maxAnalysisSeconds` has the same default. */
export const DEFAULT_TIME_LIMIT_SECONDS = 10;

const USAGE = `Usage: async-pitfalls check [PATH...] [options]
       async-pitfalls rules
       async-pitfalls --version

Finds asyncio pitfalls in Python files: blocking calls in async def, coroutines
never awaited, CPU-bound work on threads, task exceptions nobody sees.

check: checks the given files and folders (recursively, honouring .gitignore,
skipping .git, virtualenvs and node_modules). With no PATH, checks the bundled
examples/. Imports between modules are followed: a coroutine or a blocking helper
defined in another module of the project is found through the import.

Options:
  --format FORMAT        text (default), json, sarif (SARIF 2.1.0, for code scanning)
                         or github (GitHub Actions annotations)
  -o, --output FILE      write the report to FILE instead of stdout (folders are created)
  --statistics           count findings per rule instead of listing them (text, json)
  --select CODES         only these rules, comma-separated codes or prefixes (AIO1,AIO201)
  --ignore CODES         never these rules, comma-separated codes or prefixes
  --fix                  apply the safe fixes in place, then report what is left
  --diff                 print the safe fixes as a unified diff instead of applying them
  --max-file-size MB     skip larger files (default: ${DEFAULT_MAX_FILE_BYTES / (1024 * 1024)})
  --time-limit SECONDS   stop analyzing a file after this long and say so (default: ${DEFAULT_TIME_LIMIT_SECONDS})
  -j, --jobs N           worker threads (default: one per core for 64 files or more)
  --no-imports           check each file on its own, without following imports
  --no-cache             neither read nor write the result cache
  --cache-dir DIR        keep the result cache in DIR (default: .async-pitfalls-cache in the
                         folder of the nearest pyproject.toml configuring us, else the current one)
  --isolated             ignore configuration files ([tool.async-pitfalls] in pyproject.toml)
  --no-color             plain text output even on a terminal
  --no-progress          no progress bar (it is shown on stderr only when that is a terminal)
  -h, --help             show this help
  -v, --version          show the version

Configuration: the nearest pyproject.toml (walking up from each file) with a
[tool.async-pitfalls] table: select, extend-select, ignore, severity, per-file-ignores,
exclude, blocking-calls, target-version. --select/--ignore on the command line win.

Cache: each file's results are kept with the content hashes they rest on (the file,
the modules it imports, the options), so unchanged files are not analyzed again.

Exit status: 0 no findings, 1 findings (with --diff: 1 when there is something to fix),
2 usage error, invalid configuration (reported with file and line; the valid
entries still apply) or a report that cannot be written (--output).`;

class UsageError extends Error {}
/** The run itself worked but its report could not be delivered: exit 2 without the usage text. */
class OutputError extends Error {}

const FORMATS = ['text', 'json', 'sarif', 'github'] as const;
type Format = (typeof FORMATS)[number];

function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** Writes the report to stdout, or to `file` (creating its folder). */
function deliver(text: string, file: string | undefined): void {
  if (file === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, text);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new OutputError(`cannot write the report to ${file}: ${reason}`);
  }
}

function codeList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const codes = value.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
  for (const code of codes) {
    if (!/^AIO\d{0,3}$/.test(code)) throw new UsageError(`not a rule code or prefix: ${code}`);
  }
  return codes;
}

async function check(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      output: { type: 'string', short: 'o' },
      statistics: { type: 'boolean', default: false },
      'no-progress': { type: 'boolean', default: false },
      select: { type: 'string' },
      ignore: { type: 'string' },
      'max-file-size': { type: 'string' },
      'time-limit': { type: 'string' },
      'no-color': { type: 'boolean', default: false },
      fix: { type: 'boolean', default: false },
      diff: { type: 'boolean', default: false },
      isolated: { type: 'boolean', default: false },
      'no-imports': { type: 'boolean', default: false },
      jobs: { type: 'string', short: 'j' },
      'no-cache': { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
    },
  });
  if (values.fix && values.diff) throw new UsageError('--fix and --diff cannot be used together');
  const format = values.format;
  if (!isFormat(format)) throw new UsageError(`unknown format: ${format} (use ${FORMATS.join(', ')})`);
  if (values.statistics && format !== 'text' && format !== 'json') throw new UsageError('--statistics works with --format text or json');
  if (values.statistics && values.diff) throw new UsageError('--statistics and --diff cannot be used together');
  if (values.output === '') throw new UsageError('--output needs a file name');
  if (values['cache-dir'] === '') throw new UsageError('--cache-dir needs a folder name');
  const requestedJobs = parseJobs(values.jobs);
  const runOptions: AnalyzeOptions = { select: codeList(values.select), ignore: codeList(values.ignore) };
  let timeLimitSeconds = DEFAULT_TIME_LIMIT_SECONDS;
  if (values['time-limit'] !== undefined) {
    timeLimitSeconds = Number(values['time-limit']);
    if (!Number.isFinite(timeLimitSeconds) || timeLimitSeconds <= 0) throw new UsageError('--time-limit needs a positive number of seconds');
  }
  runOptions.timeLimitMs = timeLimitSeconds * 1000;
  let maxBytes = DEFAULT_MAX_FILE_BYTES;
  if (values['max-file-size'] !== undefined) {
    const mb = Number(values['max-file-size']);
    if (!Number.isFinite(mb) || mb <= 0) throw new UsageError(`--max-file-size needs a positive number of megabytes`);
    maxBytes = Math.floor(mb * 1024 * 1024);
  }

  let targets = positionals;
  if (targets.length === 0) {
    targets = [examplesDir()];
    if (format === 'text') process.stderr.write(`No path given: checking the bundled examples in ${targets[0]}\n`);
  }
  const missing = targets.filter((t) => !fs.existsSync(t));
  if (missing.length > 0) throw new UsageError(missing.map((m) => `no such file or folder: ${m}`).join('\n'));

  const files = [...collectPythonFiles(targets)];
  const cwd = process.cwd();
  const mode = values.fix ? 'fix' : values.diff ? 'diff' : 'check';
  const roots = targets.filter((t) => fs.statSync(t).isDirectory()).map((t) => path.resolve(t));
  const planner = new Planner({ runOptions, timeLimitSeconds, isolated: values.isolated, explicitFiles: targets.map((t) => path.resolve(t)) });
  const cache = values['no-cache']
    ? undefined
    : new ResultCache(values['cache-dir'] !== undefined ? path.resolve(values['cache-dir']) : defaultCacheDir(cwd), {
        version: packageVersion(),
        build: buildFingerprint(path.join(parserLocation().grammarDir, 'tree-sitter-python.wasm')),
        mode,
        maxBytes,
        timeLimitSeconds,
        followImports: !values['no-imports'],
        roots,
      });
  const settings: CheckSettings = { maxBytes, timeLimitSeconds, mode, noImports: values['no-imports'], roots, cwd, trackDependencies: !!cache };
  // JSON and SARIF on stdout are often captured together with stderr (2>&1) and parsed: no bar then.
  const machineReadableOnStdout = values.output === undefined && (format === 'json' || format === 'sarif');
  const progress = progressFor(process.stderr, files.length, !values['no-progress'] && !machineReadableOnStdout);
  const outcomes: Array<FileOutcome | undefined> = new Array(files.length);
  const tickets = new Map<number, Ticket>();
  let done = 0;
  const record = (index: number, outcome: FileOutcome | { failed: string }): void => {
    const file = files[index]!;
    const shown = displayPath(file, cwd);
    const ticket = tickets.get(index);
    if ('failed' in outcome) {
      outcomes[index] = { report: { path: shown, file, skipped: `could not be analyzed: ${outcome.failed}`, findings: [] }, fixed: 0, notes: [], internalErrors: [] };
      if (ticket) cache?.store(ticket, undefined);
    } else {
      if (ticket) cache?.store(ticket, outcome);
      // Only the cache reads what a result rests on: the report need not keep those paths (200,000 for the corpus).
      delete outcome.dependencies;
      outcomes[index] = outcome;
    }
    for (const note of outcomes[index]!.notes) progress.log(`${shown}: ${note}\n`);
    progress.update(++done, shown);
  };
  // Configuration and the cache first, on this thread: only files without a valid stored result are analyzed.
  const tasks: Task[] = [];
  for (const [index, file] of files.entries()) {
    const plan = planner.plan(file);
    if (plan.excluded) {
      record(index, { fixed: 0, notes: [], internalErrors: [] });
      continue;
    }
    const stored = cache?.lookup(file, plan.options, displayPath(file, cwd));
    if (stored?.outcome) {
      record(index, stored.outcome);
      continue;
    }
    if (stored) tickets.set(index, stored.ticket);
    tasks.push({ index, file, options: plan.options });
  }
  const jobs = jobCount(requestedJobs, tasks.length);
  const workerScript = path.join(__dirname, 'cli-worker.js');
  if (tasks.length > 0 && jobs > 1 && fs.existsSync(workerScript)) {
    await checkInWorkers(workerScript, jobs, settings, tasks, record);
  } else if (tasks.length > 0) {
    const checker = new FileChecker(await Engine.create(parserLocation()), settings);
    for (const task of tasks) {
      progress.update(done, displayPath(task.file, cwd));
      record(task.index, checker.check(task.file, task.options));
    }
  }
  cache?.flush();
  const reports: FileReport[] = [];
  const internalErrors: InternalError[] = [];
  const diffs: string[] = [];
  let fixedProblems = 0;
  let fixedFiles = 0;
  for (const outcome of outcomes) {
    if (!outcome) continue;
    if (outcome.report) {
      reports.push(outcome.report);
      const { path: shown, file } = outcome.report;
      internalErrors.push(...outcome.internalErrors.map((e) => ({ path: shown, file, ...e })));
    }
    if (outcome.diff) diffs.push(outcome.diff);
    if (outcome.fixed > 0) {
      fixedProblems += outcome.fixed;
      fixedFiles++;
    }
  }
  progress.clear();

  const color = format === 'text' && values.output === undefined && !values['no-color'] && !!process.stdout.isTTY && !process.env.NO_COLOR;
  for (const r of reports) {
    if (r.skipped) process.stderr.write(`${r.path}: skipped: ${r.skipped}\n`);
  }
  // A broken configuration fails the run (exit 2) after reporting everything else, so CI notices.
  const configErrors: ConfigErrorReport[] = planner.configErrors().map((e) => ({ ...e, path: displayPath(e.file) }));
  for (const error of configErrors) process.stderr.write(`${formatConfigError({ ...error, file: error.path })}\n`);
  const cacheWarning = cache?.warning();
  if (cacheWarning) process.stderr.write(`${cacheWarning}\n`);
  const failure = configErrors.length > 0 ? 2 : undefined;
  if (values.diff) {
    deliver(diffs.join(''), values.output);
    process.stderr.write(fixedProblems > 0 ? `Would fix ${fixedProblems} problem(s) in ${fixedFiles} file(s).\n` : 'Nothing to fix.\n');
    return failure ?? (fixedProblems > 0 ? 1 : 0);
  }
  if (values.fix) process.stderr.write(`Fixed ${fixedProblems} problem(s) in ${fixedFiles} file(s).\n`);
  const exitCode = failure ?? (reports.some((r) => r.findings.length > 0) ? 1 : 0);
  const run: CheckRun = { version: packageVersion(), reports, configErrors, internalErrors, exitCode };
  deliver(render(run, format, { color, statistics: values.statistics }), values.output);
  return exitCode;
}

function render(run: CheckRun, format: Format, options: { color: boolean; statistics: boolean }): string {
  switch (format) {
    case 'json':
      return formatFindingsJson(run, { statistics: options.statistics });
    case 'sarif':
      return formatSarif(run);
    case 'github':
      return formatGithub(run);
    case 'text':
      return options.statistics ? formatStatisticsText(run.reports, options.color) : formatFindingsText(run.reports, options.color);
  }
}

function parseJobs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs needs a whole number of at least 1');
  return jobs;
}

/** `--jobs N`, else one worker per core; small runs stay on the main thread (a worker costs a grammar load). */
function jobCount(requested: number | undefined, files: number): number {
  if (requested !== undefined) return Math.min(requested, Math.max(files, 1));
  return files < 64 ? 1 : Math.min(os.availableParallelism(), 8);
}

function listRules(): number {
  for (const rule of RULES) {
    const { code, name, category, defaultSeverity, summary, enabledByDefault } = rule.meta;
    const optIn = enabledByDefault === false ? ' (opt-in: select it by its full code)' : '';
    process.stdout.write(`${code}  ${name.padEnd(32)} ${category.padEnd(22)} ${defaultSeverity.padEnd(11)} ${summary}${optIn}\n`);
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      process.stdout.write(packageVersion() + '\n');
      return 0;
    }
    if (command === 'check') {
      if (rest.includes('-h') || rest.includes('--help')) {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      limitInliningForShortRun();
      return await check(rest);
    }
    if (command === 'rules') return listRules();
    throw new UsageError(`unknown command: ${command}`);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`async-pitfalls: ${(error as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof OutputError) {
      process.stderr.write(`async-pitfalls: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`async-pitfalls: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
