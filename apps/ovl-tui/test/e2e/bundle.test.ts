// What the build (scripts/build.mjs) must keep true of dist/: the UI bundle's Ink workarounds
// patch the Ink inside the bundle, and what loads from outside it is @ovl/native alone.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

describe('the bundle', () => {
  it("installs the frame cache on the Ink it bundles, with Ink's version known", () => {
    const script = `delete process.env.CI; const m = await import(${JSON.stringify(join(DIST, 'run-app.js'))}); console.log(JSON.stringify({ installed: m.frameCacheInstalled }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ installed: true });
    // ... patched in the bundled copy: nothing looks Ink up in node_modules at run time
    expect(readFileSync(join(DIST, 'run-app.js'), 'utf8')).not.toMatch(/resolve\(\s*["']ink["']\s*\)/);
  });

  it("measures text through bounded caches (Ink's widest-line and measure-text, patched by the build)", () => {
    const text = readFileSync(join(DIST, 'run-app.js'), 'utf8');
    expect(text).toMatch(/=\s*memoized\(widestLine, TEXTS_KEPT\)/);
    expect(text).toMatch(/cache = new BoundedCache\(TEXTS_KEPT\)/);
  });

  it("builds screen rows with a shared blank cell and last frame's row strings (Ink's Output.get, patched by the build)", () => {
    const text = readFileSync(join(DIST, 'run-app.js'), 'utf8');
    expect(text).toMatch(/row\.push\(BLANK_CELL\)/);
    expect(text).toMatch(/\.map\(\(line, y\) => rowString\(line, y, styledCharsToString\)\)/);
  });

  it('imports nothing from node_modules but @ovl/native (core, Ink, React, yoga are inside)', () => {
    const files = ['cli.js', 'run-app.js', ...readdirSync(join(DIST, 'chunks')).map((f) => join('chunks', f))].filter((f) => f.endsWith('.js'));
    const outside = new Set<string>();
    for (const f of files) {
      const text = readFileSync(join(DIST, f), 'utf8');
      for (const m of text.matchAll(/(?:^|\n)\s*import\b[^'"]*?from\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/g)) {
        const spec = m[1] ?? m[2] ?? m[3]!;
        if (!spec.startsWith('.') && !spec.startsWith('node:')) outside.add(spec);
      }
    }
    // react-devtools-core: Ink's optional DEV=true hook (not installed, never loaded otherwise)
    expect([...outside].filter((s) => !['react-devtools-core'].includes(s)).sort()).toEqual([]);
    // and the addon is required at run time, from its own package
    expect(files.some((f) => /\(\s*["']@ovl\/native["']\s*\)/.test(readFileSync(join(DIST, f), 'utf8')))).toBe(true);
  });
});
