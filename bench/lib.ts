import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';

/** Starts a TypeScript entry point in its own process and waits until it answers on the port. */
export async function startProcess(entry: string, port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  // A compiled entry (dist/*.js) runs on plain node, as in the image; a TypeScript one through tsx, as `npm start`.
  // NODE_ARGS: flags for this process's node only (e.g. --cpu-prof, which NODE_OPTIONS does not take).
  const nodeArgs = env.NODE_ARGS ? env.NODE_ARGS.split(' ') : [];
  const args = [...nodeArgs, ...(entry.endsWith('.js') ? [entry] : ['--import', 'tsx', entry])];
  const child = spawn(process.execPath, args, {
    // Rate limits off: a load generator is one address sending far more than any client may; a bench can set them.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', RATE_LIMIT_ANONYMOUS_PER_MINUTE: '0', RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE: '0', RATE_LIMIT_PER_KEY_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let exited: number | null = null;
  child.once('exit', (code) => { exited = code ?? -1; });
  const deadline = Date.now() + 120_000; // generous: on a shared machine tsx compiles the service slowly
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`${entry} exited with ${exited} before it answered on port ${port}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/live`);
      if (res.status < 500) return child;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`${entry} did not start on port ${port}`);
}

export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

export interface LoadResult { requestsPerSecond: number; p50: number; p99: number; non2xx: number; errors: number; total: number }

/** Loads one endpoint with autocannon on loopback, cycling through the given bodies. */
export async function load(url: string, bodies: string[], seconds: number, connections = 10, options: { idempotencyKeys?: boolean } = {}): Promise<LoadResult> {
  let i = 0;
  const run = Math.random().toString(36).slice(2);
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    // With idempotencyKeys, a new Idempotency-Key per request, as a form sends (each one a new inquiry).
    requests: [{ setupRequest: (req) => {
      const n = i++;
      return { ...req, body: bodies[n % bodies.length], ...(options.idempotencyKeys ? { headers: { ...req.headers, 'idempotency-key': `bench-${run}-${n}` } } : {}) };
    } }],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/** A deterministic random generator (mulberry32) and a picker, so benchmark data is the same every run. */
export function seededRandom(initialSeed: number) {
  let seed = initialSeed;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  return { rand, pick };
}
