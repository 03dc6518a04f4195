import { and, asc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { inquiries, inquiryEvents } from '../db/schema/index.js';

/**
 * What routing learns from operations reads the inquiries' history (src/history), never the
 * statistics tables: the events say where routing sent an inquiry and what people did about it.
 */

/** The history events that say something about routing. */
export const ROUTING_EVENT_TYPES = ['routed', 'sent-to-triage', 'referred', 'assigned'] as const;

export interface RoutingEventRow {
  eventId: number;
  inquiryId: string;
  type: string;
  at: number;
  by: string;
  byRole: string | null;
  data: Record<string, unknown>;
}

export interface InquiryForRouting {
  id: string;
  reference: string;
  receivedAt: number;
  countyCode: string | null;
  countySource: string | null;
  language: string;
  subject: string | null;
  message: string;
  employees: number | null;
  erasedAt: number | null;
  contactName: string;
  companyName: string;
}

/** SQLite limits the variables of one statement: ask in parts. */
function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createRoutingRepository(db: Db) {
  const eventsWhere = (conditions: (SQL | undefined)[]) =>
    db.select({
      eventId: inquiryEvents.id, inquiryId: inquiryEvents.inquiryId, type: inquiryEvents.type, at: inquiryEvents.at,
      by: inquiryEvents.by, byRole: inquiryEvents.byRole, data: inquiryEvents.data,
    })
      .from(inquiryEvents)
      .innerJoin(inquiries, eq(inquiries.id, inquiryEvents.inquiryId))
      .where(and(inArray(inquiryEvents.type, [...ROUTING_EVENT_TYPES]), ...conditions))
      .orderBy(asc(inquiryEvents.id))
      .all() as RoutingEventRow[];

  const countyIn = (counties: string[] | null) => (counties === null ? undefined : inArray(inquiries.countyCode, counties));

  return {
    /** Routing events of the inquiries that arrived in [fromMs, toMs), in the given counties (null: all). */
    eventsOfInquiriesReceived(fromMs: number, toMs: number, counties: string[] | null): RoutingEventRow[] {
      return eventsWhere([gte(inquiries.receivedAt, fromMs), lt(inquiries.receivedAt, toMs), countyIn(counties)]);
    },

    /** The inquiries (with county, arrival) that arrived in [fromMs, toMs). */
    inquiriesReceived(fromMs: number, toMs: number, counties: string[] | null): Pick<InquiryForRouting, 'id' | 'receivedAt' | 'countyCode'>[] {
      return db.select({ id: inquiries.id, receivedAt: inquiries.receivedAt, countyCode: inquiries.countyCode })
        .from(inquiries)
        .where(and(gte(inquiries.receivedAt, fromMs), lt(inquiries.receivedAt, toMs), countyIn(counties)))
        .all();
    },

    /** Routing events that happened at or after `sinceMs` (any arrival). */
    eventsSince(sinceMs: number): RoutingEventRow[] {
      return eventsWhere([gte(inquiryEvents.at, sinceMs)]);
    },

    /** Every routing event of the given inquiries (what routing decided first), in order. */
    eventsOf(inquiryIds: string[]): RoutingEventRow[] {
      return chunks(inquiryIds).flatMap((ids) => eventsWhere([inArray(inquiryEvents.inquiryId, ids)])).sort((a, b) => a.eventId - b.eventId);
    },

    /** The inquiries' texts and what is needed to label them (contact name only to take it out of the text). */
    inquiries(ids: string[]): InquiryForRouting[] {
      return chunks(ids).flatMap((part) => db.select({
        id: inquiries.id, reference: inquiries.reference, receivedAt: inquiries.receivedAt, countyCode: inquiries.countyCode,
        countySource: inquiries.countySource, language: inquiries.language, subject: inquiries.subject, message: inquiries.message,
        employees: inquiries.employees, erasedAt: inquiries.erasedAt, contactName: inquiries.contactName, companyName: inquiries.companyName,
      }).from(inquiries).where(inArray(inquiries.id, part)).all());
    },
  };
}

export type RoutingRepository = ReturnType<typeof createRoutingRepository>;
