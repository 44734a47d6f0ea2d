#!/usr/bin/env node
// Reads the reports of a sanitizer run and fails when one of them is about our addon:
//   check-reports.mjs asan DIR      ASan/LSan/UBSan logs (log_path=DIR/...) of `npm run test:asan`
//   check-reports.mjs valgrind DIR  memcheck logs (--log-file=DIR/vg.%p) of `npm run test:valgrind`
// An error (invalid access, uninitialised value, bad free, UBSan) is ours when a frame of its
// stack lies in ovl_native.node; ASan and UBSan errors fail the run whoever they name. A leak is
// ours when the memory was asked for by our addon: the first frame that is not the allocator,
// the C++ runtime, libc or a napi_* entry point of Node lies in ovl_native.node (a
// napi_create_reference we never delete counts as ours; V8's write-barrier allocations made
// during our napi_create_function count as V8's). README.md next to this file says why this is
// a filter and not (only) a suppression file.
import fs from 'node:fs';
import path from 'node:path';

const [tool, dir] = process.argv.slice(2);
if ((tool !== 'asan' && tool !== 'valgrind') || !dir) throw new Error('usage: check-reports.mjs asan|valgrind <log dir>');

const runtimeFrame = /libasan|libsanitizer|vgpreload|libstdc\+\+|libc\.so|\b(?:in|0x[0-9A-F]+:) (?:napi_|node_api_)/;
const ourFrame = /ovl_native\.node|\.\.\/src\/(?:js|sys)\/|node-addon-api/;
const frameLine = /^\s+(?:#\d+ |(?:at|by) 0x)/;

/** True when the leak's allocation was asked for by our addon. */
function askedForByUs(frames) {
  const asker = frames.slice(1).find((frame) => !runtimeFrame.test(frame));
  return asker !== undefined && ourFrame.test(asker);
}

const headLine = new RegExp(
  [
    '(?:Direct|Indirect) leak of', 'are (?:definitely|indirectly) lost', 'ERROR: AddressSanitizer: ', 'runtime error: ',
    '^(?:Invalid (?:read|write|free)|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument \'.*\' of function)',
  ].join('|'),
);

/**
 * Records of one log: a record starts at its headline and takes every stack frame up to the
 * next headline, suppression block or summary (valgrind prints a second stack, where the block
 * was allocated, under an invalid access: an error is ours when any of them is).
 */
function records(text) {
  if (tool === 'valgrind') text = text.replace(/^==\d+== ?/gm, '');
  const out = [];
  let current;
  for (const line of text.split('\n')) {
    if (headLine.test(line)) {
      const leak = /leak of|lost/.test(line);
      const bytes = Number(/([\d,]+) byte/.exec(line)?.[1]?.replaceAll(',', '') ?? 0);
      current = { kind: leak ? 'leak' : 'error', fatal: /AddressSanitizer|runtime error/.test(line), bytes, lines: [line], frames: [] };
      out.push(current);
    } else if (/^[{]|SUMMARY/.test(line)) {
      current = undefined;
    } else if (current) {
      current.lines.push(line);
      if (frameLine.test(line)) current.frames.push(line);
    }
  }
  return out.map((r) => ({ ...r, text: r.lines.join('\n').trim() }));
}

let ours = 0;
let oursBytes = 0;
const others = { error: 0, leak: 0, bytes: 0 };
const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
for (const file of files) {
  for (const r of records(fs.readFileSync(file, 'utf8'))) {
    const mine = r.fatal || (r.kind === 'leak' ? askedForByUs(r.frames) : r.frames.some((f) => ourFrame.test(f)));
    if (mine) {
      ours += 1;
      if (r.kind === 'leak') oursBytes += r.bytes;
      console.error(`--- ${file}: ${r.kind === 'leak' ? 'memory our addon allocated and lost' : 'an error'}\n${r.text}\n`);
    } else {
      others[r.kind] += 1;
      if (r.kind === 'leak') others.bytes += r.bytes;
    }
  }
}
console.log(
  `${tool}: ${files.length} log file(s); ${ours} report(s) about ovl_native (${oursBytes} bytes lost); ` +
    `not ours, not failing: ${others.error} error(s) and ${others.leak} leak record(s) of ${others.bytes} bytes in Node/V8/other addons`,
);
process.exit(ours > 0 ? 1 : 0);
