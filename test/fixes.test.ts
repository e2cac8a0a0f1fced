/**
 * Fixes. Golden files: test/fixtures/fixes/X.py, after "fix all", must equal X.fixed.py
 * (`UPDATE_GOLDEN=1 npm test` rewrites them), parse with Python's `ast`, leave no safe fix
 * behind and be stable when fixed again. And every single fix offered on every fixture, applied
 * alone, must keep the file valid Python and make its finding go away; a safe fix must not
 * create any other finding.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits } from '../server/src/core/fix';
import type { Finding } from '../server/src/core/types';
import { RULES } from '../server/src/rules';
import { parseExpectations } from './helpers/expectations';
import { REPO_ROOT, testEngine } from './helpers/engine';
import { pythonSyntaxErrors } from './helpers/python';

const FIXES_DIR = path.join(REPO_ROOT, 'test/fixtures/fixes');
const GOLDEN_INPUTS = fs.readdirSync(FIXES_DIR).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')).sort();

function key(f: Finding): string {
  return `${f.code}@${f.range.start.line}:${f.range.start.character}`;
}

describe('fix all (golden files)', () => {
  for (const name of GOLDEN_INPUTS) {
    it(name, async () => {
      const engine = await testEngine();
      const source = fs.readFileSync(path.join(FIXES_DIR, name), 'utf8');
      const { text, fixed } = engine.fixAll(source);
      const goldenPath = path.join(FIXES_DIR, name.replace(/\.py$/, '.fixed.py'));
      if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(goldenPath, text);
      assert.equal(text, fs.readFileSync(goldenPath, 'utf8'));
      assert.ok(fixed > 0, 'the fixture has something to fix');
      assert.deepEqual(pythonSyntaxErrors({ [name]: text }), {});
      const after = engine.analyzeText(text);
      after.tree.delete();
      assert.deepEqual(after.findings.filter((f) => f.fixes.some((x) => x.safe)).map(key), [], 'no safe fix left');
      assert.equal(engine.fixAll(text).text, text, 'fixing again changes nothing');
    });
  }
});

describe('every fix offered on the fixtures', function () {
  this.timeout(120_000);
  const files = [
    ...fs.readdirSync(path.join(REPO_ROOT, 'test/fixtures/rules')).map((f) => path.join(REPO_ROOT, 'test/fixtures/rules', f)),
    ...GOLDEN_INPUTS.map((f) => path.join(FIXES_DIR, f)),
    ...fs.readdirSync(path.join(REPO_ROOT, 'examples')).map((f) => path.join(REPO_ROOT, 'examples', f)),
  ].filter((f) => f.endsWith('.py'));

  it('keeps the file valid Python, removes its finding, and a safe fix adds no other finding', async () => {
    const engine = await testEngine();
    const originals: Record<string, string> = {};
    for (const file of files) originals[file] = fs.readFileSync(file, 'utf8');
    const alreadyBroken = new Set(Object.keys(pythonSyntaxErrors(originals)));
    const candidates: Record<string, string> = {};
    const codesWithFix = new Set<string>();
    const problems: string[] = [];
    let count = 0;
    for (const file of files) {
      const source = originals[file]!;
      // The fixture's own options, and its opt-in rules (named in its select header) switched on.
      const { select, options } = parseExpectations(source);
      const analyzeOptions = { ...options, extendSelect: select };
      const before = engine.analyzeText(source, analyzeOptions);
      before.tree.delete();
      for (const finding of before.findings) {
        for (const fix of finding.fixes) {
          if (!fix.title.startsWith('Ignore ')) codesWithFix.add(finding.code);
          const label = `${path.relative(REPO_ROOT, file)}:${finding.range.start.line + 1} ${finding.code} "${fix.title}"`;
          const text = applyEdits(source, fix.edits);
          if (text === undefined) {
            problems.push(`${label}: overlapping edits`);
            continue;
          }
          count++;
          if (!alreadyBroken.has(file)) candidates[label] = text;
          const after = engine.analyzeText(text, analyzeOptions);
          after.tree.delete();
          const remaining = after.findings.filter((f) => f.code === finding.code);
          if (remaining.length >= before.findings.filter((f) => f.code === finding.code).length) problems.push(`${label}: the finding is still there`);
          if (fix.safe && after.findings.length !== before.findings.length - 1) {
            problems.push(`${label}: ${before.findings.length} findings before, ${after.findings.length} after`);
          }
        }
      }
    }
    for (const [label, error] of Object.entries(pythonSyntaxErrors(candidates))) problems.push(`${label}: invalid Python: ${error}`);
    assert.ok(count > 200, `only ${count} fixes were tried`);
    assert.deepEqual(problems, []);
    // Every rule offers a real fix (not only "ignore") somewhere in the fixtures, except where no edit is right
    // without knowing the program: AIO704 (run the coroutine in the thread? on the loop? make it sync?) and
    // AIO602 (swapping a threading lock for an asyncio one changes every other place that uses it),
    // AIO402 (which value to return, which exceptions were meant to be dropped: only the author knows),
    // AIO403 (deleting the scope would hide the blocking work inside it), AIO501 (where the statement
    // goes, and whether to cancel the tasks first), AIO503 (the event must be set by the code that
    // changes the flag, elsewhere), AIO504 (where the loop should pause or end),
    // AIO605 (joining where? right away makes the thread pointless, later blocks the caller or the loop),
    // AIO708 (making the function sync breaks every `await f()` caller, including ones in modules we cannot see).
    const noFixOnPurpose = new Set(['AIO402', 'AIO403', 'AIO501', 'AIO503', 'AIO504', 'AIO602', 'AIO605', 'AIO704', 'AIO708']);
    assert.deepEqual(RULES.map((r) => r.meta.code).filter((code) => !codesWithFix.has(code) && !noFixOnPurpose.has(code)), []);
  });
});

describe('line endings', () => {
  it('keeps Windows line endings in what fixes insert', async () => {
    const engine = await testEngine();
    const source = 'import time\r\n\r\nasync def f():\r\n    time.sleep(1)\r\n';
    const { text } = engine.fixAll(source);
    assert.equal(text, 'import asyncio\r\nimport time\r\n\r\nasync def f():\r\n    await asyncio.sleep(1)\r\n');
  });
});

describe('specific fixes', () => {
  const cases: Array<{ name: string; source: string; code: string; title: RegExp; expected: string }> = [
    {
      name: 'subprocess.run with a literal argument list -> create_subprocess_exec',
      source: 'import asyncio\nimport subprocess\n\nasync def f():\n    subprocess.run(["git", "pull"], cwd="/srv")\n',
      code: 'AIO103',
      title: /create_subprocess_exec/,
      expected: 'import asyncio\nimport subprocess\n\nasync def f():\n    await (await asyncio.create_subprocess_exec("git", "pull", cwd="/srv")).wait()\n',
    },
    {
      name: 'os.system -> create_subprocess_shell, adding the import',
      source: 'import os\n\nasync def f():\n    os.system("make")\n',
      code: 'AIO103',
      title: /create_subprocess_shell/,
      expected: 'import asyncio\nimport os\n\nasync def f():\n    await (await asyncio.create_subprocess_shell("make")).wait()\n',
    },
    {
      name: 'a blocking method call with keyword arguments -> to_thread keeps the bound method and the keywords',
      source: 'import asyncio\nimport requests\n\nasync def f(s: requests.Session, u):\n    r = s.get(u, timeout=5).json()\n',
      code: 'AIO102',
      title: /to_thread/,
      expected: 'import asyncio\nimport requests\n\nasync def f(s: requests.Session, u):\n    r = (await asyncio.to_thread(s.get, u, timeout=5)).json()\n',
    },
    {
      name: 'a task in a TaskGroup body -> tg.create_task',
      source: 'import asyncio\n\nasync def job():\n    pass\n\nasync def main():\n    async with asyncio.TaskGroup() as tg:\n        asyncio.create_task(job())\n',
      code: 'AIO301',
      title: /tg\.create_task/,
      expected: 'import asyncio\n\nasync def job():\n    pass\n\nasync def main():\n    async with asyncio.TaskGroup() as tg:\n        tg.create_task(job())\n',
    },
    {
      name: 'a CPU-bound thread target -> multiprocessing.Process',
      source: 'import threading\n\ndef crunch(n):\n    return sum(i * i for i in range(n))\n\nthreading.Thread(target=crunch, args=(10,)).start()\n',
      code: 'AIO601',
      title: /multiprocessing\.Process/,
      expected: 'import multiprocessing\nimport threading\n\ndef crunch(n):\n    return sum(i * i for i in range(n))\n\nmultiprocessing.Process(target=crunch, args=(10,)).start()\n',
    },
    {
      name: 'a missing await in a sync def -> make it async',
      source: 'async def fetch():\n    return 1\n\ndef main():\n    fetch()\n',
      code: 'AIO201',
      title: /Make `main` async/,
      expected: 'async def fetch():\n    return 1\n\nasync def main():\n    await fetch()\n',
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const engine = await testEngine();
      const result = engine.analyzeText(c.source);
      result.tree.delete();
      const finding = result.findings.find((f) => f.code === c.code);
      assert.ok(finding, `no ${c.code} finding`);
      const fix = finding.fixes.find((f) => c.title.test(f.title));
      assert.ok(fix, `no fix matching ${c.title}; offered: ${finding.fixes.map((f) => f.title).join(' | ')}`);
      assert.equal(fix.safe, false, 'these fixes change behaviour beyond the line');
      assert.equal(applyEdits(c.source, fix.edits), c.expected);
    });
  }
});

describe('fix-all on a file that does not parse', () => {
  it('changes nothing and says why (found by the fuzz tests: `await` kept being inserted)', async () => {
    const engine = await testEngine();
    const broken = 'async def fetch(url):\n    await asyncio.to_thread(work, 10)**\n    import asyncio\nasync def fetch(url):\n';
    assert.deepEqual(engine.fixAll(broken), { text: broken, fixed: 0, syntaxError: true });
    const fine = 'import time\n\n\nasync def f():\n    time.sleep(1)\n';
    const fixed = engine.fixAll(fine);
    assert.equal(fixed.syntaxError, undefined);
    assert.equal(fixed.fixed, 1);
  });
});
