import { z } from 'zod';

/**
 * The service's configuration, read from the environment once at start-up.
 * This is the only module that reads process.env: everything else gets a Config.
 */
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const originList = z
  .string()
  .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => new URL(u).origin)));

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_PATH: z.string().min(1).default('./data/en-dorr-in.db'),
  /** SQLite's page cache, in MB (anonymous memory: it counts in full in the process's RSS once filled). */
  SQLITE_CACHE_MB: z.coerce.number().int().min(1).max(4096).default(64),
  /** How much of the database file SQLite reads through a memory map, in MB; 0 turns the map off. */
  SQLITE_MMAP_MB: z.coerce.number().int().min(0).max(65536).default(256),
  /**
   * SQLite's page cache while a bulk import (the command line) runs, in MB: inserts into large indexes at random
   * places read and write pages all over the file, so the cache decides how much of that stays in memory.
   */
  IMPORT_CACHE_MB: z.coerce.number().int().min(1).max(65536).default(128),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Deadline policy for new inquiries; the policy in force is recorded with each inquiry. */
  DEADLINE_POLICY: z.enum(['working-day', '24h']).default('working-day'),
  /** Browser origins of the regional inquiry forms allowed to post (CORS allow-list). */
  TRUSTED_FORM_ORIGINS: originList.default([]),
  /**
   * The public address companies reach the service at: the base of every status link (in answers, e-mails and pages).
   * Required when NODE_ENV=production; otherwise derived from HOST and PORT (see resolvePublicBaseUrl).
   */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).optional(),
  /** Swagger UI and the OpenAPI document under /docs; off by default in production (the document is committed in openapi/). */
  API_DOCS: booleanFlag.optional(),
  /** Largest accepted request body, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  /** A case is at risk when less than this much deadline time is left (working time under `working-day`). */
  AT_RISK_HOURS: z.coerce.number().min(0).max(24).default(4),
  /**
   * Below this probability of being right an inquiry goes to the county's triage queue instead of a
   * guess. Unset: the threshold `npm run train` chose by cost (in the routing model file).
   */
  TRIAGE_CONFIDENCE_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  /** Whether POST /v1/inquiries accepts anonymous posts from browsers (forms). */
  ALLOW_ANONYMOUS_INTAKE: booleanFlag.default(true),
  /** Secret for the company's status links; when unset one is generated and kept in the database. */
  STATUS_LINK_SECRET: z.string().min(32).optional(),
  /** The share of inquiries that should get first contact within the deadline (statistics' target). */
  COMPLIANCE_TARGET: z.coerce.number().min(0).max(1).default(0.8),
  /** How often the deadline sweeper records at-risk and breached cases, in milliseconds; 0 turns it off. Off in tests. */
  DEADLINE_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Largest accepted body of POST /v1/admin/import (NDJSON), in bytes; larger files go through the CLI. */
  IMPORT_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(50 * 1024 * 1024),
  /** Request timeout for slow clients, in milliseconds. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Anonymous writes (intake, routing preview, feedback) per client address and minute; 0 turns the limit off. */
  RATE_LIMIT_ANONYMOUS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  /** Anonymous reads (reference data, status links) per client address and minute; 0 turns the limit off. */
  RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE: z.coerce.number().int().min(0).default(300),
  /** Requests per API key (counted by key id) and minute; 0 turns the limit off. */
  RATE_LIMIT_PER_KEY_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (rate limits): unset or false none,
   * true every hop, a number that many hops, or a comma-separated list of proxy addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string[] => (v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v.split(',').map((s) => s.trim()).filter(Boolean)))
    .default(false),
  /** The pages people look at (status page, reference form, dashboard); false leaves the JSON API alone. */
  PAGES_ENABLED: booleanFlag.default(true),
  /** A dashboard sign-in ends after this many minutes without a request. */
  DASHBOARD_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** A dashboard sign-in ends this many hours after signing in, however active. */
  DASHBOARD_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 7).default(8),
  /** Personal data of closed cases is erased this many days after closing. */
  RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  /** How often the retention job runs, in milliseconds; 0 turns it off. Off in tests. */
  RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(3_600_000),
  /** SMTP server for e-mail notifications, e.g. smtp://user:pass@mail.example.se:587; unset: e-mail is off. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, message: 'An smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.se:587' }).optional(),
  /** Sender of the e-mails, e.g. "Exportcentrum <no-reply@region.se>"; required with SMTP_URL. */
  MAIL_FROM: z.string().trim().min(3).max(300).optional(),
  /** Link to a case in the actors' own case systems, with {id} and/or {reference}; unset: the API's case URL. */
  CASE_LINK_TEMPLATE: z.url({ protocol: /^https?$/ }).refine((v) => v.includes('{id}') || v.includes('{reference}'), {
    message: 'Must contain {id} or {reference}, e.g. https://crm.example.se/cases/{id}',
  }).optional(),
  /** Days after closing when the company is asked whether it got the right help; 0: no follow-up e-mail. */
  FOLLOW_UP_DELAY_DAYS: z.coerce.number().int().min(0).max(60).default(3),
  /** Months after closing when a consenting company is asked about effects (exports, new markets), comma-separated. */
  FOLLOW_UP_WAVES_MONTHS: z.string().trim().regex(/^\d{1,2}(\s*,\s*\d{1,2})*$/, 'Months, comma-separated, e.g. 6,12,24')
    .default('6,12,24')
    .transform((v) => [...new Set(v.split(',').map((m) => Number(m.trim())))].filter((m) => m > 0).sort((a, b) => a - b)),
  /** Days after a follow-up wave opened when one reminder goes to a company that has not answered; the wave stays open twice as long. */
  FOLLOW_UP_REMINDER_DAYS: z.coerce.number().int().min(1).max(90).default(14),
  /** How often the follow-up waves are opened and reminded, in milliseconds; 0 turns it off. Off in tests (they call run()). */
  FOLLOW_UP_INTERVAL_MS: z.coerce.number().int().min(0).default(600_000),
  /**
   * The key of the organisation-number pseudonym in the research extract (HMAC-SHA256), at least 32 characters, held
   * outside the database so that the extract cannot be linked back without it. Required in production; unset elsewhere:
   * the extract answers 503.
   */
  RESEARCH_PSEUDONYM_SECRET: z.string().min(32).optional(),
  /** A message that could not be delivered for this long is dead-lettered (visible and replayable through the API). */
  DELIVERY_MAX_AGE_HOURS: z.coerce.number().min(0.1).max(24 * 14).default(24),
  /** How often the dispatcher looks for due messages, in milliseconds (new messages are also sent right after commit); 0 turns it off. Off in tests. */
  DELIVERY_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  /**
   * Send from a thread of its own (its own database connection), so that rendering and sending never take the
   * request thread's CPU; off: the dispatcher runs on the request thread. Either way only once the dispatcher runs
   * (DELIVERY_INTERVAL_MS > 0, not in tests); a database in memory always sends from the request thread.
   */
  DELIVERY_THREAD: booleanFlag.default(true),
  /** How long an instance holds the messages it is sending before another may take them over (longer than any send). */
  DELIVERY_LEASE_SECONDS: z.coerce.number().int().min(15).max(3600).default(60),
  /** A webhook subscription whose deliveries have failed for this long is disabled, and admins are told. */
  WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(1).max(24 * 30).default(72),
  /** How long the previous secret still signs after rotate-secret, unless the request says otherwise. */
  WEBHOOK_SECRET_GRACE_HOURS: z.coerce.number().min(0).max(24 * 30).default(24),
  /** Allow webhook URLs over plain http and to loopback, private and link-local addresses (intranets, tests). */
  WEBHOOK_ALLOW_PRIVATE: booleanFlag.default(false),
  /** How often the statistics' month and week roll-ups are made again where cases changed; 0 turns it off (queries stay exact). Off in tests. */
  STATS_COMPACT_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
  /** A first contact recorded more than this many hours after the instant it claims is flagged `backdated`. */
  BACKDATED_CONTACT_HOURS: z.coerce.number().min(0).default(24),
  /** How old an inquiry registered by a caseworker or coordinator (POST /v1/cases) may say it is, in days. */
  MAX_BACKDATED_DAYS: z.coerce.number().int().min(0).max(366).default(14),
  /**
   * The key of the statistics' company keys (see src/stats/company-key.ts), kept outside the database: the value
   * itself, or a file holding it. Required in production; elsewhere a key file beside the database is made.
   */
  ORG_KEY_SECRET: z.string().min(32).optional(),
  ORG_KEY_FILE: z.string().min(1).optional(),
}).superRefine((c, ctx) => {
  if (c.SMTP_URL && !c.MAIL_FROM) ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'Required when SMTP_URL is set: the sender of the e-mails, e.g. "Exportcentrum <no-reply@region.se>"' });
  if (c.NODE_ENV === 'production' && !c.ORG_KEY_SECRET && !c.ORG_KEY_FILE) {
    ctx.addIssue({
      code: 'custom', path: ['ORG_KEY_SECRET'],
      message: 'ORG_KEY_SECRET or ORG_KEY_FILE is required in production: create a key with `openssl rand -base64 48 > /run/secrets/org-key` ' +
        '(or `npm run -s cli -- org-key generate`) and set ORG_KEY_FILE to that file. Keep it with the secrets, not with the database backups.',
    });
  }
});

type ParsedConfig = z.infer<typeof configSchema>;
export type Config = Omit<ParsedConfig, 'PUBLIC_BASE_URL' | 'API_DOCS'> & { PUBLIC_BASE_URL: string; API_DOCS: boolean };

/** Where this process can be reached when nobody said: HOST and PORT, with a wildcard host read as localhost. */
export function derivedBaseUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/**
 * The settings that depend on others. In production a wrong status link in every e-mail is worse than not
 * starting, so PUBLIC_BASE_URL must be given; elsewhere it follows HOST and PORT.
 */
function resolve(parsed: ParsedConfig): Config | string[] {
  if (parsed.NODE_ENV === 'production' && !parsed.PUBLIC_BASE_URL) {
    return ['PUBLIC_BASE_URL: required when NODE_ENV=production: the https address companies reach the service at, e.g. https://endorrin.region.se (it is the base of every status link)'];
  }
  if (parsed.NODE_ENV === 'production' && !parsed.RESEARCH_PSEUDONYM_SECRET) {
    return ['RESEARCH_PSEUDONYM_SECRET: required when NODE_ENV=production: at least 32 random characters, kept outside the database (the key of the organisation-number pseudonym in the research extract; changing it breaks the link between extracts)'];
  }
  return {
    ...parsed,
    PUBLIC_BASE_URL: parsed.PUBLIC_BASE_URL ?? derivedBaseUrl(parsed.HOST, parsed.PORT),
    API_DOCS: parsed.API_DOCS ?? parsed.NODE_ENV !== 'production',
  };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment-like record; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": docker-compose and shells often pass VAR= for optional values.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in configSchema.shape && value !== undefined && value !== ''),
  );
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const config = resolve(result.data);
  if (Array.isArray(config)) throw new ConfigError(config);
  return config;
}

/** Config for tests and tools: defaults with overrides, never the process environment. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  // Rate limits off: tests post from one address far faster than anyone would; the limit tests turn them on.
  const unlimited = { RATE_LIMIT_ANONYMOUS_PER_MINUTE: 0, RATE_LIMIT_ANONYMOUS_READS_PER_MINUTE: 0, RATE_LIMIT_PER_KEY_PER_MINUTE: 0 };
  return { ...(resolve(configSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })) as Config), ...unlimited, ...overrides };
}
