import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, startProcess, stopProcess } from './lib.js';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';

/**
 * Intake throughput: the real service (classification, routing, deadline, SQLite write with history)
 * against a bare Fastify route that validates the same body and does nothing else, in the same run.
 * Goal: intake at a third or more of the bare route.
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
  const bodies = MESSAGES.map((message, i) => JSON.stringify({
    company: { name: `Benchbolaget ${i} AB`, orgNumber: '556036-0793', employees: 12 },
    contact: { name: 'Bench Person', email: `bench${i}@example.se`, phone: '070-123 45 67' },
    message,
    consent: true,
  }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-intake-'));
  const results: Record<string, Awaited<ReturnType<typeof load>>> = {};
  const bare = await startProcess('bench/bare-server.ts', 3101);
  try {
    await load('http://127.0.0.1:3101/v1/inquiries', bodies, 2); // warm-up
    results.bare = await load('http://127.0.0.1:3101/v1/inquiries', bodies, seconds);
  } finally {
    await stopProcess(bare);
  }
  const service = await startProcess('src/server.ts', 3102, { DATABASE_PATH: path.join(dir, 'bench.db') });
  try {
    await load('http://127.0.0.1:3102/v1/inquiries', bodies, 2);
    results.intake = await load('http://127.0.0.1:3102/v1/inquiries', bodies, seconds);
  } finally {
    await stopProcess(service);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const ratio = results.intake!.requestsPerSecond / results.bare!.requestsPerSecond;
  console.log('\n== Intake (POST /v1/inquiries), 10 connections on loopback ==');
  console.table(Object.fromEntries(Object.entries(results).map(([name, r]) => [name, {
    'req/s': Math.round(r.requestsPerSecond), 'p50 ms': r.p50, 'p99 ms': r.p99, requests: r.total, 'non-2xx': r.non2xx, errors: r.errors,
  }])));
  console.log(`intake / bare route: ${(ratio * 100).toFixed(1)} % (goal: at least 33 %)`);
  return { ...results, ratio };
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
