/**
 * Starts code-server for one test run, isolated from the machine's own configuration, and stops it
 * with everything it spawned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { waitFor } from './poll';

export interface CodeServerDirs {
  /** Scratch folder for config, data, user settings and logs of this run. */
  home: string;
  extensionsDir: string;
}

export interface RunningCodeServer {
  url: string;
  logPath: string;
  stop(): Promise<void>;
}

/**
 * Without XDG_* code-server writes ~/.config/code-server/config.yaml (with a generated password) and
 * logs under ~/.local/share; these keep every run's files in its own folder.
 */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), XDG_CACHE_HOME: path.join(home, 'cache') };
}

/** Settings that keep the workbench quiet and predictable for a test. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'editor.hover.delay': 200,
  'update.mode': 'none',
};

export async function startCodeServer(bin: string, workspace: string, dirs: CodeServerDirs): Promise<RunningCodeServer> {
  const userDataDir = path.join(dirs.home, 'user');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const configFile = path.join(dirs.home, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const port = await freePort();
  const logPath = path.join(dirs.home, 'code-server.log');
  const log = fs.openSync(logPath, 'w');
  // detached: the child calls setsid(), so it leads a process group we can kill as a whole; a plain
  // SIGTERM to code-server orphans its file watcher and extension hosts.
  const child = spawn(
    bin,
    [
      '--config', configFile,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', userDataDir,
      '--extensions-dir', dirs.extensionsDir,
      workspace,
    ],
    { env: isolatedEnv(dirs.home), detached: true, stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const server: RunningCodeServer = { url: `http://127.0.0.1:${port}/`, logPath, stop: () => stopGroup(child, exited) };
  try {
    await waitFor(
      `code-server to answer on port ${port}`,
      async () => {
        if (gone) throw new Error(`code-server exited with code ${child.exitCode}`);
        const response = await fetch(`${server.url}healthz`);
        return response.ok;
      },
      async () => tail(logPath),
      { timeoutMs: 60_000, intervalMs: 300 },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

async function stopGroup(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.pid === undefined) return;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is already gone
    }
  };
  signalGroup('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5_000))]);
  // Children (watcher, extension host, our language server) may outlive the parent: end the group for good.
  signalGroup('SIGKILL');
  if (timedOut) await Promise.race([exited, new Promise((r) => setTimeout(r, 2_000))]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export async function tail(file: string, lines = 30): Promise<string> {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
