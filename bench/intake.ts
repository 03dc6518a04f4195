import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, startProcess, stopProcess, type LoadResult } from './lib.js';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';

/**
 * Intake throughput: the real service (classification, routing, deadline, SQLite write with history)
 * against a bare Fastify route that validates the same body and does nothing else, in the same run.
 * Goal: intake at a third or more of the bare route.
 *
 * Then the same intake with e-mail (SMTP) and a webhook subscription on, every actor office and export
 * centre with a notification address, so each inquiry causes three messages (the company's receipt, the
 * office's new-case mail, a signed case.assigned webhook), sent by the dispatcher while the load runs;
 * the SMTP server and the webhook receiver (which verifies every signature) run in their own process.
 * Goal: within 15 % of intake without them. Also printed: what was delivered during the load, what was
 * left in the outbox at its end, and how long that took to drain.
 */
const MESSAGES = [
  'Hej! Vi sitter i Växjö och behöver ett lån för att köpa en ny CNC-maskin. Banken vill bara ta halva.',
  'Our customer in Kenya wants 120 days credit after delivery. How do we protect ourselves if they do not pay?',
  'Vi vill hitta distributörer i Japan och behöver en marknadsanalys. Vi är 14 anställda i Jönköping.',
  'Behöver vår produkt CE-märkning för att säljas i Tyskland? Vilka EU-direktiv gäller för maskiner?',
  'Kan vi söka en affärsutvecklingscheck för att anlita en exportkonsult? Vi finns i Luleå.',
  'Vi behöver ett ursprungsintyg och legalisering av fakturor till en leverans till Saudiarabien.',
  'Hur gör jag min momsdeklaration?',
];

export async function benchIntake(seconds = Number(process.env.BENCH_SECONDS ?? 10)) {
  // About 1 KB each, as in the measurement: the question, then the company's own longer account of it.
  const bodies = MESSAGES.map((message, i) => {
    let long = message;
    while (long.length < 880) long += ` ${MESSAGES[(i + long.length) % MESSAGES.length]}`;
    return JSON.stringify({
      company: { name: `Benchbolaget ${i} AB`, orgNumber: '556036-0793', employees: 12 },
      contact: { name: 'Bench Person', email: `bench${i}@example.se`, phone: '070-123 45 67' },
      message: long.slice(0, 900),
      consent: true,
    });
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-intake-'));
  const results: Record<string, Awaited<ReturnType<typeof load>>> = {};
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  // The bare route and the service take turns at 50 connections (ROUNDS each, medians reported), so that a
  // neighbour's load on a shared machine falls on both alike and the ratio and p99 come from one run.
  const bareRuns: LoadResult[] = [];
  const serviceRuns: LoadResult[] = [];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  // BENCH_BARE=0 skips this first part (only the notified comparison below runs).
  if (process.env.BENCH_BARE !== '0') {
    const bare = await startProcess('bench/bare-server.ts', 3101);
    // Every feature on: durable commits, history, statistics facts, metrics, an Idempotency-Key on every request,
    // rate limits on (set far above what one load generator sends, so they are counted but never refuse), and the
    // outbox (e-mail and a webhook subscription: three messages per inquiry, sent while the load runs).
    const full = await startNotified(dir, { service: 3106, receivers: 3108, smtp: 3109 }, {
      RATE_LIMIT_ANONYMOUS_PER_MINUTE: '100000000', RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE: '100000000', RATE_LIMIT_PER_KEY_PER_MINUTE: '100000000',
    });
    const options = { idempotencyKeys: true };
    try {
      await load('http://127.0.0.1:3101/v1/inquiries', bodies, 2, connections); // warm-up
      await load('http://127.0.0.1:3106/v1/inquiries', bodies, 2, connections, options);
      for (let round = 0; round < rounds; round++) {
        // The backlog of messages is sent before the bare route's turn, so it never takes the bare route's CPU.
        await full.drain();
        bareRuns.push(await load('http://127.0.0.1:3101/v1/inquiries', bodies, seconds, connections));
        serviceRuns.push(await load('http://127.0.0.1:3106/v1/inquiries', bodies, seconds, connections, options));
      }
    } finally {
      await stopProcess(bare);
      await full.stop();
    }
  }
  const median = <T>(runs: T[], key: (r: T) => number): T => [...runs].sort((a, b) => key(a) - key(b))[Math.floor(runs.length / 2)]!;
  const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ratio = bareRuns.length ? medianOf(serviceRuns.map((r, i) => r.requestsPerSecond / bareRuns[i]!.requestsPerSecond)) : NaN;
  const p99 = bareRuns.length ? medianOf(serviceRuns.map((r) => r.p99)) : NaN;
  if (bareRuns.length) {
  results.bare = median(bareRuns, (r) => r.requestsPerSecond);
  results['intake, every feature on'] = median(serviceRuns, (r) => r.requestsPerSecond);
  console.log(`\n== Intake (POST /v1/inquiries) against the bare validated route, ${connections} connections, 1 KB bodies, ${rounds} rounds of ${seconds} s taking turns ==`);
  console.table([...bareRuns.map((r, i) => ({ round: i + 1, r })), ...serviceRuns.map((r, i) => ({ round: i + 1, r }))].map(({ round, r }, i) => ({
    server: i < bareRuns.length ? 'bare route' : 'intake', round,
    'req/s': Math.round(r.requestsPerSecond), 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.total, 'non-2xx': r.non2xx, errors: r.errors,
  })));
  console.log(`intake / bare route: ${(ratio * 100).toFixed(1)} % (median of the rounds' ratios; goal: at least 20 %)`);
  console.log(`intake p99 at ${connections} connections: ${p99} ms (median of the rounds; goal: at most 25 ms)`);
  console.log(`body size: ${Math.round(bodies.reduce((n, b) => n + Buffer.byteLength(b), 0) / bodies.length)} bytes on average`);
  }

  // Plain and notified intake take turns (ROUNDS each, medians reported), so that a neighbour's load on a
  // shared machine falls on both alike; the notified service's backlog is drained before the next turn.
  if (process.env.BENCH_NOTIFIED === '0') return { ...results, ratio, p99 };
  const plainKey = createKey(path.join(dir, 'bench.db'), 'metrics');
  const service = await startProcess('src/server.ts', 3102, { DATABASE_PATH: path.join(dir, 'bench.db') });
  const notified = await startNotified(dir);
  const metricsKeys: Record<number, string> = { 3102: plainKey, 3103: notified.metricsKey };
  const plainRuns: LoadResult[] = [];
  const notifiedRuns: (LoadResult & { delivered: number; leftAtEnd: number; drainSeconds: number; cpuMs: number; drainCpuMs: number })[] = [];
  const plainCpu: number[] = [];
  // The server's own CPU time (prom-client's process_cpu_seconds_total): steadier than req/s on a shared machine.
  const cpuSeconds = async (port: number) => Number(/^process_cpu_seconds_total (\S+)/m.exec(await (await fetch(`http://127.0.0.1:${port}/metrics`, {
    headers: { authorization: `Bearer ${metricsKeys[port]}` },
  })).text())?.[1] ?? NaN);
  try {
    await load('http://127.0.0.1:3102/v1/inquiries', bodies, 2);
    await load('http://127.0.0.1:3103/v1/inquiries', bodies, 2);
    await notified.drain();
    for (let round = 0; round < rounds; round++) {
      const plainCpuBefore = await cpuSeconds(3102);
      const plain = await load('http://127.0.0.1:3102/v1/inquiries', bodies, seconds);
      plainRuns.push(plain);
      plainCpu.push((await cpuSeconds(3102) - plainCpuBefore) * 1000 / plain.total);
      const before = await notified.counts();
      const cpuBefore = await cpuSeconds(3103);
      const result = await load('http://127.0.0.1:3103/v1/inquiries', bodies, seconds);
      const cpuAtEnd = await cpuSeconds(3103);
      const atEnd = await notified.counts();
      const leftAtEnd = await notified.depth();
      const drainSeconds = await notified.drain();
      const cpuDrained = await cpuSeconds(3103);
      notifiedRuns.push({
        ...result, delivered: atEnd.mails + atEnd.hooks - before.mails - before.hooks, leftAtEnd, drainSeconds,
        cpuMs: (cpuAtEnd - cpuBefore) * 1000 / result.total, drainCpuMs: (cpuDrained - cpuAtEnd) * 1000 / result.total,
      });
    }
  } finally {
    await stopProcess(service);
    await notified.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  results.intake = median(plainRuns, (r) => r.requestsPerSecond);
  results['intake + e-mail + webhook'] = median(notifiedRuns, (r) => r.requestsPerSecond);
  // Each round's two turns ran back to back, under the same conditions on a shared machine: the median of the rounds'
  // ratios (as for the bare route above) rather than the ratio of two medians from different rounds.
  const notifiedRatio = medianOf(notifiedRuns.map((r, i) => r.requestsPerSecond / plainRuns[i]!.requestsPerSecond));
  console.log(`\n== Intake with e-mail and a webhook subscription on (3 messages per inquiry), against intake without; ${rounds} rounds of ${seconds} s taking turns, medians above ==`);
  console.table(plainRuns.map((p, i) => ({
    'intake req/s': Math.round(p.requestsPerSecond), 'with notifications req/s': Math.round(notifiedRuns[i]!.requestsPerSecond),
    'ratio %': Number((notifiedRuns[i]!.requestsPerSecond / p.requestsPerSecond * 100).toFixed(1)),
    'CPU ms/inquiry': Number(plainCpu[i]!.toFixed(2)), 'with notif. CPU ms/inquiry': Number(notifiedRuns[i]!.cpuMs.toFixed(2)),
    '+ sending later, ms/inquiry': Number(notifiedRuns[i]!.drainCpuMs.toFixed(2)),
    'delivered during load': notifiedRuns[i]!.delivered, 'queued at end': notifiedRuns[i]!.leftAtEnd, 'drained in s': Number(notifiedRuns[i]!.drainSeconds.toFixed(1)),
  })));
  const cpuRatio = median(plainCpu, (x) => x) / median(notifiedRuns.map((r) => r.cpuMs), (x) => x);
  console.log(`server CPU per inquiry during the load, without / with notifications (throughput at equal CPU): ${(cpuRatio * 100).toFixed(1)} %`);
  console.log(`intake with e-mail and a webhook subscription / intake without: ${(notifiedRatio * 100).toFixed(1)} % (median of the rounds' ratios; goal: at least 85 %, within 15 %); ` +
    `${(await notified.finalCounts()).badSignatures} webhook signatures failed to verify`);
  return { ...results, ratio, p99, notifiedRatio };
}

/** A new API key on the database file, through the command line (the file is migrated first if new). */
function createKey(databasePath: string, role: 'admin' | 'metrics'): string {
  const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'api-keys', 'create', '--role', role, '--label', `bench ${role}`], {
    env: { ...process.env, DATABASE_PATH: databasePath, LOG_LEVEL: 'warn' }, encoding: 'utf8',
  });
  if (cli.status !== 0) throw new Error(`creating a ${role} key failed: ${cli.stderr}`);
  return cli.stdout.trim().split('\n').at(-1)!;
}

/** The service with e-mail and a webhook subscription on, and its receivers (see the top of the file). */
export async function startNotified(dir: string, ports = { service: 3103, receivers: 3104, smtp: 3105 }, env: Record<string, string> = {}) {
  const receivers = await startProcess('bench/receivers.ts', ports.receivers, { SMTP_PORT: String(ports.smtp) });
  const databasePath = path.join(dir, `bench-notified-${ports.service}.db`);
  const counts = async () => (await fetch(`http://127.0.0.1:${ports.receivers}/counts`)).json() as Promise<{ mails: number; hooks: number; badSignatures: number }>;
  const admin = createKey(databasePath, 'admin');
  const metricsKey = createKey(databasePath, 'metrics');
  const service = await startProcess('src/server.ts', ports.service, {
    DATABASE_PATH: databasePath, SMTP_URL: `smtp://127.0.0.1:${ports.smtp}`, MAIL_FROM: 'Exportcentrum <no-reply@exportcentrum.example>', WEBHOOK_ALLOW_PRIVATE: 'true', ...env,
  });
  const api = (method: string, url: string, body: unknown) => fetch(`http://127.0.0.1:${ports.service}${url}`, {
    method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const subscription = await (await api('POST', '/v1/admin/webhooks', { url: `http://127.0.0.1:${ports.receivers}/hooks`, events: ['case.assigned', 'case.referred', 'case.closed'] })).json() as { secret: string };
  await fetch(`http://127.0.0.1:${ports.receivers}/secret`, { method: 'POST', body: subscription.secret });
  // Every actor office and export centre has an address: each inquiry causes a receipt, a new-case mail and a webhook.
  const actors = await (await fetch(`http://127.0.0.1:${ports.service}/v1/actors`)).json() as { items: { id: string; counties: { code: string }[] }[] };
  const offices = actors.items.flatMap((a) => a.counties.map((c) => [c.code, a.id]));
  const counties = [...new Set(offices.map(([county]) => county!))];
  for (const [county, office] of [...offices, ...counties.map((c) => [c, 'export-centre'])]) {
    const res = await api('PUT', `/v1/notification-addresses/${county}/${office}`, { emails: [`${office}.${county}@example.se`.toLowerCase()] });
    if (!res.ok) throw new Error(`setting an address failed: ${res.status} ${await res.text()}`);
  }
  const depth = async () => {
    const text = await (await fetch(`http://127.0.0.1:${ports.service}/metrics`, { headers: { authorization: `Bearer ${metricsKey}` } })).text();
    return [...text.matchAll(/^en_dorr_in_outbox_depth\{channel="\w+"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  };
  let final = { mails: 0, hooks: 0, badSignatures: 0 };
  return {
    counts, depth, metricsKey,
    /** Waits until the outbox is empty; returns how long that took, in seconds. */
    async drain() {
      const started = Date.now();
      while ((await depth()) > 0 && Date.now() - started < 300_000) await new Promise((r) => setTimeout(r, 200));
      return (Date.now() - started) / 1000;
    },
    finalCounts: async () => final,
    async stop() {
      final = await counts();
      await stopProcess(service);
      await stopProcess(receivers);
    },
  };
}

/**
 * What secure_delete (on in src/db/client.ts, so that erased personal data does not linger in freed space) costs
 * intake: the whole intake path in-process (app.inject: validation, classification, routing, the write with its
 * history, facts and aggregates), 10 inquiries in flight, with secure_delete on and off on otherwise equal
 * fresh databases, alternating five rounds each so that load from other processes falls on all alike. FAST
 * (zeroing only within pages written anyway) is shown for comparison: it would leave freed overflow pages, which
 * hold long messages, unzeroed in the file, so the service uses ON.
 */
export async function benchSecureDelete(seconds = Number(process.env.BENCH_SECONDS ?? 10)) {
  const rounds = 5;
  const perRound = Math.max(1, seconds / rounds);
  const rates: Record<'on' | 'fast' | 'off', number[]> = { on: [], fast: [], off: [] };
  const sizes: Record<'on' | 'fast' | 'off', number> = { on: 0, fast: 0, off: 0 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-secure-delete-'));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['on', 'fast', 'off'] as const) {
        const file = path.join(dir, `${mode}-${round}.db`);
        const db = openDatabase(file);
        migrateDatabase(db);
        db.$client.pragma(`secure_delete = ${mode.toUpperCase()}`);
        const app = await buildApp({ config: testConfig({ DATABASE_PATH: file }), db });
        await app.ready();
        let sent = 0;
        const started = performance.now();
        const until = started + perRound * 1000;
        const worker = async () => {
          while (performance.now() < until) {
            const res = await app.inject({ method: 'POST', url: '/v1/inquiries', payload: JSON.parse(MESSAGES_AS_BODIES[sent % MESSAGES_AS_BODIES.length]!) as object });
            if (res.statusCode !== 201) throw new Error(`intake answered ${res.statusCode}`);
            sent++;
          }
        };
        await Promise.all(Array.from({ length: 10 }, worker));
        rates[mode].push(sent / ((performance.now() - started) / 1000));
        await app.close();
        db.$client.close();
        sizes[mode] = fs.statSync(file).size;
        fs.rmSync(file, { force: true });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('\n== Intake in-process (app.inject), secure_delete on vs off, 10 in flight ==');
  console.table({
    'secure_delete ON': { 'inquiries/s (median of 5)': Math.round(median(rates.on)), rounds: rates.on.map(Math.round).join(' / '), 'file MB': (sizes.on / 1e6).toFixed(1) },
    'secure_delete FAST': { 'inquiries/s (median of 5)': Math.round(median(rates.fast)), rounds: rates.fast.map(Math.round).join(' / '), 'file MB': (sizes.fast / 1e6).toFixed(1) },
    'secure_delete OFF': { 'inquiries/s (median of 5)': Math.round(median(rates.off)), rounds: rates.off.map(Math.round).join(' / '), 'file MB': (sizes.off / 1e6).toFixed(1) },
  });
  const cost = 1 - median(rates.on) / median(rates.off);
  console.log(`secure_delete ON costs intake ${(cost * 100).toFixed(1)} % of its throughput against OFF (medians; compare with the spread of the rounds)`);
  return { on: median(rates.on), off: median(rates.off), cost };
}

const MESSAGES_AS_BODIES = MESSAGES.map((message, i) => JSON.stringify({
  company: { name: `Benchbolaget ${i} AB`, orgNumber: '556036-0793', employees: 12 },
  contact: { name: 'Bench Person', email: `bench${i}@example.se`, phone: '070-123 45 67' },
  message, consent: true,
}));

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchIntake();
  await benchSecureDelete();
}
