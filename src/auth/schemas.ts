import { z } from 'zod';
import { ROLES } from '../db/schema/auth.js';

export const roleSchema = z.enum(ROLES).describe(
  'admin: keys, actors and presence; coordinator: its counties\' triage queue and cases; caseworker: its actor\'s cases; ' +
  'analyst: statistics, no personal data; intake: posts inquiries from form backends; metrics: reads /metrics (a Prometheus scraper); researcher: the research extract (pseudonymised rows per inquiry), nothing else',
);

export const apiKeySchema = z.object({
  id: z.string().describe('Public id: the second part of the token, and the `by` of the events this key causes'),
  label: z.string(),
  role: roleSchema,
  actorId: z.string().nullable().describe('The actor a caseworker key works for'),
  counties: z.array(z.string()).nullable().describe('ISO 3166-2 codes the key is limited to; null: every county'),
  createdAt: z.iso.datetime(),
  createdBy: z.string().describe('The admin key that created it, or `cli`'),
  revokedAt: z.iso.datetime().nullable(),
  revokedBy: z.string().nullable(),
  lastUsedAt: z.iso.datetime().nullable().describe('Recorded at most once a minute'),
}).meta({ id: 'ApiKey' });

export const newApiKeySchema = z.strictObject({
  role: roleSchema,
  label: z.string().trim().min(1).max(200).describe('Whose key this is, e.g. "Almi Skåne CRM"'),
  actorId: z.string().min(1).max(100).optional().describe('Required for caseworker keys, refused for others'),
  counties: z.array(z.string().min(1).max(60)).max(21).optional()
    .describe('Limit the key to these counties (SE-M, 12 or Skåne). Required for coordinators unless allCounties'),
  allCounties: z.boolean().optional().describe('Coordinators only: a national coordinator seeing every county, and inquiries whose county is unknown'),
}).meta({ id: 'NewApiKey' });

export const createdApiKeySchema = z.object({
  key: apiKeySchema,
  token: z.string().describe('The bearer token. Shown only here: store it in a secret store now'),
}).meta({ id: 'CreatedApiKey' });

export const keyIdParams = z.object({ id: z.string().regex(/^[0-9a-f]{16}$/).describe('The key id') });
