// `npm run bench`: runs every *.bench.mjs here (or those named on the command line), one
// after another, inside the private mount namespace that scripts/in-private-mount-ns.sh made.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (process.getuid() !== 0) {
  console.error('The benchmarks mount overlays: run them as root (npm run bench).');
  process.exit(1);
}
for (const f of files) {
  console.log(`\n# ${f}`);
  const mod = await import(new URL(f, import.meta.url).href);
  await mod.run();
}
