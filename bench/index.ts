import { benchIntake } from './intake.js';

/** `npm run bench`: every benchmark, printing its figures. BENCH_SECONDS sets the load duration. */
await benchIntake();
