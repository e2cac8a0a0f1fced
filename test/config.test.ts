/**
 * `[tool.async-pitfalls]` in pyproject.toml: parsing and validation (with the
 * line of each mistake), which file applies to which Python file, and how the
 * configuration merges with command-line flags and editor settings.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readProjectConfig } from '../server/src/config/pyproject';
import { ConfigResolver, isExcluded, optionsForFile } from '../server/src/config/resolve';
import { isRuleEnabled } from '../server/src/core/selection';
import { patternToRegExp } from '../server/src/rules/AIO113-configured-blocking-call';

const VALID = `[project]
name = "shop"

[tool.async-pitfalls]
select = ["AIO1", "aio201"]
extend-select = ["AIO708"]
ignore = ["AIO106"]
target-version = "3.11"
exclude = ["generated/", "migrations/*.py"]

[tool.async-pitfalls.severity]
AIO101 = "error"
aio105 = "Info"

[tool.async-pitfalls.per-file-ignores]
"tests/**" = ["AIO101"]
"conftest.py" = ["AIO2"]

[tool.async-pitfalls.blocking-calls]
"legacy.client.fetch" = "use legacy.aio.fetch"
"vendor.*.call" = ""
`;

function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aio-config-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

describe('configuration in pyproject.toml', () => {
  it('reads every key of a valid table', () => {
    const { config, errors } = readProjectConfig('/p/pyproject.toml', VALID);
    assert.deepEqual(errors, []);
    assert.deepEqual(config?.select, ['AIO1', 'AIO201']);
    assert.deepEqual(config?.extendSelect, ['AIO708']);
    assert.deepEqual(config?.ignore, ['AIO106']);
    assert.deepEqual(config?.targetVersion, [3, 11]);
    assert.deepEqual(config?.severity, { AIO101: 'error', AIO105: 'information' });
    assert.deepEqual(config?.perFileIgnores, [
      { pattern: 'tests/**', codes: ['AIO101'] },
      { pattern: 'conftest.py', codes: ['AIO2'] },
    ]);
    assert.deepEqual(config?.blockingCalls, { 'legacy.client.fetch': 'use legacy.aio.fetch', 'vendor.*.call': '' });
    assert.deepEqual(config?.exclude, ['generated/', 'migrations/*.py']);
    assert.deepEqual(readProjectConfig('/p/pyproject.toml', '[project]\nname = "x"\n'), { errors: [] });
    assert.deepEqual(readProjectConfig('/p/pyproject.toml', '[tool.async-pitfalls]\ntarget-version = "py39"\n').config?.targetVersion, [3, 9]);
  });

  it('reports each mistake with its line, and keeps the valid entries', () => {
    const text = `[tool.async-pitfalls]
select = ["AIO1", "E501"]
ignore = "AIO106"
colour = true
target-version = "2.7"

[tool.async-pitfalls.severity]
AIO101 = "fatal"
AIO105 = "error"
W1 = "warning"

[tool.async-pitfalls.blocking-calls]
"legacy fetch" = "x"
"ok.name" = 3
`;
    const { config, errors } = readProjectConfig('/p/pyproject.toml', text);
    const shown = errors.map((e) => `${e.line}: ${e.message}`);
    assert.deepEqual(shown, [
      '4: [tool.async-pitfalls] colour: unknown key (known: select, extend-select, ignore, severity, blocking-calls, per-file-ignores, exclude, target-version)',
      '2: [tool.async-pitfalls] select: not a rule code or prefix: E501 (codes look like AIO101; prefixes like AIO1)',
      '3: [tool.async-pitfalls] ignore: must be a list of rule codes or prefixes, e.g. ["AIO1", "AIO201"]',
      '8: [tool.async-pitfalls] AIO101: severity must be one of error, warning, information, hint, off; got "fatal"',
      '10: [tool.async-pitfalls] W1: not a rule code (AIO + 3 digits)',
      '13: [tool.async-pitfalls] legacy fetch: must be a dotted name such as "mylib.client.fetch" (`*` matches one name part, `**` any number)',
      '14: [tool.async-pitfalls] ok.name: the value must be a string saying what to use instead',
      '5: [tool.async-pitfalls] target-version: must be a Python 3 version such as "3.11" or "py311"; got "2.7"',
    ]);
    assert.deepEqual(config?.select, ['AIO1']);
    assert.deepEqual(config?.severity, { AIO105: 'error' });
  });

  it('reports invalid TOML with its line and refuses a huge file without parsing it', () => {
    const broken = readProjectConfig('/p/pyproject.toml', '[tool.async-pitfalls]\nselect = ["AIO1"\n');
    assert.equal(broken.config, undefined);
    assert.equal(broken.errors.length, 1);
    assert.match(broken.errors[0]!.message, /^invalid TOML/);
    assert.ok(broken.errors[0]!.line >= 2);
    const huge = readProjectConfig('/p/pyproject.toml', `[tool.async-pitfalls]\n${'# padding\n'.repeat(200_000)}`);
    assert.match(huge.errors[0]!.message, /over 1024 KB/);
    // Deeply nested arrays are data like any other: an error or a value, never a hang or a crash.
    const nested = readProjectConfig('/p/pyproject.toml', `[tool.async-pitfalls]\nselect = ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    assert.ok(nested.errors.length > 0);
  });

  it('uses the nearest pyproject.toml that has the table, walking up from each file', () => {
    const dir = tree({
      'pyproject.toml': '[tool.async-pitfalls]\nignore = ["AIO101"]\n',
      'svc/pyproject.toml': '[tool.async-pitfalls]\nignore = ["AIO105"]\n',
      'lib/pyproject.toml': '[project]\nname = "lib"\n',
      'svc/app/main.py': '',
      'lib/x.py': '',
    });
    try {
      const resolver = new ConfigResolver();
      assert.deepEqual(resolver.resolve(path.join(dir, 'svc/app/main.py')).config?.ignore, ['AIO105']);
      assert.deepEqual(resolver.resolve(path.join(dir, 'lib/x.py')).config?.ignore, ['AIO101']);
      fs.writeFileSync(path.join(dir, 'svc/pyproject.toml'), '[tool.async-pitfalls]\nignore = ["AIO109"]\n');
      assert.deepEqual(resolver.resolve(path.join(dir, 'svc/app/main.py')).config?.ignore, ['AIO105'], 'cached until cleared');
      resolver.clear();
      assert.deepEqual(resolver.resolve(path.join(dir, 'svc/app/main.py')).config?.ignore, ['AIO109']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('merges: flags and editor settings win, ignores add up, per-file ignores and exclude match relative paths', () => {
    const resolved = { config: readProjectConfig('/p/pyproject.toml', VALID).config!, errors: [] };
    const plain = optionsForFile(resolved, '/p/src/app.py', {});
    assert.deepEqual(plain.select, ['AIO1', 'AIO201']);
    assert.deepEqual(plain.ignore, ['AIO106']);
    assert.deepEqual(plain.severity, { AIO101: 'error', AIO105: 'information' });
    assert.deepEqual(plain.targetVersion, [3, 11]);
    assert.ok(isRuleEnabled('AIO708', plain, false), 'extend-select switches on an opt-in rule');
    assert.ok(!isRuleEnabled('AIO301', plain));
    const test = optionsForFile(resolved, '/p/tests/unit/test_app.py', {});
    assert.deepEqual(test.ignore, ['AIO106', 'AIO101']);
    assert.deepEqual(optionsForFile(resolved, '/p/deep/conftest.py', {}).ignore, ['AIO106', 'AIO2']);
    const flags = optionsForFile(resolved, '/p/src/app.py', { select: ['AIO3'], ignore: ['AIO302'], severity: { AIO101: 'hint' } });
    assert.deepEqual(flags.select, ['AIO3']);
    assert.deepEqual(flags.ignore, ['AIO106', 'AIO302']);
    assert.equal(flags.severity?.AIO101, 'hint');
    assert.ok(isExcluded(resolved, '/p/generated/models.py'));
    assert.ok(isExcluded(resolved, '/p/migrations/0001.py'));
    assert.ok(!isExcluded(resolved, '/p/migrations/sub/0001.py'));
    assert.ok(!isExcluded(resolved, '/p/src/generated.py'));
    assert.ok(!isExcluded(resolved, '/elsewhere/generated/x.py'));
  });

  it('matches blocking-call patterns by name part', () => {
    assert.ok(patternToRegExp('vendor.*.call').test('vendor.sdk.call'));
    assert.ok(!patternToRegExp('vendor.*.call').test('vendor.sdk.deep.call'));
    assert.ok(patternToRegExp('vendor.**').test('vendor.sdk.deep.call'));
    assert.ok(!patternToRegExp('legacy.fetch').test('legacy.fetcher'));
    assert.ok(!patternToRegExp('a.b').test('aXb'));
  });
});
