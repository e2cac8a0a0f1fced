/**
 * `--format sarif` as code scanning receives it: dist/cli.js in a child process, its output validated
 * against the SARIF 2.1.0 JSON schema (test/fixtures/sarif-schema-2.1.0.json, the copy shipped in the
 * npm package @microsoft/sarif-multitool-linux 5.7.0), then checked field by field.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { REPO_ROOT } from './helpers/engine';

const CLI = path.join(REPO_ROOT, 'dist', 'cli.js');
const WORKSPACE = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');

function sarif(args: string[], cwd = REPO_ROOT): { status: number | null; log: Sarif.Log; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'check', '--format', 'sarif', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, log: JSON.parse(result.stdout) as Sarif.Log, stderr: result.stderr };
}

function scratch(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'async-pitfalls-sarif-'));
  // A repository root, so locations are relative to it rather than to the working directory.
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const ajv = new Ajv2020({ allErrors: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'test', 'fixtures', 'sarif-schema-2.1.0.json'), 'utf8')) as object);

function assertValid(log: Sarif.Log): void {
  const valid = validate(log);
  assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
}

function location(l: Sarif.Location | undefined): string {
  const p = l?.physicalLocation;
  return `${p?.artifactLocation?.uri}:${p?.region?.startLine}:${p?.region?.startColumn}`;
}

describe('SARIF output', () => {
  before(() => assert.ok(fs.existsSync(CLI), 'dist/cli.js is missing: run `npm run build` first'));

  it('the schema rejects what it should (the validator is live)', () => {
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, level: 'fatal' }] }] }), false);
    assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: { text: 'm' }, locations: [{ physicalLocation: { region: { startLine: 0 } } }] }] }] }), false);
  });

  it('is valid SARIF 2.1.0 with every rule, and results that point across files', () => {
    const { status, log } = sarif([path.relative(REPO_ROOT, WORKSPACE)]);
    assert.equal(status, 1);
    assertValid(log);
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const run = log.runs[0]!;
    const driver = run.tool.driver;
    assert.equal(driver.name, 'async-pitfalls');
    assert.match(driver.version ?? '', /^\d+\.\d+\.\d+$/);
    const ids = (driver.rules ?? []).map((r) => r.id);
    const pages = fs.readdirSync(path.join(REPO_ROOT, 'docs', 'rules')).map((f) => f.replace(/\.md$/, ''));
    assert.deepEqual([...ids].sort(), pages.sort(), 'one descriptor per rule');
    const sleep = driver.rules!.find((r) => r.id === 'AIO101')!;
    assert.equal(sleep.name, 'blocking-sleep');
    assert.equal(sleep.defaultConfiguration?.level, 'warning');
    assert.match(sleep.helpUri ?? '', /^https:\/\/.*\/docs\/rules\/AIO101\.md$/);
    assert.match(sleep.help?.markdown ?? '', /## How to fix it[\s\S]*`await asyncio\.sleep\(seconds\)`/);
    assert.doesNotMatch(sleep.help?.text ?? '', /`|\*\*/, 'plain text has no Markdown marks');
    assert.ok(sleep.properties?.tags?.includes('blocking-call'));
    assert.equal(driver.rules!.find((r) => r.id === 'AIO708')?.defaultConfiguration?.enabled, false, 'opt-in rule');

    assert.equal(run.columnKind, 'utf16CodeUnits');
    assert.equal(run.originalUriBaseIds?.['%SRCROOT%']?.uri, `file://${REPO_ROOT}/`);
    assert.deepEqual(run.invocations?.map((i) => [i.executionSuccessful, i.exitCode]), [[true, 1]]);
    const results = run.results ?? [];
    assert.equal(results.length, 11);
    for (const r of results) {
      assert.equal(driver.rules![r.ruleIndex!]!.id, r.ruleId, 'ruleIndex points at the rule');
      assert.equal(r.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId, '%SRCROOT%');
      assert.match(r.locations![0]!.physicalLocation!.artifactLocation!.uri!, /^test\/fixtures\/workspace\/shop\/[\w/]+\.py$/);
    }
    // api.py calls `self.fetch()` of a class from db.py: the related location is db.py's `async def`.
    const unawaited = results.find((r) => r.ruleId === 'AIO201' && location(r.locations?.[0]) === 'test/fixtures/workspace/shop/api.py:13:9')!;
    assert.ok(unawaited, 'AIO201 at api.py:13:9');
    const related = unawaited.relatedLocations?.[0];
    assert.equal(related?.physicalLocation?.artifactLocation?.uri, 'test/fixtures/workspace/shop/db.py');
    const dbLine = fs.readFileSync(path.join(WORKSPACE, 'shop', 'db.py'), 'utf8').split('\n')[related!.physicalLocation!.region!.startLine! - 1]!;
    assert.match(dbLine, /async def fetch/);
    const fingerprints = results.map((r) => r.partialFingerprints?.['asyncPitfalls/v1']);
    assert.ok(fingerprints.every((f) => /^[0-9a-f]{32}:\d+$/.test(f ?? '')));
    assert.equal(new Set(fingerprints).size, results.length, 'fingerprints are unique');
  });

  it('locations are relative to the repository root, not the working directory', () => {
    const fromSubfolder = sarif(['.'], path.join(WORKSPACE, 'shop'));
    assertValid(fromSubfolder.log);
    assert.ok(fromSubfolder.log.runs[0]!.results!.some((r) => location(r.locations?.[0]) === 'test/fixtures/workspace/shop/api.py:13:9'));
  });

  it('counts columns in UTF-16 code units and keeps fingerprints when lines move', () => {
    const dir = scratch({ 'app/main.py': 'import time\n\n\nasync def f():\n    x = "😀"; time.sleep(1)\n    time.sleep(2)\n' });
    try {
      const { log } = sarif(['.'], dir);
      assertValid(log);
      const results = log.runs[0]!.results!;
      // "😀" is two UTF-16 code units: `time` starts at code unit 14 (0-based), so column 15
      // (in code points it would be 14); the region ends after `time.sleep(1)`, 13 units later.
      assert.deepEqual(results.map((r) => location(r.locations?.[0])), ['app/main.py:5:15', 'app/main.py:6:5']);
      assert.equal(results[0]!.locations![0]!.physicalLocation!.region!.endColumn, 28);
      const before = results.map((r) => r.partialFingerprints?.['asyncPitfalls/v1']);
      fs.writeFileSync(path.join(dir, 'app/main.py'), '"""Docs."""\nimport time\n\n\nasync def f():\n    x = "😀"; time.sleep(1)\n    time.sleep(2)\n');
      const moved = sarif(['.'], dir).log.runs[0]!.results!;
      assert.equal(moved[0]!.locations![0]!.physicalLocation!.region!.startLine, 6);
      assert.deepEqual(moved.map((r) => r.partialFingerprints?.['asyncPitfalls/v1']), before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports configuration mistakes and skipped files as notifications, and a failed run', () => {
    const dir = scratch({
      'pyproject.toml': '[tool.async-pitfalls]\nignore = ["E501"]\n',
      'app.py': 'import time\nasync def f():\n    time.sleep(1)\n',
      'latin1.py': '',
    });
    fs.writeFileSync(path.join(dir, 'latin1.py'), Buffer.from('# caf\xe9\n', 'latin1'));
    try {
      const { status, log } = sarif(['.'], dir);
      assert.equal(status, 2);
      assertValid(log);
      const invocation = log.runs[0]!.invocations![0]!;
      assert.equal(invocation.executionSuccessful, false);
      assert.equal(invocation.exitCode, 2);
      const notes = invocation.toolExecutionNotifications!.map((n) => [n.level, location(n.locations?.[0]), n.message.text]);
      assert.deepEqual(
        notes.map(([level, where]) => [level, where]),
        [
          ['error', 'pyproject.toml:2:1'],
          ['warning', 'latin1.py:undefined:undefined'],
        ],
      );
      assert.match(notes[0]![2]!, /invalid configuration: .*E501/);
      assert.equal(notes[1]![2], 'skipped: not valid UTF-8');
      assert.equal(log.runs[0]!.results!.length, 1, 'the valid part of the run is still reported');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an empty run is valid too', () => {
    const { status, log } = sarif(['examples/clean_service.py']);
    assert.equal(status, 0);
    assertValid(log);
    assert.deepEqual(log.runs[0]!.results, []);
  });
});
