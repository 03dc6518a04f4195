import { z } from 'zod';
import { parseOrgNumber } from '../intake/org-number.js';
import { msg } from '../shared/i18n.js';

export { ERASED } from './personal-data.js';

/**
 * A reference to the data subject's request in the organisation's own records (diary number), so the
 * erasure can be matched to it. Letters, digits and . _ / - only: no room for a name.
 */
const requestReference = z.string().trim().regex(/^[A-Za-z0-9._/-]{1,60}$/, { message: msg('Letters, digits and . _ / - only, at most 60: a diary number, never a name', 'Bara bokstäver, siffror och . _ / -, högst 60: ett diarienummer, aldrig ett namn') })
  .optional().describe('Your reference for the erasure request, e.g. a diary number (recorded in the history)');

export const eraseCaseRequestSchema = z.strictObject({ requestReference }).meta({ id: 'EraseCaseRequest' });

export const eraseCompanyRequestSchema = z
  .strictObject({
    orgNumber: z.string().max(20).refine((v) => parseOrgNumber(v) !== null, { message: msg('Not a valid Swedish organisation number or personnummer', 'Inte ett giltigt svenskt organisationsnummer eller personnummer') })
      .describe("The company's organisation number, or a sole trader's personnummer"),
    requestReference,
  })
  .meta({ id: 'EraseCompanyRequest' });

export const erasureReceiptSchema = z
  .object({
    id: z.string(),
    erasedAt: z.iso.datetime().describe('When the personal data was erased (the first time, if it already was)'),
    alreadyErased: z.boolean().describe('True when there was nothing left to erase: an earlier erasure had done it all (erasing is idempotent)'),
  })
  .meta({ id: 'ErasureReceipt' });

export const companyErasureReportSchema = z
  .object({
    matched: z.number().int().describe("The company's inquiries within the caller's counties"),
    erased: z.number().int().describe('Erased now (including inquiries erased before that had something left to erase)'),
    alreadyErased: z.number().int().describe('Erased before, with nothing left to erase (idempotent)'),
    outsideYourCounties: z.number().int().describe("The company's inquiries in counties the caller's key does not cover: ask their coordinator or an admin"),
  })
  .meta({ id: 'CompanyErasureReport' });

export type EraseReason = 'request' | 'retention';
