import { parentPort, workerData } from 'node:worker_threads';
import type { FastifyBaseLogger } from 'fastify';
import { loadKnowledge } from '../classification/knowledge.js';
import { openDatabase } from '../db/client.js';
import { createLogger } from '../plugins/logging.js';
import { Places } from '../reference/places.js';
import { createReferenceRepository } from '../reference/repository.js';
import { ReferenceService } from '../reference/service.js';
import { systemClock } from '../shared/clock.js';
import { closeSenders, createDelivery } from './delivery.js';
import type { DeliveryWorkerData, FromDelivery, ToDelivery } from './delivery-thread.js';

/**
 * The delivery thread (see delivery-thread.ts): the dispatcher on its own connection to the service's database
 * file (already migrated by the request thread), on its timer, told of new messages by the request thread.
 */
const { config, lastRequest } = workerData as DeliveryWorkerData;
const port = parentPort!;
const post = (message: FromDelivery) => port.postMessage(message);
const sharedLastRequest = new Float64Array(lastRequest);

// A small page cache and no memory map: the thread reads a few rows per message.
const db = openDatabase(config.DATABASE_PATH, { cacheMb: 8, mmapMb: 0 });
const log = createLogger(config.LOG_LEVEL).child({ thread: 'delivery' }) as unknown as FastifyBaseLogger;
const reference = new ReferenceService(createReferenceRepository(db), new Places(), loadKnowledge());
const delivery = createDelivery({
  db, config, clock: systemClock, reference, log,
  busy: () => Date.now() - sharedLastRequest[0]! < 100,
  onResult: (channel, result) => post({ type: 'result', channel, result }),
  onDisabled: (_subscriptionId, reason) => post({ type: 'disabled', reason }),
});

port.on('message', (message: ToDelivery) => {
  if (message.type === 'nudge') delivery.dispatcher.nudge();
  else {
    void delivery.dispatcher.stop(message.graceMs).finally(() => {
      closeSenders(delivery);
      db.$client.close();
      post({ type: 'stopped' });
      port.close();
    });
  }
});

delivery.dispatcher.start(config.DELIVERY_INTERVAL_MS);
post({ type: 'ready' });
