#!/usr/bin/env node
// Reads the reports ASan, LSan and UBSan wrote (log_path=DIR/asan) during `npm run test:asan`
// and fails when one of them is about our addon; see README.md next to this file for why leaks
// are filtered here instead of suppressed. Any ASan error or UBSan runtime error fails the run
// whoever it names (the process has already aborted on it). A leak fails it when the memory was
// asked for by ovl_native.node: the first frame of its stack that is not the allocator, the C++
// runtime, libc or a napi_* entry point of Node lies in our addon. V8's own allocations made
// while our code calls into it (write barriers, maps) therefore count as V8's.
import fs from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: check-asan-logs.mjs <log dir>');

const runtimeFrame = /libasan|libstdc\+\+|libc\.so|libsanitizer|\bin (?:napi_|node_api_)/;
const ourFrame = /ovl_native\.node|\.\.\/src\/(?:js|sys)\/|node-addon-api/;

/** True when the leak's allocation was asked for by our addon. */
function askedForByUs(record) {
  const frames = record.split('\n').filter((line) => /^\s+#\d+ /.test(line));
  const asker = frames.slice(1).find((frame) => !runtimeFrame.test(frame));
  return asker !== undefined && ourFrame.test(asker);
}

let failures = 0;
let otherLeaks = 0;
let otherBytes = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];

for (const file of files) {
  const text = fs.readFileSync(file, 'utf8');
  const errors = text.match(/ERROR: AddressSanitizer: .*|runtime error: .*/g) ?? [];
  if (errors.length > 0) {
    failures += errors.length;
    console.error(`--- ${file}: ${errors.join('; ')}\n${text}`);
  }
  for (const record of text.split(/\n(?=(?:Direct|Indirect) leak of )/).slice(1)) {
    const body = record.split(/\n\s*\n/)[0] ?? record;
    if (askedForByUs(body)) {
      failures += 1;
      console.error(`--- ${file}: memory our addon allocated and lost\n${body}\n`);
    } else {
      otherLeaks += 1;
      otherBytes += Number(/leak of (\d+) byte/.exec(body)?.[1] ?? 0);
    }
  }
}

console.log(
  `sanitizer reports: ${files.length} log file(s); ${failures} about ovl_native (errors or leaks); ` +
    `${otherLeaks} leak record(s), ${otherBytes} bytes, allocated by Node/V8/other addons (not failing)`,
);
process.exit(failures > 0 ? 1 : 0);
