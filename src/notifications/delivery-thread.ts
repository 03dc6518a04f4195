import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { DeliveryResult } from './dispatcher.js';
import type { Channel } from './outbox-repository.js';
import type { DisableReason } from './webhooks/subscriptions.js';

/**
 * Delivery in its own thread. Rendering mail, talking SMTP and HTTP and recording outcomes took CPU from intake on
 * the one event loop that answers requests (issue 10: with delivery paused during the load, intake with notifications
 * kept up with intake without). So in production the dispatcher runs in a worker thread on its own database
 * connection (delivery-worker.ts); what a change queues is still written in that change's transaction here, and
 * the leases that keep two instances apart keep the thread and any other sender apart just the same.
 *
 * The thread starts when there is something to send: at start if the outbox holds messages, else at the first
 * message queued (a service with no e-mail and no webhook subscription never starts it). It sends at a trickle while
 * requests keep arriving, as before: the instant of the last request is shared memory, written here and read there.
 * Should it die, it is started again after a second; what it held is sent again when its leases run out.
 */

/** What the request thread tells the delivery thread. */
export type ToDelivery = { type: 'nudge' } | { type: 'stop'; graceMs: number };
/** What the delivery thread tells the request thread (counted in its /metrics). */
export type FromDelivery =
  | { type: 'ready' }
  | { type: 'result'; channel: Channel; result: DeliveryResult }
  | { type: 'disabled'; reason: DisableReason }
  | { type: 'stopped' };

export interface DeliveryWorkerData {
  config: Config;
  /** One Float64: the wall-clock instant of the last request (see `busy` in dispatcher.ts). */
  lastRequest: SharedArrayBuffer;
}

/**
 * The worker: its compiled .js beside this file, or the .ts source when running through tsx or vitest. Node 20 does
 * not apply a loader given with --import to a worker's entry, so a source worker registers tsx itself first.
 */
function newWorker(data: DeliveryWorkerData): Worker {
  const options = { workerData: data, env: process.env, name: 'delivery' };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./delivery-worker.js', import.meta.url), options);
  const tsxDir = path.dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsxExports = (JSON.parse(fs.readFileSync(path.join(tsxDir, 'package.json'), 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const tsxApi = pathToFileURL(path.join(tsxDir, tsxExports['./esm/api']!.import.default)).href;
  const entry = new URL('./delivery-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`, { ...options, eval: true });
}

export interface DeliveryThreadDeps {
  config: Config;
  log: FastifyBaseLogger;
  /** Whether the outbox holds messages (at start). */
  hasMessages: () => boolean;
  onResult: (channel: Channel, result: DeliveryResult) => void;
  onDisabled: (reason: DisableReason) => void;
}

export function createDeliveryThread({ config, log, hasMessages, onResult, onDisabled }: DeliveryThreadDeps) {
  const lastRequest = new Float64Array(new SharedArrayBuffer(8));
  let worker: Worker | null = null;
  let running = false;
  let nudgePending = false;
  let restartTimer: NodeJS.Timeout | null = null;
  let stopped: (() => void) | null = null;

  function spawn(): void {
    if (worker || !running) return;
    const w = newWorker({ config, lastRequest: lastRequest.buffer as SharedArrayBuffer });
    worker = w;
    w.on('message', (message: FromDelivery) => {
      if (message.type === 'result') onResult(message.channel, message.result);
      else if (message.type === 'disabled') onDisabled(message.reason);
      else if (message.type === 'stopped') stopped?.();
      else log.info('notifications: the delivery thread is sending');
    });
    w.on('error', (error) => log.error({ err: { message: error.message } }, 'delivery thread failed'));
    w.on('exit', (code) => {
      if (worker === w) worker = null;
      stopped?.();
      if (!running) return;
      log.error({ code }, 'delivery thread stopped unexpectedly: starting it again in a second');
      restartTimer = setTimeout(() => { restartTimer = null; spawn(); }, 1_000);
      restartTimer.unref();
    });
  }

  return {
    /** Called on every request: the service is busy answering. */
    requestArrived(): void {
      lastRequest[0] = Date.now();
    },
    /** Starts the thread now if the outbox holds messages, else at the first nudge (it runs its own timer, DELIVERY_INTERVAL_MS). */
    start(_intervalMs?: number): void {
      running = true;
      if (hasMessages()) spawn();
    },
    /** A change queued messages: start the thread if it is not running, else tell it (once per turn of the event loop). */
    nudge(): void {
      if (!running) return;
      if (!worker) return spawn();
      if (nudgePending) return;
      nudgePending = true;
      setImmediate(() => {
        nudgePending = false;
        worker?.postMessage({ type: 'nudge' } satisfies ToDelivery);
      });
    },
    /** Stops the thread after it recorded what it could finish within the grace; the rest is left to the leases. */
    async stop(graceMs = 2_000): Promise<void> {
      running = false;
      if (restartTimer) clearTimeout(restartTimer);
      const w = worker;
      if (!w) return;
      await new Promise<void>((resolve) => {
        stopped = resolve;
        w.postMessage({ type: 'stop', graceMs } satisfies ToDelivery);
        setTimeout(resolve, graceMs + 3_000).unref();
      });
      stopped = null;
      await w.terminate();
      worker = null;
    },
    /** Whether the thread is running (tests read it). */
    get started(): boolean {
      return worker !== null;
    },
  };
}

export type DeliveryThread = ReturnType<typeof createDeliveryThread>;
