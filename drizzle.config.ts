import { defineConfig } from 'drizzle-kit';

// Only used by `npm run db:generate`: the service applies the committed SQL in migrations/ itself.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema/index.ts',
  out: './migrations',
});
