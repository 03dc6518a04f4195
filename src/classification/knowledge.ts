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
  outOfScope: z.array(z.object({ id: z.string(), name: z.string(), terms: termsSchema })),
  /** Phrases that count for no topic (actor names, look-alike phrases); whatever overlaps them is ignored. */
  neutral: z.object({ $comment: z.string().optional(), phrases: z.array(z.string().min(1)) }).optional(),
  /** Case-sensitive abbreviations rewritten before folding ("OSS" the VAT scheme, not "oss" = us). */
  acronyms: z.object({ $comment: z.string().optional(), map: z.record(z.string().regex(/^[A-Z0-9]+$/), z.string().min(1)) }).optional(),
});

export type Knowledge = z.infer<typeof knowledgeSchema>;
export type KnowledgeTopic = Knowledge['topics'][number];

const KNOWLEDGE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'knowledge', 'topics.json');

export function loadKnowledge(file = KNOWLEDGE_FILE): Knowledge {
  return knowledgeSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}
