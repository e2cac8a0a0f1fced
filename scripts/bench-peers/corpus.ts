/** The file set every tool is measured on, and its size: the same walk the CLI does (.gitignore honoured). */
import * as fs from 'node:fs';
import { collectPythonFiles } from '../../server/src/workspace/files';
import { decodeSource } from '../../server/src/core/engine';

export interface CorpusStats {
  files: string[];
  bytes: number;
  lines: number;
  /** Files the CLI would skip (too large, binary, not UTF-8); children skip them too. */
  skipped: number;
}

export function scanCorpus(root: string): CorpusStats {
  const files: string[] = [];
  let bytes = 0;
  let lines = 0;
  let skipped = 0;
  for (const file of collectPythonFiles([root])) {
    const raw = fs.readFileSync(file);
    const decoded = decodeSource(raw);
    if (!decoded.ok) {
      skipped++;
      continue;
    }
    files.push(file);
    bytes += raw.length;
    lines += decoded.text.split('\n').length;
  }
  return { files, bytes, lines, skipped };
}
