// docs/production.md's configuration examples are valid: every YAML block with a `policy`, `redis` or
// `credentials` section passes that section's schema, so a reader who copies one gets a file that
// loads. README.md links the guide.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { Config } from '../../src/config/schema.ts';

const root = (file: string): string => fileURLToPath(new URL(`../../${file}`, import.meta.url));
const doc = readFileSync(root('docs/production.md'), 'utf8');
const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parse(m[1]!) as Record<string, unknown>);

const SECTIONS = ['policy', 'redis', 'credentials'] as const;

test('every policy, redis and credentials example in docs/production.md is valid', () => {
  const checked: string[] = [];
  for (const block of blocks) {
    for (const key of SECTIONS) {
      if (!(key in block)) continue;
      const result = Config.shape[key].safeParse(block[key]);
      assert.ok(result.success, `${key} example: ${result.success ? '' : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n${JSON.stringify(block[key])}`);
      checked.push(key);
    }
  }
  for (const key of SECTIONS) assert.ok(checked.includes(key), `a ${key} example was checked`);
  assert.ok(checked.filter((k) => k === 'policy').length >= 3, 'the policy examples');
});

test('README.md links docs/production.md', () => {
  assert.match(readFileSync(root('README.md'), 'utf8'), /\]\(docs\/production\.md\)/);
});
