/**
 * Which files the analysis of one file depended on, collected through the workspace index's
 * listener: the modules whose summaries it used and the candidate files looked for on the way.
 * A module's summary can itself rest on other modules (re-exports, base classes), so what its
 * summarizing touched is remembered per module and added to every analysis that uses it later,
 * even when the summary comes from memory.
 */
import type { IndexListener } from '../workspace/index';
import { candidateFiles } from '../workspace/module-names';

/** Plain data (it crosses from worker threads). */
export interface Dependencies {
  /** Modules whose summaries were used: their content and their module name matter. */
  modules: string[];
  /** Files looked for and not found: creating one can shadow a module. */
  absent: string[];
  /** Files looked for and found: deleting one changes where a module comes from. */
  present: string[];
}

/** Module names whose candidate files a tracker (and missing files whose outermost missing folder a cache) keeps at most. */
export const MEMO_LIMIT = 200_000;

class Frame {
  readonly modules = new Set<string>();
  /** Root -> module name -> the file it was found in, or null. */
  readonly lookups = new Map<string, Map<string, string | null>>();
  /** Modules whose own dependencies are in here already: an analysis asks for the same module many times. */
  readonly absorbed = new Set<string>();

  absorb(other: Frame): void {
    for (const m of other.modules) this.modules.add(m);
    for (const [root, names] of other.lookups) {
      const mine = this.lookupsIn(root);
      for (const [name, found] of names) mine.set(name, found);
    }
  }

  lookupsIn(root: string): Map<string, string | null> {
    let names = this.lookups.get(root);
    if (!names) this.lookups.set(root, (names = new Map()));
    return names;
  }
}

export class DependencyTracker implements IndexListener {
  private frames: Frame[] = [];
  private readonly ofModule = new Map<string, Frame>();
  /**
   * Root -> module name -> its candidate files: files of a run look up the same names again and
   * again (202,054 lookups of 50,771 missing files on the benchmark corpus). Forgotten past
   * MEMO_LIMIT names, so that a huge tree does not keep every path it ever spelled.
   */
  private readonly candidates = new Map<string, Map<string, readonly string[]>>();
  private memoized = 0;

  /** Starts collecting for one file's analysis. */
  begin(): void {
    this.frames = [new Frame()];
  }

  /** What the analysis since `begin` depended on. */
  end(): Dependencies {
    const frame = this.frames[0] ?? new Frame();
    this.frames = [];
    const absent: string[] = [];
    const present: string[] = [];
    // Candidate paths are spelled out here, not at each lookup, and kept for the next files.
    if (this.memoized > MEMO_LIMIT) {
      this.candidates.clear();
      this.memoized = 0;
    }
    for (const [root, names] of frame.lookups) {
      let inRoot = this.candidates.get(root);
      if (!inRoot) this.candidates.set(root, (inRoot = new Map()));
      for (const [name, found] of names) {
        let candidates = inRoot.get(name);
        if (!candidates) {
          inRoot.set(name, (candidates = candidateFiles(root, name)));
          this.memoized++;
        }
        for (const candidate of candidates) {
          if (candidate === found) {
            present.push(candidate);
            break;
          }
          absent.push(candidate);
        }
      }
    }
    return { modules: [...frame.modules], absent, present };
  }

  looked(root: string, name: string, file: string | null): void {
    this.top()?.lookupsIn(root).set(name, file);
  }

  wanted(file: string): void {
    const top = this.top();
    if (!top) return;
    top.modules.add(file);
    if (top.absorbed.has(file)) return;
    const known = this.ofModule.get(file);
    if (known) {
      top.absorb(known);
      top.absorbed.add(file);
    }
  }

  loading(): void {
    // Lookups outside begin/end (none in the CLI today) are not tracked: no frame to collect them.
    if (this.frames.length > 0) this.frames.push(new Frame());
  }

  loaded(file: string): void {
    if (this.frames.length < 2) return;
    const own = this.frames.pop()!;
    // A module's function details are worked out after its summary (see WorkspaceIndexOptions.lazyDetails): what they rest on adds to what it does.
    const known = this.ofModule.get(file);
    if (known) known.absorb(own);
    else this.ofModule.set(file, own);
    this.frames[this.frames.length - 1]!.absorb(own);
  }

  private top(): Frame | undefined {
    return this.frames[this.frames.length - 1];
  }
}
