import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { problemResponses } from '../shared/problems.js';
import { importReportSchema } from './schemas.js';
import type { ImportService } from './service.js';

const NDJSON = 'application/x-ndjson';
const CHUNK = 64 * 1024;

/** The body in pieces, so that no single step (decoding, splitting into lines) touches all 50 MB at once. */
function* chunksOf(text: string): Generator<string> {
  for (let i = 0; i < text.length; i += CHUNK) yield text.slice(i, i + CHUNK);
}

export const importRoutes: FastifyPluginAsyncZod<{ importer: ImportService; bodyLimit: number }> = async (app, { importer, bodyLimit }) => {
  // Scoped to this plugin: the import takes NDJSON and only NDJSON (a JSON body is a 415, not a 400).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(NDJSON, { parseAs: 'string', bodyLimit }, (_request, body, done) => done(null, body));

  app.post('/v1/admin/import', {
    onRequest: requireRole('admin'),
    bodyLimit,
    config: { requestItemSchema: 'ImportLine' },
    schema: {
      operationId: 'importCases',
      tags: ['admin'],
      summary: 'Import historical cases (NDJSON, one case per line)',
      description:
        'Body: `application/x-ndjson`, one JSON object per line (see the ImportLine schema): externalId, receivedAt, county, actor, topic, ' +
        'orgNumber, deadlinePolicy, firstContactAt, firstContactActor, referrals, triaged, closedAt, outcome, feedback. ' +
        'Idempotent by externalId: a line imported before is left as it was (`alreadyImported`). Every line is validated in full; ' +
        'a rejected line is reported with its line number and reasons and nothing of it is imported, while the valid lines are. ' +
        'Each imported case gets a history (`imported` event) and counts in the statistics. The same from the command line: ' +
        '`npm run cli -- import <file.ndjson>`.',
      security: BEARER,
      consumes: [NDJSON],
      body: z.string().describe('NDJSON: one ImportLine object per line'),
      response: { 200: importReportSchema, ...problemResponses(400, 401, 403, 413, 415) },
    },
    handler: async (request) => {
      const me = principalOf(request);
      // In time slices that yield to the event loop: a 50 MB file takes a while, and the service goes on
      // answering meanwhile (health checks, intake). Progress goes to the log every few seconds.
      const report = await importer.importInSlices(chunksOf(request.body), {
        onProgress: (progress) => request.log.info({ keyId: me.keyId, ...progress }, 'import in progress'),
      });
      request.log.info({ keyId: me.keyId, lines: report.lines, imported: report.imported, alreadyImported: report.alreadyImported, failed: report.failed }, 'cases imported');
      return report;
    },
  });
};
