/**
 * Python module names for files, and files for module names, the way the
 * import system finds them: a package is a folder with `__init__.py`, and the
 * first folder up without one is a root on `sys.path`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ModuleLocation {
  /** Dotted name (`pkg.sub.mod`; `pkg.sub` for `pkg/sub/__init__.py`). */
  name: string;
  isPackage: boolean;
  /** The folder the name is relative to: where `import pkg` would find `pkg`. */
  root: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const NOTHING: ReadonlySet<string> = new Set();

/**
 * What folders hold, each read once: an import is looked for as two candidate files under each
 * root, and asking the file system about each (for every prefix of every dotted name a file
 * mentions) took most of a cold run's look-ups. Names match as Python's import system matches
 * them, case and all.
 */
export class FolderListings {
  private readonly listings = new Map<string, ReadonlySet<string> | null>();

  has(file: string): boolean {
    return this.listing(path.dirname(file))?.has(path.basename(file)) ?? false;
  }

  /**
   * The names in `dir` (none when it does not exist); null when it cannot be read. A folder its
   * parent does not hold is not read: most candidate folders do not exist.
   */
  private listing(dir: string): ReadonlySet<string> | null {
    let names = this.listings.get(dir);
    if (names !== undefined) return names;
    const parent = path.dirname(dir);
    const siblings = parent === dir ? null : this.listing(parent);
    if (siblings && !siblings.has(path.basename(dir))) {
      names = NOTHING;
    } else {
      try {
        names = new Set(fs.readdirSync(dir));
      } catch (error) {
        names = (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? NOTHING : null;
      }
    }
    this.listings.set(dir, names);
    return names;
  }

  clear(): void {
    this.listings.clear();
  }
}

/** Remembers which folders are packages; cleared when files are created or deleted. */
export class PackageFolders {
  private readonly known = new Map<string, boolean>();
  /** What folders hold, for package folders and for the files of modules. */
  readonly folders = new FolderListings();

  isPackage(dir: string): boolean {
    let known = this.known.get(dir);
    if (known === undefined) {
      known = this.folders.has(path.join(dir, '__init__.py'));
      this.known.set(dir, known);
    }
    return known;
  }

  clear(): void {
    this.known.clear();
    this.folders.clear();
  }

  locate(filePath: string): ModuleLocation | undefined {
    const base = path.basename(filePath).replace(/\.pyi?$/, '');
    const isPackage = base === '__init__';
    const parts = isPackage ? [] : [base];
    let dir = path.dirname(filePath);
    while (this.isPackage(dir)) {
      parts.unshift(path.basename(dir));
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    if (parts.length === 0 || !parts.every((p) => IDENTIFIER.test(p))) return undefined;
    return { name: parts.join('.'), isPackage, root: dir };
  }
}

/** The files that could hold module `name` under `root`, in the import system's order. */
export function candidateFiles(root: string, name: string): string[] {
  const parts = name.split('.');
  const stem = path.join(root, ...parts);
  return [path.join(stem, '__init__.py'), `${stem}.py`];
}
