/**
 * The CLI's result cache, like Ruff's `.ruff_cache`: an entry per checked file, holding its outcome
 * (findings with their fixes, skip reason, notes for stderr, internal errors) and what that outcome
 * rests on, kept with the entries of the other files of its folder (cache-pack.ts). A stored
 * outcome is used only while all of these still match:
 *  - the key: cache layout, tool version and build, the run's settings that change results
 *    (mode, size and time limits, import roots), the file's effective options and module name;
 *  - the file's content hash;
 *  - every module whose summary the analysis used (content hash and module name), and every
 *    candidate file it looked for (still absent, or still present).
 * A hit costs reading and hashing the file: no parsing. Only the main thread reads and writes the
 * cache; writes go to a temporary file renamed into place, so a reader sees a whole folder's
 * entries or none, and anything unreadable or malformed counts as a miss.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigResolver } from '../config/resolve';
import type { Finding } from '../core/types';
import { PackageFolders } from '../workspace/module-names';
import { FolderPack, PACK_LAYOUT } from './cache-pack';
import type { FileOutcome } from './check-file';
import { MEMO_LIMIT } from './dependencies';

export const CACHE_DIR_NAME = '.async-pitfalls-cache';

/** Bump when the entry layout changes: older entries then never match. */
const LAYOUT = 2;
/** Pack files of this layout, in the version's folder. */
const PACK_SUFFIX = `.v${PACK_LAYOUT}.jsonl`;

const CACHEDIR_TAG =
  'Signature: 8a477f597d28d172789f06886806bc55\n' +
  '# This file is a cache directory tag created by async-pitfalls.\n' +
  '# For information about cache directory tags, see https://bford.info/cachedir/\n';

/** The folder of the nearest pyproject.toml (from `cwd` up) that configures us, else `cwd`. */
export function defaultCacheDir(cwd: string): string {
  // Its own resolver: reading this file must not add its mistakes to the run's configuration errors.
  const found = new ConfigResolver().resolve(path.join(cwd, 'pyproject.toml'));
  const configFile = found.config?.file ?? found.errors[0]?.file;
  return path.join(configFile ? path.dirname(configFile) : cwd, CACHE_DIR_NAME);
}

/** The settings of a run that change per-file results, beyond each file's own options. */
export interface RunIdentity {
  version: string;
  /** From buildFingerprint(): a rebuilt development tree gets a new one. */
  build: string;
  mode: 'check' | 'fix' | 'diff';
  maxBytes: number;
  timeLimitSeconds: number;
  followImports: boolean;
  /** Import roots named on the command line. */
  roots: string[];
}

/**
 * Identifies the code that produces results: the bundle (dist/cli.js and its worker) and the
 * grammar; from sources (tests run through tsx), the names, sizes and times of server/src files.
 */
export function buildFingerprint(grammarFile: string): string {
  const hash = crypto.createHash('sha1');
  if (__filename.endsWith('.js')) {
    for (const file of [__filename, path.join(__dirname, 'cli-worker.js')]) hash.update(readOrEmpty(file));
  } else {
    const sources = path.resolve(__dirname, '..');
    for (const file of listFiles(sources)) {
      const stat = fs.statSync(file);
      hash.update(`${path.relative(sources, file)}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  }
  hash.update(readOrEmpty(grammarFile));
  return hash.digest('hex');
}

function readOrEmpty(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** JSON with object keys sorted, so equal options give equal keys whatever order they were built in. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function sha1(data: string | Buffer): string {
  return crypto.createHash('sha1').update(data).digest('hex');
}

/** 80 bits tell a changed module from an unchanged one; entries list many modules, and stay smaller. */
function dependencyHash(hash: string): string {
  return hash.slice(0, 20);
}

/** What the file system said during this run, asked once per path (entries share most of their dependencies). */
class FileFacts {
  private readonly hashes = new Map<string, string>();
  private readonly moduleNames = new Map<string, string>();
  /** Folder -> name -> what an entry records of a module there (as `existing`, for the same reasons). */
  private readonly modules = new Map<string, Map<string, ModuleFacts>>();
  private readonly packages = new PackageFolders();
  /** Missing file -> its outermost missing path (files of a run look for the same missing modules); at most MEMO_LIMIT. */
  private readonly missing = new Map<string, { dir: string; name: string }>();

  constructor(private readonly maxBytes: number) {}

  /**
   * Content hash; '-' when it is not a file that can be read. Past the size limit only the size
   * matters (such files are neither analyzed nor summarized), and a damaged or planted entry
   * naming a device or a huge file costs a stat, not a read.
   */
  hash(file: string): string {
    let hash = this.hashes.get(file);
    if (hash === undefined) {
      try {
        const stat = fs.statSync(file);
        if (!stat.isFile()) hash = '-';
        else if (stat.size > this.maxBytes) hash = `over the limit: ${stat.size}`;
        else hash = sha1(fs.readFileSync(file));
      } catch {
        hash = '-';
      }
      this.hashes.set(file, hash);
    }
    return hash;
  }

  /** Told by the folder listings the workspace index reads too: an entry's "absent" means what it meant there. */
  exists(dir: string, name: string): boolean {
    return this.packages.folders.has(path.join(dir, name));
  }

  /**
   * The outermost missing path on the way to a missing file: while it stays missing, so does
   * everything under it (`pkg/` missing covers `pkg/__init__.py`, `pkg/sub.py`, ...).
   */
  outermostMissing(file: string): { dir: string; name: string } {
    let found = this.missing.get(file);
    if (!found) {
      if (this.missing.size > MEMO_LIMIT) this.missing.clear();
      this.missing.set(file, (found = this.walkUpWhileMissing(file)));
    }
    return found;
  }

  private walkUpWhileMissing(file: string): { dir: string; name: string } {
    let dir = path.dirname(file);
    let name = path.basename(file);
    for (;;) {
      const up = path.dirname(dir);
      if (up === dir || this.exists(up, path.basename(dir))) return { dir, name };
      name = path.basename(dir);
      dir = up;
    }
  }

  /**
   * The dotted module name the file has (it follows from which folders have an __init__.py);
   * with the path, it fixes the import root too.
   */
  moduleName(file: string): string {
    let name = this.moduleNames.get(file);
    if (name === undefined) {
      name = this.packages.locate(file)?.name ?? '';
      this.moduleNames.set(file, name);
    }
    return name;
  }

  module(dir: string, name: string): ModuleFacts {
    let inDir = this.modules.get(dir);
    if (!inDir) this.modules.set(dir, (inDir = new Map()));
    let facts = inDir.get(name);
    if (facts === undefined) {
      const file = path.join(dir, name);
      const moduleName = this.moduleName(file);
      facts = { hash: dependencyHash(this.hash(file)), nameParts: moduleName ? moduleName.split('.').length : 0 };
      inDir.set(name, facts);
    }
    return facts;
  }
}

/** With the path, the number of parts of a module's dotted name fixes the name; 0 outside any package layout. */
interface ModuleFacts {
  hash: string;
  nameParts: number;
}

interface StoredReport {
  findings: Finding[];
  skipped?: string;
}

/** A FileOutcome without the paths that depend on the working directory (restored on a hit). */
interface StoredOutcome {
  report?: StoredReport;
  diff?: string;
  fixed: number;
  notes: string[];
  internalErrors: Array<{ code: string; message: string }>;
}

/** Folder -> names in it. */
type NamesByDir = Record<string, string[]>;

interface Entry {
  key: string;
  hash: string;
  /**
   * Folder -> [file name, content hash, how many dotted parts its module name has] of each module
   * whose summary was used (with the path, the number of parts fixes the name).
   */
  modules: Record<string, Array<[string, string, number]>>;
  /** Paths that must stay missing: the outermost missing folder or file of each candidate looked for in vain. */
  absent: NamesByDir;
  /** Candidates found but not summarized (modules are checked by their content). */
  present: NamesByDir;
  outcome: StoredOutcome;
}

/** Where a miss will be stored once checked. */
export interface Ticket {
  file: string;
  /** The folder whose pack holds the entry, and the file's name in it. */
  dir: string;
  name: string;
  key: string;
  /** Undefined when the file could not be read: its outcome is not stored. */
  hash?: string;
}

export type Lookup = { outcome: FileOutcome; ticket?: undefined } | { outcome?: undefined; ticket: Ticket };

export class ResultCache {
  private readonly facts: FileFacts;
  private readonly runKey: string;
  private readonly entriesDir: string;
  /** Folder -> its entries, read on the first lookup there, dropped once written. */
  private readonly packs = new Map<string, FolderPack<Entry>>();
  private prepared = false;
  private writeErrors = 0;
  private firstWriteError = '';

  constructor(
    readonly dir: string,
    private readonly run: RunIdentity,
  ) {
    this.facts = new FileFacts(run.maxBytes);
    // The `src` folder of a root is searched too when it exists (WorkspaceIndex.addRoot).
    const roots = run.followImports ? run.roots.map((r) => [r, this.facts.exists(r, 'src')]) : [];
    this.runKey = sha1(stableJson({ layout: LAYOUT, ...run, roots }));
    this.entriesDir = path.join(dir, run.version);
  }

  /** The stored outcome of `file` if it is still valid; else a ticket to store the new one with. */
  lookup(file: string, options: unknown, shown: string): Lookup {
    // Imports are resolved relative to the file's module name (and root, which the name and path fix).
    const moduleName = this.run.followImports ? this.facts.moduleName(file) : '';
    // A diff names the file as shown: only there does the working directory change the outcome.
    const key = sha1(`${this.runKey}\n${stableJson(options)}\n${moduleName}\n${this.run.mode === 'diff' ? shown : ''}`);
    const dir = path.dirname(file);
    const name = path.basename(file);
    const pack = this.packOf(dir);
    const hash = this.facts.hash(file);
    const ticket: Ticket = hash === '-' ? { file, dir, name, key } : { file, dir, name, key, hash };
    const entry = pack.lookup(name, isEntry);
    if (!entry || entry.key !== key || entry.hash !== hash || !this.stillHolds(entry)) {
      pack.pending++;
      return { ticket };
    }
    return { outcome: restore(entry.outcome, file, shown) };
  }

  /**
   * Stores the outcome of a miss, unless it cannot be reused as is (or there is none: the file's
   * analysis failed). The folder's entries are written once its last miss is settled.
   */
  store(ticket: Ticket, outcome: FileOutcome | undefined): void {
    const pack = this.packOf(ticket.dir);
    const entry = outcome && this.entryOf(ticket, outcome);
    if (entry) pack.put(ticket.name, entry);
    else pack.drop(ticket.name);
    if (--pack.pending <= 0) this.writePack(pack);
  }

  /** Writes the entries of folders whose misses were not all settled (a worker died, the run stopped early). */
  flush(): void {
    for (const pack of [...this.packs.values()]) this.writePack(pack);
  }

  private packOf(dir: string): FolderPack<Entry> {
    let pack = this.packs.get(dir);
    if (!pack) this.packs.set(dir, (pack = FolderPack.read<Entry>(this.packFile(dir), dir)));
    return pack;
  }

  private packFile(dir: string): string {
    return path.join(this.entriesDir, `${sha1(`${this.run.mode}\0${dir}`)}${PACK_SUFFIX}`);
  }

  private writePack(pack: FolderPack<Entry>): void {
    this.packs.delete(pack.dir);
    if (!pack.dirty) return;
    // The folder listings the run reads once, not a file-system call per neighbour.
    const error = this.write(this.packFile(pack.dir), pack.text((dir, name) => this.facts.exists(dir, name)));
    if (error === undefined || pack.stored === 0) return;
    if (this.writeErrors === 0) this.firstWriteError = error;
    this.writeErrors += pack.stored;
  }

  private entryOf(ticket: Ticket, outcome: FileOutcome): Entry | undefined {
    if (ticket.hash === undefined || outcome.unstable) return undefined;
    // A hit would report the fixes without making them.
    if (this.run.mode === 'fix' && outcome.fixed > 0) return undefined;
    const dependencies = outcome.dependencies ?? (this.run.followImports ? undefined : { modules: [], absent: [], present: [] });
    if (!dependencies) return undefined;
    const modules = new Set(dependencies.modules);
    // Sets: one file looks for hundreds of missing modules, most of them under the same folder.
    const absentSets = new Map<string, Set<string>>();
    for (const file of dependencies.absent) {
      const { dir, name } = this.facts.outermostMissing(file);
      let names = absentSets.get(dir);
      if (!names) absentSets.set(dir, (names = new Set()));
      names.add(name);
    }
    const absent: NamesByDir = {};
    for (const [dir, names] of absentSets) absent[dir] = [...names];
    const present: NamesByDir = {};
    for (const file of dependencies.present) if (!modules.has(file)) (present[path.dirname(file)] ??= []).push(path.basename(file));
    const byDir: Entry['modules'] = {};
    for (const m of modules) {
      const dir = path.dirname(m);
      const name = path.basename(m);
      const { hash, nameParts } = this.facts.module(dir, name);
      (byDir[dir] ??= []).push([name, hash, nameParts]);
    }
    const entry: Entry = {
      key: ticket.key,
      hash: ticket.hash,
      modules: byDir,
      absent,
      present,
      outcome: {
        ...(outcome.report && {
          report: { findings: outcome.report.findings, ...(outcome.report.skipped !== undefined && { skipped: outcome.report.skipped }) },
        }),
        ...(outcome.diff !== undefined && { diff: outcome.diff }),
        fixed: outcome.fixed,
        notes: outcome.notes,
        internalErrors: outcome.internalErrors,
      },
    };
    return entry;
  }

  /** One line for stderr when entries could not be written, else undefined. */
  warning(): string | undefined {
    if (this.writeErrors === 0) return undefined;
    return `async-pitfalls: could not write ${this.writeErrors} cache entr${this.writeErrors === 1 ? 'y' : 'ies'} in ${this.dir} (${this.firstWriteError}); use --cache-dir or --no-cache`;
  }

  private stillHolds(entry: Entry): boolean {
    const facts = this.facts;
    for (const dir in entry.absent) if (entry.absent[dir]!.some((name) => facts.exists(dir, name))) return false;
    for (const dir in entry.present) if (!entry.present[dir]!.every((name) => facts.exists(dir, name))) return false;
    for (const dir in entry.modules) {
      for (const [name, hash, nameParts] of entry.modules[dir]!) {
        const known = facts.module(dir, name);
        if (known.hash !== hash || known.nameParts !== nameParts) return false;
      }
    }
    return true;
  }

  /** Writes `file` through a temporary file renamed into place; the error's code if that failed. */
  private write(file: string, text: string): string | undefined {
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      try {
        this.writeAtomically(file, temporary, text);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        // The folder was deleted during the run (`rm -rf .async-pitfalls-cache`): make it again, once.
        this.prepared = false;
        this.writeAtomically(file, temporary, text);
      }
      return undefined;
    } catch (error) {
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // Its folder is not there or not a folder: then neither is the temporary file.
      }
      return (error as NodeJS.ErrnoException).code ?? String(error);
    }
  }

  private writeAtomically(file: string, temporary: string, text: string): void {
    this.prepare();
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  }

  /** Creates the folder, telling git (.gitignore) and backup tools (CACHEDIR.TAG) to leave it out. */
  private prepare(): void {
    if (this.prepared) return;
    fs.mkdirSync(this.entriesDir, { recursive: true });
    writeOnce(path.join(this.dir, '.gitignore'), '# Created by async-pitfalls: this folder is a cache.\n*\n');
    writeOnce(path.join(this.dir, 'CACHEDIR.TAG'), CACHEDIR_TAG);
    this.prepared = true;
  }
}

function writeOnce(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function restore(stored: StoredOutcome, file: string, shown: string): FileOutcome {
  const outcome: FileOutcome = {
    fixed: stored.fixed,
    notes: stored.notes,
    internalErrors: stored.internalErrors,
  };
  if (stored.report) {
    const { findings, skipped } = stored.report;
    outcome.report = skipped !== undefined ? { path: shown, file, skipped, findings } : { path: shown, file, findings };
  }
  if (stored.diff !== undefined) outcome.diff = stored.diff;
  return outcome;
}

// Shape checks: a damaged or foreign file must be a miss, not a crash while formatting the report.

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isNamesByDir(value: unknown): value is NamesByDir {
  return isObject(value) && Object.values(value).every(isStrings);
}

function isPosition(value: unknown): boolean {
  return isObject(value) && Number.isInteger(value.line) && Number.isInteger(value.character);
}

function isRange(value: unknown): boolean {
  return isObject(value) && isPosition(value.start) && isPosition(value.end);
}

function isFinding(value: unknown): value is Finding {
  return (
    isObject(value) &&
    ['code', 'name', 'category', 'severity', 'message'].every((k) => typeof value[k] === 'string') &&
    isRange(value.range) &&
    Array.isArray(value.related) &&
    value.related.every((r) => isObject(r) && isRange(r.range) && typeof r.message === 'string' && (r.uri === undefined || typeof r.uri === 'string')) &&
    Array.isArray(value.fixes) &&
    value.fixes.every((f) => isObject(f) && typeof f.title === 'string' && Array.isArray(f.edits) && typeof f.safe === 'boolean')
  );
}

function isOutcome(value: unknown): value is StoredOutcome {
  if (!isObject(value) || !Number.isInteger(value.fixed) || !isStrings(value.notes)) return false;
  if (!Array.isArray(value.internalErrors) || !value.internalErrors.every((e) => isObject(e) && typeof e.code === 'string' && typeof e.message === 'string')) {
    return false;
  }
  if (value.diff !== undefined && typeof value.diff !== 'string') return false;
  const report = value.report;
  if (report === undefined) return true;
  return isObject(report) && Array.isArray(report.findings) && report.findings.every(isFinding) && (report.skipped === undefined || typeof report.skipped === 'string');
}

function isEntry(value: unknown): value is Entry {
  return (
    isObject(value) &&
    typeof value.key === 'string' &&
    typeof value.hash === 'string' &&
    isObject(value.modules) &&
    Object.values(value.modules).every(
      (list) => Array.isArray(list) && list.every((m) => Array.isArray(m) && m.length === 3 && typeof m[0] === 'string' && typeof m[1] === 'string' && Number.isInteger(m[2])),
    ) &&
    isNamesByDir(value.absent) &&
    isNamesByDir(value.present) &&
    isOutcome(value.outcome)
  );
}
