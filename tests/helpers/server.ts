import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A free loopback port for a test that starts the real server in a child process. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The repository's root, where the service is started from. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The real service in a child process (src/server.ts through tsx), as an operator starts it, for the tests that
 * need a real process: crashes, signals, timers. Quiet and without sweepers or the anonymous rate limit (one
 * load generator posts far more than a real form would) unless `env` says otherwise. Its output is kept and
 * written out if it exits with an error.
 */
export function spawnService(port: number, env: Record<string, string>): ChildProcess & { output(): string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent',
      DEADLINE_SWEEP_INTERVAL_MS: '0', RETENTION_SWEEP_INTERVAL_MS: '0', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.on('exit', (code) => {
    if (code !== null && code !== 0) process.stderr.write(`server exited ${code}: ${output}\n`);
  });
  return Object.assign(child, { output: () => output });
}

/** Resolves once the service answers /health/ready; fails if it exits first or is not ready within 30 s. */
export async function waitReady(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server not ready within 30 s');
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** Kills whatever is still running (SIGKILL) and waits for every process to be gone. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(children.map(exited));
}
