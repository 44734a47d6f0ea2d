// Builds dist/ with esbuild: the app and its dependencies (Ink, React, yoga, @ovl/core, ...)
// bundled into a few files, because loading Ink unbundled costs 480-600 ms of module loading
// (hundreds of small ESM files) before the first frame; bundled, node reads and compiles a
// couple of files. @ovl/core is bundled too: importing it from its ~40 files took a median
// 93 ms against 32 ms for its bundled chunk (11 runs each, alternated, load average 12 on 2
// cores). What stays outside: @ovl/native (its .node file loads from its own package: core
// requires it at run time, so it must be resolvable from dist/) and react-devtools-core (Ink
// loads it only with DEV=true; not installed).
//
// Entry points: dist/cli.js (the `ovl-tui` command) and dist/run-app.js (the full-screen app,
// loaded by the CLI only when it opens the UI, so --help, --version and --json never load
// Ink). Code both need lands in a shared chunk. Types are checked by `npm test` (tsc), not here.
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));

/**
 * The bundled Ink's own files for src/terminal/ink-compat/ink-files.ts: imported statically
 * by path, so the frame cache patches the Output class the bundled Ink renders with (the
 * same file, so the same module in the bundle), and the version is the bundled Ink's.
 */
const inkBuildDir = dirname(require.resolve('ink'));
const inkFilesInBundle = `
import * as output from ${JSON.stringify(join(inkBuildDir, 'output.js'))};
import * as reconciler from ${JSON.stringify(join(inkBuildDir, 'reconciler.js'))};
export const inkVersion = () => ${JSON.stringify(JSON.parse(readFileSync(join(inkBuildDir, '..', 'package.json'), 'utf8')).version)};
export const loadInkOutput = async () => output;
export const loadInkReconciler = async () => reconciler;
`;
const inkFilesPlugin = {
  name: 'ink-files',
  setup(b) {
    b.onLoad({ filter: /[/\\]terminal[/\\]ink-compat[/\\]ink-files\.ts$/ }, () => ({ contents: inkFilesInBundle, loader: 'js', resolveDir: inkBuildDir }));
  },
};

/** `text` with `from` replaced by `to`, where `from` occurs exactly once (else the build fails: a changed dependency is looked at). */
function replaceOnce(text, from, to, file) {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`build: expected ${JSON.stringify(from.slice(0, 60))} once in ${file}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/**
 * yoga-layout (Ink's layout engine) ships its wasm as a base64 data: URL and, in Node, loads
 * it with fetch(): the first fetch() loads undici, node's HTTP client, about 100 ms of a
 * 300 ms start budget on the development machine under load. Emscripten's loader takes the
 * bytes as `wasmBinary` instead: decoded with Buffer (native), no fetch. The wasm is the
 * same; only how its bytes reach WebAssembly.instantiate changes.
 */
const DATA_URL = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/;
const yogaWithoutFetchPlugin = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /[/\\]yoga-layout[/\\]dist[/\\]binaries[/\\]yoga-wasm-base64-esm\.js$/ }, ({ path }) => {
      let text = readFileSync(path, 'utf8');
      const wasm = DATA_URL.exec(text);
      if (!wasm) throw new Error(`build: no base64 wasm in ${path}`);
      text = replaceOnce(text, wasm[0], '"data:application/octet-stream;base64," + __ovlYogaWasm', path);
      text = replaceOnce(text, 'loadYoga = loadYoga || {};', "loadYoga = loadYoga || {}; loadYoga.wasmBinary ??= Buffer.from(__ovlYogaWasm, 'base64');", path);
      return { contents: `const __ovlYogaWasm = ${JSON.stringify(wasm[1])};\n${text}`, loader: 'js' };
    });
  },
};

/**
 * Ink measures text every frame: each text's widest line (`widest-line`, uncached) and each
 * laid-out text's size (measure-text.js, in a Map that only grows). Both get a bounded cache of
 * recent texts (src/terminal/ink-compat/bounded-cache.ts says why); what they compute is unchanged.
 */
const boundedCache = JSON.stringify(join(root, 'src/terminal/ink-compat/bounded-cache.ts'));
const inkMeasureCachePlugin = {
  name: 'ink-measure-cache',
  setup(b) {
    b.onLoad({ filter: /[/\\]widest-line[/\\]index\.js$/ }, ({ path }) => {
      const text = replaceOnce(readFileSync(path, 'utf8'), 'export default function widestLine(', 'function widestLine(', path);
      return { contents: `import { memoized, TEXTS_KEPT } from ${boundedCache};\n${text}\nexport default memoized(widestLine, TEXTS_KEPT);\n`, loader: 'js', resolveDir: dirname(path) };
    });
    b.onLoad({ filter: /[/\\]ink[/\\]build[/\\]measure-text\.js$/ }, ({ path }) => {
      const text = replaceOnce(readFileSync(path, 'utf8'), 'const cache = new Map();', 'const cache = new BoundedCache(TEXTS_KEPT);', path);
      return { contents: `import { BoundedCache, TEXTS_KEPT } from ${boundedCache};\n${text}`, loader: 'js', resolveDir: dirname(path) };
    });
  },
};

/**
 * Ink's Output.get: one shared blank cell instead of a fresh object per screen cell per frame,
 * and each row's string reused while the row holds the same cells as a frame ago
 * (src/terminal/ink-compat/output-rows.ts says why). What it writes out is unchanged.
 */
const outputRows = JSON.stringify(join(root, 'src/terminal/ink-compat/output-rows.ts'));
const inkOutputRowsPlugin = {
  name: 'ink-output-rows',
  setup(b) {
    b.onLoad({ filter: /[/\\]ink[/\\]build[/\\]output\.js$/ }, ({ path }) => {
      let text = readFileSync(path, 'utf8');
      text = replaceOnce(text, `row.push({
                    type: 'char',
                    value: ' ',
                    fullWidth: false,
                    styles: [],
                });`, 'row.push(BLANK_CELL);', path);
      text = replaceOnce(text, `.map(line => {
            // See https://github.com/vadimdemedes/ink/pull/564#issuecomment-1637022742
            const lineWithoutEmptyItems = line.filter(item => item !== undefined);
            return styledCharsToString(lineWithoutEmptyItems).trimEnd();
        })`, '.map((line, y) => rowString(line, y, styledCharsToString))', path);
      return { contents: `import { BLANK_CELL, rowString } from ${outputRows};\n${text}`, loader: 'js', resolveDir: dirname(path) };
    });
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { cli: 'src/cli.ts', 'run-app': 'src/run-app.tsx' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  jsx: 'automatic',
  external: ['@ovl/native', 'react-devtools-core'],
  // React's and the reconciler's production builds (terminal/runtime.ts says why), chosen
  // here once instead of by NODE_ENV at run time: the development builds are not shipped.
  define: { 'process.env.NODE_ENV': '"production"' },
  // CommonJS dependencies (react, the reconciler, signal-exit) call require() for node's own
  // modules; an ES module has no require of its own.
  banner: { js: "import { createRequire as __ovlCreateRequire } from 'node:module'; const require = __ovlCreateRequire(import.meta.url);" },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
  plugins: [inkFilesPlugin, yogaWithoutFetchPlugin, inkMeasureCachePlugin, inkOutputRowsPlugin],
});
chmodSync(join(root, 'dist', 'cli.js'), 0o755);
if (process.argv.includes('--analyze')) console.log(await (await import('esbuild')).analyzeMetafile(result.metafile));
