/** Python's own parser as the oracle for "is this still valid Python": one python3 process for many sources. */
import { spawnSync } from 'node:child_process';

const CHECK = `
import ast, json, sys
sources = json.load(sys.stdin)
errors = {}
for name, text in sources.items():
    try:
        ast.parse(text)
    except SyntaxError as e:
        errors[name] = f"line {e.lineno}: {e.msg}"
json.dump(errors, sys.stdout)
`;

/** Syntax errors by name (empty when every source parses). */
export function pythonSyntaxErrors(sources: Record<string, string>): Record<string, string> {
  const result = spawnSync('python3', ['-c', CHECK], { input: JSON.stringify(sources), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, string>;
}
