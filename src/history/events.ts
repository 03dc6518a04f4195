import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { inquiryEvents } from '../db/schema/index.js';

/**
 * The append-only history of each inquiry. Every state change is written here in the same
 * transaction as the change itself; the inquiry row is a projection that these events explain.
 */
export type Tx = Pick<Db, 'insert' | 'select' | 'update'>;

export interface EventActor { by: string; byRole?: string | null }

export const SYSTEM: EventActor = { by: 'system' };

export interface InquiryEvent {
  id: number;
  inquiryId: string;
  type: string;
  at: number;
  by: string;
  byRole: string | null;
  data: Record<string, unknown>;
}

export function appendEvent(tx: Tx, inquiryId: string, type: string, at: number, actor: EventActor, data: Record<string, unknown>): void {
  tx.insert(inquiryEvents).values({ inquiryId, type, at, by: actor.by, byRole: actor.byRole ?? null, data }).run();
}

export function listEvents(db: Tx, inquiryId: string): InquiryEvent[] {
  return db.select().from(inquiryEvents).where(eq(inquiryEvents.inquiryId, inquiryId)).orderBy(asc(inquiryEvents.id)).all() as InquiryEvent[];
}
