import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder (the one with package.json), found by walking up from this file. The same code runs
 * from src/ (tsx) and compiled from dist/ (`npm run build`, the container image), at different depths, so files
 * that live beside the code rather than in it (migrations/, openapi/) are found from here, never by counting
 * `../` from a source file. (Data files that belong to a module sit next to it and are copied into dist/ by the build.)
 */
export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}: the service must run from its package folder`);
  }
}
