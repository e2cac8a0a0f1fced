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

/** One analysis's view: where imports are searched, and how many more modules it may load. */
interface Lookup {
  roots: readonly string[];
  spend: () => boolean;
}

const UNLIMITED: Lookup = { roots: [], spend: () => true };

export class WorkspaceIndex {
  readonly packages = new PackageFolders();
  private readonly roots: string[] = [];
  private readonly entries = new Map<string, Entry>();
  /** Per root folder: module name -> the file that defines it (null: none there). */
  private readonly located = new Map<string, Map<string, string | null>>();
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

  /**
   * A folder that `import x` searches from every file (a workspace folder, its `src/`). Each
   * file also searches its own package root, but not the roots of unrelated files: two
   * projects checked together do not see each other's modules.
   */
  addRoot(dir: string): void {
    const resolved = path.resolve(dir);
    if (this.roots.includes(resolved)) return;
    this.roots.push(resolved);
    const src = path.join(resolved, 'src');
    if (fs.existsSync(src) && !this.roots.includes(src)) this.roots.push(src);
  }

  /** The link through which the analysis of `filePath` sees the workspace; undefined outside any package layout. */
  linkFor(filePath: string): WorkspaceLink | undefined {
    const location = this.packages.locate(path.resolve(filePath));
    if (!location) return undefined;
    let budget = this.loadsPerAnalysis;
    const spend = (): boolean => budget-- > 0;
    return this.makeLink(location, { spend, roots: this.searchPath(location) });
  }

  private searchPath(location: ModuleLocation): string[] {
    return [location.root, ...this.roots.filter((r) => r !== location.root)];
  }

  private makeLink(location: ModuleLocation, lookup: Lookup): WorkspaceLink {
    return {
      moduleName: location.name,
      isPackage: location.isPackage,
      findFunction: (name) => this.findFunction(name, lookup),
      isClass: (name) => this.isClass(name, lookup),
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
        summary = this.summarizer(text, location, pathToFileURL(resolved).href, this.makeLink(location, { spend, roots: this.searchPath(location) }));
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

  private module(name: string, lookup: Lookup): ModuleSummary | undefined {
    for (const root of lookup.roots.length > 0 ? lookup.roots : this.roots) {
      let inRoot = this.located.get(root);
      if (!inRoot) this.located.set(root, (inRoot = new Map()));
      let file = inRoot.get(name);
      if (file === undefined) {
        file = candidateFiles(root, name).find((f) => this.overlays.has(f) || fs.existsSync(f)) ?? null;
        inRoot.set(name, file);
      }
      if (file) return this.summaryOfFile(file, lookup.spend);
    }
    return undefined;
  }

  /** Splits `pkg.mod.Class.method` into the longest module prefix the workspace has and the rest. */
  private split(qualifiedName: string, lookup: Lookup): { module: ModuleSummary; rest: string[] } | undefined {
    const parts = qualifiedName.split('.');
    for (let i = parts.length - 1; i >= 1; i--) {
      const module = this.module(parts.slice(0, i).join('.'), lookup);
      if (module) return { module, rest: parts.slice(i) };
    }
    return undefined;
  }

  findFunction(qualifiedName: string, lookup: Lookup = UNLIMITED, depth = 0): ExternalFunction | undefined {
    if (depth > MAX_LOOKUP_DEPTH) return undefined;
    const found = this.split(qualifiedName, lookup);
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
        const inherited = this.findFunction(`${base}.${member}`, lookup, depth + 1);
        if (inherited) return inherited;
      }
      return undefined;
    }
    // A name the module imports from elsewhere (a package re-exporting `from .db import save`).
    const reexported = module.imports.get(head);
    if (reexported) return this.findFunction([reexported, ...(member ? [member] : []), ...more].join('.'), lookup, depth + 1);
    return undefined;
  }

  isClass(qualifiedName: string, lookup: Lookup = UNLIMITED, depth = 0): boolean {
    if (depth > MAX_LOOKUP_DEPTH) return false;
    const found = this.split(qualifiedName, lookup);
    if (!found || found.rest.length !== 1) return false;
    const head = found.rest[0]!;
    if (found.module.classes.has(head)) return true;
    const reexported = found.module.imports.get(head);
    return reexported ? this.isClass(reexported, lookup, depth + 1) : false;
  }
}
