import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The routing knowledge: topics, the terms that signal them, the actors that serve them, and the
 * kinds of question no actor handles. It is data (knowledge/topics.json) so that it can be reviewed
 * and changed without touching the classifier's code.
 */
const termsSchema = z.record(z.string().min(1), z.number().min(0).max(10));

export const knowledgeSchema = z.object({
  topics: z.array(
    z.object({
      id: z.string().regex(/^[a-z0-9-]+$/),
      name: z.string(),
      nameSv: z.string(),
      description: z.string(),
      actors: z.array(z.string()).min(1),
      /** Actors to route to when every actor above is ruled out by a constraint (e.g. size). */
      fallbackActors: z.array(z.string()).optional(),
      terms: termsSchema,
    }),
  ),
  outOfScope: z.array(z.object({
    id: z.string(),
    name: z.string(),
    /** Contexts in which the group's terms mean something else and do not count (see `context`). */
    notWhen: z.array(z.enum(['abroad', 'selling'])).optional(),
    terms: termsSchema,
  })),
  /** Phrases that count for no topic (actor names, look-alike phrases); whatever overlaps them is ignored. */
  neutral: z.object({ $comment: z.string().optional(), phrases: z.array(z.string().min(1)) }).optional(),
  /** How companies name each actor in free text (see actor-names.ts). */
  actorNames: z.object({ $comment: z.string().optional(), names: z.record(z.string(), z.array(z.string().min(1)).min(1)) }).optional(),
  /** Context words: another country (`abroad`; EU/EEA countries in `eu`, others in `nonEu`), selling, exporting. */
  context: z.object({
    $comment: z.string().optional(),
    abroad: z.array(z.string().min(1)),
    eu: z.array(z.string().min(1)),
    nonEu: z.array(z.string().min(1)),
    selling: z.array(z.string().min(1)),
    export: z.array(z.string().min(1)),
  }).optional(),
  /** Case-sensitive abbreviations rewritten before folding ("OSS" the VAT scheme, not "oss" = us). */
  acronyms: z.object({ $comment: z.string().optional(), map: z.record(z.string().regex(/^[A-Z0-9]+$/), z.string().min(1)) }).optional(),
});

export type Knowledge = z.infer<typeof knowledgeSchema>;
export type KnowledgeTopic = Knowledge['topics'][number];

const KNOWLEDGE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'knowledge', 'topics.json');

export function loadKnowledge(file = KNOWLEDGE_FILE): Knowledge {
  return knowledgeSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
