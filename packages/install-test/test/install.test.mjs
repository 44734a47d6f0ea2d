// The packages as someone outside the repo gets them: `npm pack` of each (as scripts/pack.mjs
// makes them), installed into an empty project under a fresh temp dir, by npm, with a PATH
// that has no compiler — and, where no prebuild fits, built from source.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMounting } from '@ovl/test-gate';
import { ROOT, installInto, noCompilerPath, packAll, userEnv } from '../../../scripts/pack-lib.mjs';

let work;
let packs;
let bare;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ovl-install-test-'));
  packs = await packAll(join(work, 'packs'));
  bare = noCompilerPath();
});
afterAll(() => {
  for (const dir of [work, bare]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const noCompiler = () => userEnv({ PATH: bare });

/** Run `node` with `args` in `cwd` under `env`; returns stdout, throws with stderr. */
function node(args, cwd, env) {
  return execFileSync('node', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Which file node-gyp-build loads for the @ovl/native installed at `dir`. */
function addonFile(dir, env) {
  return node(['-p', `require('node-gyp-build').path(${JSON.stringify(dir)})`], dir, env).trim();
}

/** The README's library example: the first js block of "Use it from Node". */
function readmeExample() {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Use it from Node'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("README.md has no js example under 'Use it from Node'");
  return m[1];
}

describe('the packed packages, installed outside the repo', () => {
  it('the native tarball ships the linux-x64 prebuild and the sources to build from, no build dir', () => {
    const files = execFileSync('tar', ['tzf', packs.native], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/prebuilds/linux-x64/@ovl+native.glibc.node');
    expect(files).toEqual(expect.arrayContaining(['package/binding.gyp', 'package/src/js/addon.cc', 'package/index.js', 'package/LICENSE', 'package/README.md']));
    expect(files.filter((f) => f.startsWith('package/build/'))).toEqual([]);
  });

  it('the PATH the installs get has no compiler, make or python3', () => {
    for (const tool of ['g++', 'cc', 'gcc', 'make', 'python3']) {
      expect(spawnSync('sh', ['-c', `command -v ${tool}`], { env: noCompiler() }).status, tool).not.toBe(0);
    }
  });

  let project;
  it('@ovl/core and @ovl/native install into an empty project with no compiler, and load the prebuild', () => {
    project = join(work, 'project');
    installInto(project, [packs.native, packs.core], { env: noCompiler() });
    const native = join(project, 'node_modules/@ovl/native');
    expect(addonFile(native, noCompiler())).toBe(join(native, 'prebuilds/linux-x64/@ovl+native.glibc.node'));
    expect(existsSync(join(native, 'build'))).toBe(false);
    const out = node(['--input-type=module', '-e', "import { sys, OvlError } from '@ovl/core'; console.log(typeof sys.mount, typeof OvlError)"], project, noCompiler());
    expect(out).toBe('function function\n');
  });

  describeMounting('as root', () => {
    it("the README's library example runs there", () => {
      expect(project, 'the install test above ran').toBeDefined();
      writeFileSync(join(project, 'example.mjs'), readmeExample());
      const cwd = join(project, 'article');
      mkdirSync(cwd);
      const out = node([join(project, 'example.mjs')], cwd, noCompiler());
      expect(out).toBe("[ 'delete-me.txt', 'duplicate.txt', 'lower.txt', 'upper.txt' ]\ntrue\n");
    });
  });

  it('npm install -g of the ovl-tui tarball alone gives a working ovl-tui on PATH, with no compiler', () => {
    const prefix = join(work, 'global');
    installInto(prefix, [packs.tui], { global: true, env: noCompiler() });
    const env = userEnv({ PATH: `${join(prefix, 'bin')}:${bare}` });
    const run = (args) => execFileSync('ovl-tui', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(run(['--version'])).toMatch(/^ovl-tui \d+\.\d+\.\d+\n$/);
    // --json on layer dirs goes through @ovl/core into the addon.
    const layers = join(work, 'layers');
    mkdirSync(join(layers, 'lower'), { recursive: true });
    mkdirSync(join(layers, 'upper'));
    writeFileSync(join(layers, 'lower', 'a.txt'), 'a\n');
    writeFileSync(join(layers, 'upper', 'b.txt'), 'b\n');
    const json = JSON.parse(run(['--json', '--lower', join(layers, 'lower'), '--upper', join(layers, 'upper')]));
    expect(json.entries.map((e) => [e.path, e.layer])).toEqual([['/a.txt', 0], ['/b.txt', 'upper']]);
    const native = join(prefix, 'lib/node_modules/ovl-tui/node_modules/@ovl/native');
    expect(addonFile(native, env)).toBe(join(native, 'prebuilds/linux-x64/@ovl+native.glibc.node'));
  });

  it('where no prebuild fits (here: LIBC=musl), installing builds the addon from source with node-gyp', () => {
    const project = join(work, 'musl');
    // npm 11 runs a dependency's install script only when the project allows it. JOBS: make on every core.
    installInto(project, [packs.native], { env: userEnv({ LIBC: 'musl', JOBS: 'max' }), manifest: { allowScripts: { '@ovl/native': true } } });
    const native = join(project, 'node_modules/@ovl/native');
    expect(addonFile(native, userEnv({ LIBC: 'musl' }))).toBe(join(native, 'build/Release/ovl_native.node'));
    expect(node(['-p', "typeof require('@ovl/native').constants.MS_RDONLY"], project, userEnv({ LIBC: 'musl' }))).toBe('number\n');
  });
});
