/**
 * Finds the Python files to check under the paths given on the command line:
 * recurses into folders, honours every .gitignore on the way down, and skips
 * version-control folders, virtualenvs, caches and node_modules. Files named
 * explicitly are always checked.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

const SKIPPED_DIRS = new Set([
  '.git', '.hg', '.svn', 'node_modules', '__pycache__', '.venv', 'venv', '.tox', '.nox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', '.async-pitfalls-cache', 'site-packages', '.eggs',
]);

interface IgnoreRules {
  base: string;
  rules: Ignore;
}

function loadGitignore(dir: string): IgnoreRules | undefined {
  const file = path.join(dir, '.gitignore');
  try {
    return { base: dir, rules: ignore().add(fs.readFileSync(file, 'utf8')) };
  } catch {
    return undefined;
  }
}

function isIgnored(fullPath: string, isDir: boolean, stack: IgnoreRules[]): boolean {
  for (const { base, rules } of stack) {
    const relative = path.relative(base, fullPath).split(path.sep).join('/');
    if (!relative || relative.startsWith('..')) continue;
    if (rules.ignores(isDir ? `${relative}/` : relative)) return true;
  }
  return false;
}

/** Symlinked files are checked; symlinked folders are not followed (they can loop). */
function isFileOrLinkToFile(entry: fs.Dirent, full: string): boolean {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return fs.statSync(full).isFile();
  } catch {
    return false;
  }
}

/** A folder holding a virtualenv, whatever its name. */
function isVirtualenv(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'pyvenv.cfg'));
}

/** .gitignore files of the folders above `dir` inside the same repository, outermost first. */
function ancestorGitignores(dir: string): IgnoreRules[] {
  const chain: IgnoreRules[] = [];
  let current = path.dirname(dir);
  while (current !== path.dirname(current)) {
    const rules = loadGitignore(current);
    if (rules) chain.unshift(rules);
    if (fs.existsSync(path.join(current, '.git'))) break;
    current = path.dirname(current);
  }
  return chain;
}

export function* collectPythonFiles(targets: readonly string[]): Generator<string> {
  const seen = new Set<string>();
  for (const target of targets) {
    const root = path.resolve(target);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(root);
    } catch {
      continue;
    }
    if (!stat.isDirectory()) {
      if (!seen.has(root)) {
        seen.add(root);
        yield root;
      }
      continue;
    }
    const pending: Array<{ dir: string; ignores: IgnoreRules[] }> = [{ dir: root, ignores: ancestorGitignores(root) }];
    while (pending.length > 0) {
      const { dir, ignores } = pending.pop()!;
      const own = loadGitignore(dir);
      const active = own ? [...ignores, own] : ignores;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (SKIPPED_DIRS.has(entry.name) || isIgnored(full, true, active) || isVirtualenv(full)) continue;
          subdirs.push(full);
        } else if (isFileOrLinkToFile(entry, full) && entry.name.endsWith('.py') && !isIgnored(full, false, active)) {
          if (!seen.has(full)) {
            seen.add(full);
            yield full;
          }
        }
      }
      for (const sub of subdirs.reverse()) pending.push({ dir: sub, ignores: active });
    }
  }
}
