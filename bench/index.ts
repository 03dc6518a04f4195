import { benchIntake, benchSecureDelete } from './intake.js';

/**
 * `npm run bench`: every benchmark, printing its figures. BENCH_SECONDS sets the intake load duration.
 * BENCH_ONLY=intake|secure-delete|routing|polling|stats|soak runs one of them; SOAK_SECONDS shortens the soak run (default 300).
 */
const only = process.env.BENCH_ONLY;
if (!only || only === 'intake') await benchIntake();
if (!only || only === 'intake' || only === 'secure-delete') await benchSecureDelete();
if (!only || only === 'routing') await (await import('./routing.js')).benchRouting();
if (!only || only === 'polling') await import('./polling.js');
if (!only || only === 'stats') await import('./stats.js');
if (!only || only === 'soak') {
  const { benchSoak } = await import('./soak.js');
  if ((await benchSoak()).errors > 0) process.exitCode = 1;
}
