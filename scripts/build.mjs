// npm run build [-- <outDir>]: compiles src/ into dist/ (tsconfig.build.json: dist/server.js is the entry) and copies
// the data files the code reads next to it (reference data, topic knowledge, the pages' assets), so dist/ together
// with package.json, node_modules and migrations/ is everything the service needs: no TypeScript at run time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const outDir = path.resolve(root, process.argv[2] ?? 'dist');

fs.rmSync(outDir, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });

let copied = 0;
for (const file of fs.readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!file.isFile() || file.name.endsWith('.ts')) continue;
  const from = path.join(file.parentPath, file.name);
  const to = path.join(outDir, path.relative(src, from));
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  copied++;
}
console.log(`built ${path.relative(root, outDir) || '.'}: compiled src/ and copied ${copied} data files`);
