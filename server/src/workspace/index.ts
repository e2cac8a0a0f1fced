/**
 * The workspace index: module summaries for the Python files of a workspace,
 * loaded on demand (a module is read and summarized the first time an analysis
 * asks for one of its names) or ahead of time by a background pass, cached per
 * file, and invalidated when a file changes on disk or in the editor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ExternalFunction, ModuleSummary, WorkspaceLink } from '../core/workspace-types';
import { candidateFiles, PackageFolders, type ModuleLocation } from './module-names';

/** Parses a module's text and summarizes it; `link` resolves the names it imports. */
export type Summarizer = (text: string, location: ModuleLocation, uri: string, link: WorkspaceLink) => ModuleSummary | undefined;

export interface WorkspaceIndexOptions {
  /** Files over this size are not indexed (their names stay unknown). */
  maxFileBytes?: number;
  /** How many modules one analysis may load from disk before it stops following imports. */
  loadsPerAnalysis?: number;
}

/** Re-exports and base classes are followed this deep; deeper chains are treated as unknown. */
const MAX_LOOKUP_DEPTH = 8;

type Entry = { state: 'loading' } | { state: 'done'; summary: ModuleSummary | undefined };

export class WorkspaceIndex {
  readonly packages = new PackageFolders();
  private readonly roots: string[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly located = new Map<string, string | null>();
  private readonly overlays = new Map<string, string>();
  private readonly maxFileBytes: number;
  private readonly loadsPerAnalysis: number;
  /** Modules read and summarized so far (for progress and benchmarks). */
  loads = 0;

  constructor(
    private readonly summarizer: Summarizer,
    options: WorkspaceIndexOptions = {},
  ) {
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
    this.loadsPerAnalysis = options.loadsPerAnalysis ?? 64;
  }

  /** A folder that `import x` searches (a workspace folder, its `src/`). */
  addRoot(dir: string): void {
    const resolved = path.resolve(dir);
    if (this.roots.includes(resolved)) return;
    this.roots.push(resolved);
    this.located.clear();
    const src = path.join(resolved, 'src');
    if (fs.existsSync(src) && !this.roots.includes(src)) this.roots.push(src);
  }

  /** The link through which the analysis of `filePath` sees the workspace; undefined outside any package layout. */
  linkFor(filePath: string): WorkspaceLink | undefined {
    const location = this.packages.locate(path.resolve(filePath));
    if (!location) return undefined;
    this.addRoot(location.root);
    let budget = this.loadsPerAnalysis;
    const spend = (): boolean => budget-- > 0;
    return this.makeLink(location, spend);
  }

  private makeLink(location: ModuleLocation, spend: () => boolean): WorkspaceLink {
    return {
      moduleName: location.name,
      isPackage: location.isPackage,
      findFunction: (name) => this.findFunction(name, spend),
      isClass: (name) => this.isClass(name, spend),
    };
  }

  /** The editor's text of an open file replaces the file on disk until it is closed (`undefined`). */
  setOverlay(filePath: string, text: string | undefined): void {
    const resolved = path.resolve(filePath);
    if (text === undefined) this.overlays.delete(resolved);
    else this.overlays.set(resolved, text);
    this.entries.delete(resolved);
  }

  /** A file changed on disk; `structural` when files were created or deleted (module names may move). */
  invalidate(filePath: string, structural = false): void {
    this.entries.delete(path.resolve(filePath));
    if (structural) {
      this.located.clear();
      this.packages.clear();
    }
  }

  clear(): void {
    this.entries.clear();
    this.located.clear();
    this.packages.clear();
  }

  get moduleCount(): number {
    let n = 0;
    for (const entry of this.entries.values()) if (entry.state === 'done' && entry.summary) n++;
    return n;
  }

  /** Loads one file's summary now (the background indexer calls this for every file). */
  summaryOfFile(filePath: string, spend: () => boolean = () => true): ModuleSummary | undefined {
    const resolved = path.resolve(filePath);
    const entry = this.entries.get(resolved);
    if (entry) return entry.state === 'done' ? entry.summary : undefined;
    if (!spend()) return undefined;
    const location = this.packages.locate(resolved);
    if (!location) return undefined;
    this.entries.set(resolved, { state: 'loading' });
    let summary: ModuleSummary | undefined;
    try {
      const text = this.overlays.get(resolved) ?? this.readFile(resolved);
      if (text !== undefined) {
        this.loads++;
        summary = this.summarizer(text, location, pathToFileURL(resolved).href, this.makeLink(location, spend));
      }
    } finally {
      this.entries.set(resolved, { state: 'done', summary });
    }
    return summary;
  }

  private readFile(filePath: string): string | undefined {
    try {
      const stat = fs.statSync(filePath);
      if (!stat.isFile() || stat.size > this.maxFileBytes) return undefined;
      const text = fs.readFileSync(filePath, 'utf8');
      return text.includes('\u0000') ? undefined : text;
    } catch {
      return undefined;
    }
  }

  private module(name: string, spend: () => boolean): ModuleSummary | undefined {
    let file = this.located.get(name);
    if (file === undefined) {
      file = null;
      for (const root of this.roots) {
        const found = candidateFiles(root, name).find((f) => this.overlays.has(f) || fs.existsSync(f));
        if (found) {
          file = found;
          break;
        }
      }
      this.located.set(name, file);
    }
    return file ? this.summaryOfFile(file, spend) : undefined;
  }

  /** Splits `pkg.mod.Class.method` into the longest module prefix the workspace has and the rest. */
  private split(qualifiedName: string, spend: () => boolean): { module: ModuleSummary; rest: string[] } | undefined {
    const parts = qualifiedName.split('.');
    for (let i = parts.length - 1; i >= 1; i--) {
      const module = this.module(parts.slice(0, i).join('.'), spend);
      if (module) return { module, rest: parts.slice(i) };
    }
    return undefined;
  }

  findFunction(qualifiedName: string, spend: () => boolean = () => true, depth = 0): ExternalFunction | undefined {
    if (depth > MAX_LOOKUP_DEPTH || this.roots.length === 0) return undefined;
    const found = this.split(qualifiedName, spend);
    if (!found) return undefined;
    const { module, rest } = found;
    const [head, member, ...more] = rest;
    if (!head) return undefined;
    if (rest.length === 1) {
      const summary = module.functions.get(head);
      if (summary) return { qualifiedName: `${module.moduleName}.${head}`, module, summary };
    }
    if (rest.length === 2 && member && module.classes.has(head)) {
      const summary = module.functions.get(`${head}.${member}`);
      if (summary) return { qualifiedName: `${module.moduleName}.${head}.${member}`, module, summary };
      for (const base of module.classes.get(head)!.bases) {
        const inherited = this.findFunction(`${base}.${member}`, spend, depth + 1);
        if (inherited) return inherited;
      }
      return undefined;
    }
    // A name the module imports from elsewhere (a package re-exporting `from .db import save`).
    const reexported = module.imports.get(head);
    if (reexported) return this.findFunction([reexported, ...(member ? [member] : []), ...more].join('.'), spend, depth + 1);
    return undefined;
  }

  isClass(qualifiedName: string, spend: () => boolean = () => true, depth = 0): boolean {
    if (depth > MAX_LOOKUP_DEPTH || this.roots.length === 0) return false;
    const found = this.split(qualifiedName, spend);
    if (!found || found.rest.length !== 1) return false;
    const head = found.rest[0]!;
    if (found.module.classes.has(head)) return true;
    const reexported = found.module.imports.get(head);
    return reexported ? this.isClass(reexported, spend, depth + 1) : false;
  }
}
