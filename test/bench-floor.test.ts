import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');

interface FloorReport {
  files: number;
  filesWithWords: number;
  parseInputs: number;
  parsedBytes: number;
  cores: number;
  parallelParseWorkSeconds: number[];
  floorSeconds: number;
  checkOneThreadSeconds: number;
  parseInCheckSeconds: number;
}

function floorOf(folder: string, ...flags: string[]): FloorReport {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'floor-')), 'floor.json');
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'bench-floor.ts'), folder, ...flags, '--json', json], { cwd: ROOT, stdio: 'pipe' });
  return JSON.parse(fs.readFileSync(json, 'utf8')) as FloorReport;
}

describe('bench:floor', function () {
  this.timeout(120_000);

  it('parses again exactly what the check parsed, on one process per core', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floor-corpus-'));
    fs.writeFileSync(path.join(dir, 'slow.py'), 'import time\n\nasync def handler():\n    time.sleep(1)\n');
    fs.writeFileSync(path.join(dir, 'plain.py'), 'def add(a, b):\n    return a + b\n');
    fs.writeFileSync(path.join(dir, 'jobs.py'), 'import threading\n\ndef start(work):\n    threading.Thread(target=work).start()\n');
    const report = floorOf(dir, '--no-imports');
    assert.equal(report.files, 3);
    // plain.py holds no trigger word: neither tested positive nor parsed.
    assert.equal(report.filesWithWords, 2);
    assert.equal(report.parseInputs, 2);
    const expectedBytes = ['slow.py', 'jobs.py'].reduce((n, f) => n + fs.readFileSync(path.join(dir, f), 'utf8').length, 0);
    assert.equal(report.parsedBytes, expectedBytes);
    assert.equal(report.parallelParseWorkSeconds.length, report.cores);
    assert.ok(report.floorSeconds > 0 && report.parseInCheckSeconds <= report.checkOneThreadSeconds);
  });

  it('counts the parses made for other modules when imports are followed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'floor-package-'));
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
    fs.writeFileSync(path.join(dir, 'app', 'db.py'), 'async def fetch():\n    return 1\n');
    // No trigger word: parsed only because what it imports is a coroutine function.
    fs.writeFileSync(path.join(dir, 'app', 'service.py'), 'from app.db import fetch\n\n\ndef run():\n    fetch()\n');
    // db.py alone without imports; with them, service.py too and db.py once more for its summary.
    assert.equal(floorOf(dir, '--no-imports').parseInputs, 1);
    assert.equal(floorOf(dir).parseInputs, 3);
  });
});
