import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The pages' own assets (stylesheet, script, icon), served by the service itself: no CDN, no web fonts.
 * Each file is read once at start-up and served under a name carrying a hash of its content
 * (`site.3f2a9c1d.css`), so browsers may keep it for a year (`immutable`): a changed file gets a new
 * name, and the pages (never cached) link the new one.
 */
const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');
const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.svg': 'image/svg+xml' };

export interface Asset { url: string; type: string; body: Buffer; etag: string }

export class Assets {
  private readonly byName = new Map<string, Asset>();
  private readonly byUrl = new Map<string, Asset>();

  constructor(dir = DIR) {
    for (const file of fs.readdirSync(dir).sort()) {
      const ext = path.extname(file);
      const type = TYPES[ext];
      if (!type) continue;
      const body = fs.readFileSync(path.join(dir, file));
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      const asset = { url: `/assets/${path.basename(file, ext)}.${hash}${ext}`, type, body, etag: `"${hash}"` };
      this.byName.set(file, asset);
      this.byUrl.set(asset.url, asset);
    }
  }

  /** The fingerprinted URL of a file in src/pages/assets/. */
  url(file: string): string {
    const asset = this.byName.get(file);
    if (!asset) throw new Error(`No asset ${file}`);
    return asset.url;
  }

  routes(app: FastifyInstance): void {
    app.get('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
      const asset = this.byUrl.get(`/assets/${(request.params as { file: string }).file}`);
      if (!asset) return reply.callNotFound();
      reply
        .type(asset.type)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .header('etag', asset.etag)
        // Stylesheets, scripts and icons are loaded by the pages, also when a region frames the form.
        .header('cross-origin-resource-policy', 'same-origin');
      if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
      return reply.send(asset.body);
    });
  }
}
