import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.js';
import { migrateDatabase, openDatabase, type Db } from '../db/client.js';
import { loadKnowledge } from '../classification/knowledge.js';
import { seedReferenceData } from '../reference/seed.js';
import { ReferenceService } from '../reference/service.js';
import { createReferenceRepository } from '../reference/repository.js';
import { Places } from '../reference/places.js';
import { createApiKeyRepository } from '../auth/repository.js';
import { createApiKeyService, ROLES, type ApiKeyView, type Role } from '../auth/service.js';
import { ProblemError } from '../shared/problems.js';
import { systemClock } from '../shared/clock.js';
import { createAuditLog } from '../audit/service.js';
import { generateOrgKey } from '../stats/company-key.js';
import { openStatsProjection } from '../stats/open.js';
import { rebuild } from '../stats/rebuild.js';

/**
 * Admin commands on the database named by DATABASE_PATH (the same one the server uses; safe while it runs).
 *
 *   npm run cli -- api-keys create --role <role> [--actor <id>] [--county <code>...] [--all-counties] --label <text>
 *   npm run cli -- api-keys list [--include-revoked]
 *   npm run cli -- api-keys revoke <id>
 *
 *   npm run cli -- org-key generate      a new key for ORG_KEY_SECRET / ORG_KEY_FILE, alone on its line
 *   npm run cli -- stats rebuild         derive the statistics again from the inquiries and their history
 *
 * `create` prints the new token alone on the last line of its output, so a script can take it with `tail -n 1`.
 */
const USAGE = `Usage:
  npm run cli -- api-keys create --role <${ROLES.join('|')}> [--actor <id>] [--county <code>...] [--all-counties] --label <text>
  npm run cli -- api-keys list [--include-revoked]
  npm run cli -- api-keys revoke <id>
  npm run cli -- import <file.ndjson>
  npm run cli -- backup <file>
  npm run cli -- routing export-labels --since <YYYY-MM-DD> [--out <file.jsonl>]
  npm run cli -- org-key generate          (e.g. npm run -s cli -- org-key generate > /run/secrets/org-key)
  npm run cli -- stats rebuild`;

class UsageError extends Error {}

function openServices(): { db: Db; apiKeys: ReturnType<typeof createApiKeyService> } {
  const config = loadConfig();
  const db = openDatabase(config.DATABASE_PATH);
  migrateDatabase(db);
  // The first key is often created before the server ever started: make sure the actors exist.
  const knowledge = loadKnowledge();
  seedReferenceData(db, knowledge);
  const reference = new ReferenceService(createReferenceRepository(db), new Places(), knowledge);
  const audit = createAuditLog({ db, clock: systemClock });
  return { db, apiKeys: createApiKeyService({ repository: createApiKeyRepository(db), reference, clock: systemClock, audit }) };
}

function describe(key: ApiKeyView): string {
  const scope = [
    key.actorId ? `actor ${key.actorId}` : null,
    key.counties ? `counties ${key.counties.join(',')}` : key.role === 'coordinator' ? 'all counties' : null,
  ].filter(Boolean).join(', ');
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : `last used ${key.lastUsedAt ?? 'never'}`;
  return `${key.id}  ${key.role.padEnd(11)} ${JSON.stringify(key.label)}${scope ? `  (${scope})` : ''}  created ${key.createdAt}  ${state}`;
}

export function run(argv: string[], out: (line: string) => void = console.log): void {
  const [group, command, ...rest] = argv;
  if (group === 'org-key' && command === 'generate' && rest.length === 0) {
    // Printed, not stored: the key belongs outside the database (ORG_KEY_FILE or ORG_KEY_SECRET).
    out(generateOrgKey());
    return;
  }
  if (group === 'stats' && command === 'rebuild' && rest.length === 0) {
    const config = loadConfig();
    const db = openDatabase(config.DATABASE_PATH);
    try {
      migrateDatabase(db);
      const { projection } = openStatsProjection(db, config, out);
      out(`Rebuilt the statistics from ${rebuild(projection, 'facts')} inquiries and their history.`);
    } finally {
      db.$client.close();
    }
    return;
  }
  if (group !== 'api-keys' || !command) throw new UsageError(USAGE);

  if (command === 'create') {
    const { values, positionals } = parseArgs({
      args: rest, allowPositionals: true, strict: true,
      options: {
        role: { type: 'string' }, actor: { type: 'string' }, county: { type: 'string', multiple: true },
        'all-counties': { type: 'boolean' }, label: { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`Unexpected argument ${positionals[0]}\n${USAGE}`);
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
    if (!values.label) throw new UsageError(`--label is required: say whose key this is\n${USAGE}`);
    const { db, apiKeys } = openServices();
    try {
      const { key, token } = apiKeys.create({
        role: values.role as Role, label: values.label, actorId: values.actor,
        counties: values.county?.flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean),
        allCounties: values['all-counties'],
      }, 'cli');
      out(`Created ${describe(key)}`);
      out('The token follows on the last line. It is shown only now: store it in a secret store.');
      out(token);
    } finally {
      db.$client.close();
    }
    return;
  }

  if (command === 'list') {
    const { values } = parseArgs({ args: rest, strict: true, options: { 'include-revoked': { type: 'boolean' } } });
    const { db, apiKeys } = openServices();
    try {
      const keys = apiKeys.list({ includeRevoked: values['include-revoked'] ?? false });
      if (keys.length === 0) out('No API keys.');
      for (const key of keys) out(describe(key));
    } finally {
      db.$client.close();
    }
    return;
  }

  if (command === 'revoke') {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true, options: {} });
    if (positionals.length !== 1) throw new UsageError(`revoke takes one key id\n${USAGE}`);
    const { db, apiKeys } = openServices();
    try {
      // The command line can always create a new admin key, so it may revoke the last one.
      const key = apiKeys.revoke(positionals[0]!, 'cli', { allowLastAdmin: true });
      out(`Revoked ${describe(key)}`);
    } finally {
      db.$client.close();
    }
    return;
  }

  throw new UsageError(`Unknown command "${command}"\n${USAGE}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  // npm run cli -- import <file.ndjson>: historical cases (src/import/cli.ts), streamed, so asynchronous.
  if (process.argv[2] === 'import') process.exitCode = await (await import('../import/cli.js')).runImportCli(process.argv.slice(3));
  // npm run cli -- backup <file>: a consistent online copy while the service runs (src/cli/backup.ts).
  else if (process.argv[2] === 'backup') process.exitCode = await (await import('./backup.js')).runBackup(process.argv.slice(3));
  // npm run cli -- routing export-labels --since <date>: corrections from operations as corpus lines (src/routing/cli.ts).
  else if (process.argv[2] === 'routing') process.exitCode = (await import('../routing/cli.js')).runRoutingCli(process.argv.slice(3));
  else try {
    run(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(64); // EX_USAGE
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    if (error instanceof ProblemError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exit(error instanceof ProblemError ? 1 : 64);
    }
    throw error;
  }
}
