import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { loadOrgKey, type OrgKeySource } from './company-key.js';
import { createStatsProjection, type StatsProjection } from './projection.js';
import { ensureStatsCurrent } from './rebuild.js';

/**
 * The statistics' projection as the service, the CLI and the benchmarks open it: the ORG key from outside the
 * database, then the projection brought up to date (a no-op unless the definitions or the key changed, or the
 * database comes from before the projection). Call before anything writes.
 */
export function openStatsProjection(db: Db, config: Config, log: (message: string) => void = () => {}): { projection: StatsProjection; orgKey: OrgKeySource } {
  const orgKey = loadOrgKey(config);
  const projection = createStatsProjection({ db, atRiskMs: config.AT_RISK_HOURS * 3_600_000, orgKeySecret: orgKey.secret });
  ensureStatsCurrent(projection, log);
  return { projection, orgKey };
}
