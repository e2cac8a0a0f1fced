/**
 * Runs one command in its own process and measures it from the outside: wall time, and peak RSS
 * through GNU time (`%M`, kilobytes). Worker threads share their process, so for our CLI the peak
 * covers the workers too; pyright's own child processes, if any, are not summed (GNU time reports
 * the largest waited-for process).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Measured {
  wallSeconds: number;
  peakRssKb: number | undefined;
  exitCode: number | null;
  timedOut: boolean;
  stdoutFile: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

export function measure(command: string, args: string[], options: { cwd: string; timeoutSeconds: number; label: string }): Promise<Measured> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-peers-'));
  const stdoutFile = path.join(dir, `${options.label}.out`);
  const rssFile = path.join(dir, `${options.label}.rss`);
  const haveTime = fs.existsSync(GNU_TIME);
  const [cmd, argv] = haveTime ? [GNU_TIME, ['-f', '%M', '-o', rssFile, command, ...args]] : [command, args];
  const out = fs.openSync(stdoutFile, 'w');
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // Own process group, so a timeout kills the tool and anything it started, not just GNU time.
    const child = spawn(cmd, argv, { cwd: options.cwd, stdio: ['ignore', out, 'pipe'], detached: true });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutSeconds * 1000);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      fs.closeSync(out);
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      let peakRssKb: number | undefined;
      if (haveTime && fs.existsSync(rssFile)) {
        // With -o, GNU time may prefix "Command exited with non-zero status N"; the number is the last line.
        const last = fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
        const n = Number(last);
        if (Number.isFinite(n) && n > 0) peakRssKb = n;
      }
      resolve({ wallSeconds, peakRssKb, exitCode, timedOut, stdoutFile, stderr });
    });
  });
}

/** The last line of a child's stdout parsed as JSON (children print one summary line). */
export function lastJsonLine<T>(file: string): T {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
