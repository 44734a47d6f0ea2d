// One layer operation in a fresh process, for the layers bench: prints its time (without
// Node's own start-up) and the process's peak RSS. argv: export <lower> <upper> <out> | apply <tar> <dir>
import { applyLayer, exportLayer } from '@ovl/core';

const [op, ...args] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
if (op === 'export') await exportLayer({ lower: [args[0]], upper: args[1] }, args[2]);
else if (op === 'apply') await applyLayer(args[0], args[1], { as: 'layer' });
else throw new Error(`unknown op ${op}`);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
