/** Builds the extension's .vsix the way `npm run package` does, and installs it into a code-server. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO } from './environment';

export function buildVsix(outFile: string): void {
  run('bash', [path.join(REPO, 'scripts', 'package-vsix.sh'), outFile], 'vsce package');
}

export function installVsix(codeServer: string, vsix: string, extensionsDir: string, env: NodeJS.ProcessEnv): void {
  const out = run(codeServer, ['--install-extension', vsix, '--extensions-dir', extensionsDir], 'code-server --install-extension', env);
  if (!/successfully installed/i.test(out)) throw new Error(`code-server did not confirm the installation of ${vsix}:\n${out}`);
}

function run(command: string, args: string[], what: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync(command, args, { cwd: REPO, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
