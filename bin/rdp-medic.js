#!/usr/bin/env node
// Entry point for `npx rdp-medic`. In a checkout it runs the TypeScript sources through tsx,
// so there is no build step to forget; a built image (no src/) runs dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli.ts');
if (existsSync(source)) {
  const { ensureNodeModules } = await import(pathToFileURL(join(root, 'scripts', 'prerequisites.js')).href);
  ensureNodeModules();
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'dist', 'cli.js')).href);
}
