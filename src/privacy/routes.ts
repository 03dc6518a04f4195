import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../shared/problems.js';
import { BEARER, principalOf, requireRole } from '../auth/plugin.js';
import { caseIdParams } from '../cases/schemas.js';
import { companyErasureReportSchema, eraseCaseRequestSchema, eraseCompanyRequestSchema, erasureReceiptSchema } from './schemas.js';
import type { ErasureService } from './service.js';

export const privacyRoutes: FastifyPluginAsyncZod<{ erasure: ErasureService }> = async (app, { erasure }) => {
  const erasers = requireRole('admin', 'coordinator');

  app.post('/v1/cases/:id/erase', {
    onRequest: erasers,
    schema: {
      operationId: 'eraseCase', tags: ['privacy'], summary: "Erase a case's personal data",
      description:
        "On the data subject's request: replaces the contact's name, e-mail and phone, the subject and the message (and the company's name and " +
        "number unless it is a legal entity's organisation number) with a marker, and blanks the notes' texts and the feedback comment. " +
        'The history, the deadline facts and the statistics stay. Recorded as `personal-data-erased`. Idempotent: a second call says when it was done. ' +
        "For admin keys, and coordinator keys within their counties. The body is optional.",
      security: BEARER,
      params: caseIdParams,
      body: eraseCaseRequestSchema.nullish(),
      response: { 200: erasureReceiptSchema, ...problemResponses(400, 401, 403, 404, 415, 429) },
    },
    handler: async (request) => erasure.eraseCase(principalOf(request), request.params.id, request.body?.requestReference),
  });

  app.post('/v1/admin/erasure', {
    onRequest: erasers,
    schema: {
      operationId: 'eraseCompany', tags: ['privacy'], summary: "Erase the personal data of all of one company's inquiries",
      description:
        'The same erasure as for one case, for every inquiry with this organisation number (or personnummer of a sole trader, found also after ' +
        "an earlier erasure removed it). A coordinator key erases within its counties and learns how many inquiries lie outside them. Idempotent.",
      security: BEARER,
      body: eraseCompanyRequestSchema,
      response: { 200: companyErasureReportSchema, ...problemResponses(400, 401, 403, 415, 429) },
    },
    handler: async (request) => erasure.eraseCompany(principalOf(request), request.body.orgNumber, request.body.requestReference),
  });
};
