// Packing the three packages and installing them outside the repo, shared by scripts/pack.mjs, the install tests and the install bench.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Quiet, offline-first npm flags for installs that must not touch the user's config or audit. */
export const NPM_QUIET = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

function npm(args, cwd, env = userEnv()) {
  return execFileSync('npm', args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `npm pack` of one dir into `dest`; returns the tarball's absolute path (npm prints its name last). */
function pack(dir, dest) {
  const out = npm(['pack', '--pack-destination', dest, '--loglevel=error'], dir).trim().split('\n');
  return join(dest, out[out.length - 1]);
}

/**
 * Packs @ovl/native (prebuild included), @ovl/core and ovl-tui (both bundled) into `dest`.
 * The workspaces must be built (`npm run build`): core's and the app's dist/ are packed as they are.
 */
export async function packAll(dest) {
  dest = resolve(dest);
  mkdirSync(dest, { recursive: true });
  const native = pack(join(ROOT, 'native'), dest);
  const core = pack(join(ROOT, 'packages/core'), dest);
  const stage = mkdtempSync(join(dest, '.stage-'));
  try {
    // The app's own files, exactly as npm packs them (`files`), then its bundled deps beside them.
    const app = pack(join(ROOT, 'apps/ovl-tui'), stage);
    execFileSync('tar', ['xzf', app, '-C', stage]);
    const pkg = join(stage, 'package');
    const manifestFile = join(pkg, 'package.json');
    const manifestText = readFileSync(manifestFile, 'utf8');
    const manifest = JSON.parse(manifestText);
    // Only the bundled packages go into the staging tree (the rest, ink and react, npm
    // installs wherever ovl-tui is installed); the manifest is put back as packed before
    // packing. --ignore-scripts: the addon comes prebuilt in the native tarball.
    const only = Object.fromEntries(manifest.bundleDependencies.map((name) => [name, manifest.dependencies[name]]));
    writeFileSync(manifestFile, JSON.stringify({ ...manifest, dependencies: only, devDependencies: {} }));
    npm(['install', '--no-save', '--ignore-scripts', ...NPM_QUIET, native, core], pkg);
    writeFileSync(manifestFile, manifestText);
    return { native, core, tui: pack(pkg, dest) };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * The environment of a user's shell: none of the npm_* variables of the `npm run` that
 * started us (they describe this repo and would steer a child npm), except
 * npm_config_nodedir, where scripts/node-matrix.sh points node-gyp at the headers that come
 * with each Node it runs.
 */
export function userEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || k === 'npm_config_nodedir'));
  delete env.INIT_CWD;
  return { ...env, ...extra };
}

/** A new dir holding only node, npm, npx and sh (those on PATH now): a PATH with no g++, cc, make or python3. */
export function noCompilerPath() {
  const dir = mkdtempSync(join(tmpdir(), 'ovl-no-compiler-'));
  for (const tool of ['node', 'npm', 'npx', 'sh']) {
    const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
    symlinkSync(realpathSync(found), join(dir, tool));
  }
  return dir;
}

/**
 * `npm install` of `specs` (tarball paths) into `dir`, a project outside the repo (made with
 * a bare package.json plus `manifest` when it has none). `global`: `npm install -g` with
 * `dir` as the prefix. Returns npm's output; throws with it when npm fails.
 */
export function installInto(dir, specs, { env = userEnv(), global = false, manifest = {} } = {}) {
  mkdirSync(dir, { recursive: true });
  if (!global && !existsSync(join(dir, 'package.json'))) {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ovl-install-check', version: '1.0.0', private: true, type: 'module', ...manifest }));
  }
  const where = global ? ['-g', '--prefix', dir] : [];
  const r = spawnSync('npm', ['install', ...where, ...NPM_QUIET, ...specs], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install ${specs.join(' ')} in ${dir} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}
