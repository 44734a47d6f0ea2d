// Installing the packed packages (@ovl/native + @ovl/core, as `npm run tarballs` makes them)
// into an empty project outside the repo, as a user would: with the prebuilt addon the
// package ships (no compiler on PATH) against forcing a build from source
// (npm_config_build_from_source=true, the install script allowed), which is what every
// install cost before the prebuild, and what a machine no prebuild fits still pays.
// Rounds interleave the two so machine load hits both alike.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { installInto, noCompilerPath, packAll, userEnv } from '../scripts/pack-lib.mjs';
import { fmt, median, printTable } from './lib/stats.mjs';

const ROUNDS = Number(process.env.OVL_BENCH_INSTALL_ROUNDS ?? 3);

export async function run() {
  const base = mkdtempSync(join(tmpdir(), 'ovl-bench-install-'));
  const bare = noCompilerPath();
  try {
    const packs = await packAll(join(base, 'packs'));
    const ways = {
      prebuild: { env: userEnv({ PATH: bare }), built: false },
      'from source': { env: userEnv({ npm_config_build_from_source: 'true' }), manifest: { allowScripts: { '@ovl/native': true } }, built: true },
    };
    const times = Object.fromEntries(Object.keys(ways).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, way] of Object.entries(ways)) {
        const dir = join(base, `${name.replace(' ', '-')}-${round}`);
        const t0 = process.hrtime.bigint();
        installInto(dir, [packs.native, packs.core], way);
        times[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
        // The figure means nothing if the install took the other path.
        if (existsSync(join(dir, 'node_modules/@ovl/native/build/Release/ovl_native.node')) !== way.built) {
          throw new Error(`install '${name}' ${way.built ? 'did not build' : 'built'} the addon`);
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const pre = median(times.prebuild);
    const src = median(times['from source']);
    printTable(
      ['npm install of the two tarballs', 'median ms', 'runs (ms)'],
      Object.entries(times).map(([name, xs]) => [name, fmt(median(xs), 0), xs.map((x) => fmt(x, 0)).join(' ')]),
    );
    console.log(`from source / prebuild: ${fmt(src / pre, 1)}x   (load average ${loadavg().map((x) => fmt(x, 2)).join(' ')})`);
  } finally {
    rmSync(base, { recursive: true, force: true });
    rmSync(bare, { recursive: true, force: true });
  }
}
