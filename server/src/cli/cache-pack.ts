/**
 * How the result cache keeps its entries on disk: one file per checked folder (and mode), not one
 * per checked file. Creating a file is the costly part of writing a cache on most file systems
 * (a cold run over the 2,989-file corpus spent 1-2 s of system time creating and renaming entry
 * files); a folder's entries are written together once its last miss is checked, and read with
 * one `open` on the next run.
 *
 * The file is JSON lines: a header naming the layout and the folder, then one line per file,
 * `"name"<TAB>{entry}`. A JSON string holds no raw tab or line break, so the first tab ends the
 * name. Lines are parsed only when their file is looked up; lines kept from an earlier run are
 * written back as they were read.
 */
import * as fs from 'node:fs';

/** Bump when the file's layout changes: older files then never match. */
export const PACK_LAYOUT = 3;

/** The entries of one folder's files, as read from its pack file and changed by this run. */
export class FolderPack<E> {
  /**
   * File name -> its entry's JSON, as read or as stored by this run: a folder's entries wait here
   * until its last file is checked, and as objects they took ten times the memory.
   */
  private readonly entries: Map<string, string>;
  /** Names looked up in this run: their lines are current, the others are checked on writing. */
  private readonly seen = new Set<string>();
  /** Tickets handed out for this folder and not yet settled: the pack is written when the last one is. */
  pending = 0;
  /** Entries stored by this run. */
  stored = 0;
  private changed = false;

  private constructor(
    readonly dir: string,
    entries: Map<string, string>,
  ) {
    this.entries = entries;
  }

  /**
   * The pack in `file` for `dir`; empty when the file is missing, unreadable, not a regular file (a
   * pipe planted there would block the read), or not a pack of that folder.
   */
  static read<E>(file: string, dir: string): FolderPack<E> {
    const entries = new Map<string, string>();
    let text: string;
    try {
      if (!fs.statSync(file).isFile()) return new FolderPack<E>(dir, entries);
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return new FolderPack<E>(dir, entries);
    }
    const lines = text.split('\n');
    if (lines[0] !== headerOf(dir)) return new FolderPack<E>(dir, entries);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const tab = line.indexOf('\t');
      if (tab < 0) continue;
      let name: unknown;
      try {
        name = JSON.parse(line.slice(0, tab));
      } catch {
        continue;
      }
      if (typeof name === 'string') entries.set(name, line.slice(tab + 1));
    }
    return new FolderPack<E>(dir, entries);
  }

  /** The entry stored for `name`, if it parses and `isEntry` accepts it; marks the name as looked up. */
  lookup(name: string, isEntry: (value: unknown) => value is E): E | undefined {
    this.seen.add(name);
    const stored = this.entries.get(name);
    if (stored === undefined) return undefined;
    try {
      const value = JSON.parse(stored) as unknown;
      return isEntry(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  put(name: string, entry: E): void {
    this.seen.add(name);
    this.entries.set(name, JSON.stringify(entry));
    this.stored++;
    this.changed = true;
  }

  /** Forgets what was stored for `name` (its new outcome is not kept). */
  drop(name: string): void {
    this.seen.add(name);
    if (this.entries.delete(name)) this.changed = true;
  }

  /** Whether this run changed anything that must be written. */
  get dirty(): boolean {
    return this.changed;
  }

  /**
   * The file's new text. Entries of files this run did not look up are kept while `exists` says
   * their file is still there: a run over one file must not drop its neighbours' results, and a
   * deleted or renamed file's entry goes the next time its folder is written.
   */
  text(exists: (dir: string, name: string) => boolean): string {
    const lines = [headerOf(this.dir)];
    for (const [name, entry] of this.entries) {
      if (!this.seen.has(name) && !exists(this.dir, name)) continue;
      lines.push(`${JSON.stringify(name)}\t${entry}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function headerOf(dir: string): string {
  return JSON.stringify({ layout: PACK_LAYOUT, dir });
}
