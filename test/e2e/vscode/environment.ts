/**
 * Where the end-to-end test finds code-server, Chromium and Playwright, and what it does when one is
 * missing: in CI (CI=true) the test must fail loudly; locally it prints the install command and skips.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_BIN = path.join(REPO, '.e2e', 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'artifacts', 'e2e');
const INSTALL = 'sudo bash scripts/install-e2e.sh   # or, as root: npm run e2e:install';

/** One line per missing prerequisite, each with the command that installs it. */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (!fs.existsSync(CODE_SERVER_BIN)) missing.push(`code-server ${CODE_SERVER_VERSION} (${path.relative(REPO, CODE_SERVER_BIN)}): ${INSTALL}`);
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM}): ${INSTALL}`);
  try {
    require.resolve('playwright-core');
  } catch {
    missing.push('playwright-core (a devDependency): npm ci');
  }
  return missing;
}

/** Throws in CI, skips the suite elsewhere; `ctx` is the `this` of a mocha `before` hook. */
export function requirePrerequisites(ctx: Mocha.Context): void {
  const missing = missingPrerequisites();
  if (missing.length === 0) return;
  const message = `VS Code end-to-end test cannot start; missing:\n  ${missing.join('\n  ')}`;
  if (process.env.CI === 'true') throw new Error(message);
  console.log(`${message}\nSkipping (set CI=true to make this a failure).`);
  ctx.skip();
}
