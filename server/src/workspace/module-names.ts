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

/** Remembers which folders are packages; cleared when files are created or deleted. */
export class PackageFolders {
  private readonly known = new Map<string, boolean>();

  isPackage(dir: string): boolean {
    let known = this.known.get(dir);
    if (known === undefined) {
      known = fs.existsSync(path.join(dir, '__init__.py'));
      this.known.set(dir, known);
    }
    return known;
  }

  clear(): void {
    this.known.clear();
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
