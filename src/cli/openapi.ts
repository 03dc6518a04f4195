import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../app.js';
import { testConfig } from '../config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { PACKAGE_ROOT } from '../shared/package-root.js';
import { addExamples, readExamples } from '../plugins/openapi-examples.js';

/**
 * Generates the OpenAPI document from the routes (on a throwaway in-memory database), with the examples recorded
 * in openapi/examples.json (`npm run openapi:examples` re-records them), and writes it to openapi/openapi.json
 * (--write) or fails when the committed file differs (--check).
 */
export const OPENAPI_FILE = path.join(PACKAGE_ROOT, 'openapi', 'openapi.json');

export async function generateOpenApi(): Promise<string> {
  const db = openDatabase(':memory:');
  migrateDatabase(db);
  const app = await buildApp({ config: testConfig({ STATUS_LINK_SECRET: 'x'.repeat(32) }), db });
  await app.ready();
  const document = app.swagger() as Record<string, unknown>;
  await app.close();
  db.$client.close();
  const { missing } = addExamples(document, readExamples());
  if (missing.length > 0) console.warn(`openapi/examples.json has no examples for ${missing.join(', ')}: add them to scripts/record-openapi-examples.ts and run \`npm run openapi:examples\``);
  return `${JSON.stringify(document, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const generated = await generateOpenApi();
  if (process.argv.includes('--write')) {
    fs.mkdirSync(path.dirname(OPENAPI_FILE), { recursive: true });
    fs.writeFileSync(OPENAPI_FILE, generated);
    console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
  } else {
    const committed = fs.existsSync(OPENAPI_FILE) ? fs.readFileSync(OPENAPI_FILE, 'utf8') : '';
    if (committed !== generated) {
      console.error('openapi/openapi.json is out of date with the routes: run `npm run openapi:generate` and commit it.');
      process.exit(1);
    }
    console.log('openapi/openapi.json is up to date');
  }
}
