import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { ReferenceService } from '../reference/service.js';
import type { Clock } from '../shared/clock.js';
import type { StatsProjection } from '../stats/projection.js';
import { importRoutes } from './routes.js';
import { createImportService } from './service.js';

/** The historical import (NDJSON), for admin keys. */
export const importCapability: FastifyPluginAsyncZod<{ db: Db; clock: Clock; config: Config; reference: ReferenceService; projection: StatsProjection }> = async (app, { db, clock, config, reference, projection }) => {
  await app.register(importRoutes, {
    importer: createImportService({ db, reference, clock, projection, deadlinePolicy: config.DEADLINE_POLICY }),
    bodyLimit: config.IMPORT_BODY_LIMIT_BYTES,
  });
};
