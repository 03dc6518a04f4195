import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load, startProcess, stopProcess } from './lib.js';

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

if (import.meta.url === `file://${process.argv[1]}`) await benchIntake();
