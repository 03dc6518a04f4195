import { z } from 'zod';

/** What caseworkers see on a case drawn into an experiment (apart from schemas.ts: the cases' schemas import it, with nothing else). */
export const caseExperimentSchema = z.object({
  id: z.string(),
  name: z.string(),
  armId: z.string(),
  armLabel: z.string(),
  instruction: z.string().describe('What to do with this case, in the case\'s language'),
}).meta({ id: 'CaseExperiment' });
export type CaseExperiment = z.infer<typeof caseExperimentSchema>;
