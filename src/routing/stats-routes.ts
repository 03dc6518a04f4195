import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import type { ReferenceService } from '../reference/service.js';
import { badRequest, problemResponses, ProblemError } from '../shared/problems.js';
import { both } from '../shared/i18n.js';
import { routingStatistics } from './operations.js';
import type { RoutingRepository } from './repository.js';
import { routingStatisticsQuerySchema, routingStatisticsSchema } from './schemas.js';

const DESCRIPTION = `
Routing quality in production, read from the inquiries' history: where routing sent each inquiry that arrived in the period
(\`from\`, \`to\`: Europe/Stockholm calendar dates, both included) and what people did about it.

- **misroutedRate**: routed inquiries referred on because they were misrouted (\`kind: misrouted\`; a referral recorded before
  referrals had a kind counts as misrouted) / routed inquiries. Referrals for an additional need are counted apart: routing was right.
- **triageRate**: inquiries sent to a county's triage queue / inquiries received, with the reasons.
- **assignedFromTriage**: triage cases a coordinator assigned to an actor, and to which actors: the needs routing did not see.

Groups: \`topic\` (the topic routing decided on), \`actor\` (the actor routing chose; null for triage), \`month\` (YYYY-MM of the
Stockholm arrival date). Analysts and admins see every county unless their key is limited; coordinators see their counties.
No personal data is part of these figures. \`npm run cli -- routing export-labels --since <date>\` writes the same corrections
as labelled examples for the routing corpus.`.trim();

/** GET /v1/stats/routing: how well routing does in production. */
export const routingStatsRoutes: FastifyPluginAsyncZod<{ repository: RoutingRepository; reference: ReferenceService }> = async (app, { repository, reference }) => {
  app.get('/v1/stats/routing', {
    onRequest: requireRole('analyst', 'coordinator', 'admin'),
    schema: {
      operationId: 'getRoutingStatistics',
      tags: ['statistics'],
      summary: 'Routing quality in production: misrouted referrals, triage, reassignments from triage, per topic, actor and month',
      description: DESCRIPTION,
      security: BEARER,
      querystring: routingStatisticsQuerySchema,
      response: { 200: routingStatisticsSchema, ...problemResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const me = principalOf(request);
      const scope = me.role === 'admin' ? null : me.counties;
      let countyCode: string | null = null;
      if (request.query.county !== undefined) {
        const county = reference.places.resolveCountyInput(request.query.county);
        if (!county) {
          throw badRequest(null, [{ name: 'querystring.county', reason: both(`Unknown county "${request.query.county}": use an ISO 3166-2 code (SE-M), an SCB code (12) or a name`, `Okänt län "${request.query.county}": ange en ISO 3166-2-kod (SE-M), en SCB-kod (12) eller ett namn`) }]);
        }
        countyCode = county.code;
        if (scope !== null && !scope.includes(countyCode)) {
          throw new ProblemError(403, 'forbidden', 'Not allowed', both(`This key is limited to ${scope.join(', ')}.`, `Den här nyckeln gäller bara ${scope.join(', ')}.`));
        }
      }
      return routingStatistics(repository, { from: request.query.from, to: request.query.to, groupBy: request.query.groupBy, countyCode }, scope);
    },
  });
};
