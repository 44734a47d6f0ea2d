/**
 * Raw terminal input → key tokens ('j', '<down>', '<f4>', 'C-r'). Pure. Ink's useInput
 * folds F-keys and several others into an empty string, so ovl-tui decodes the sequences
 * Ink's input parser hands over itself.
 */

const CSI_TILDE: Record<string, string> = {
  '1': '<home>', '7': '<home>', '4': '<end>', '8': '<end>', '2': '<insert>', '3': '<delete>', '5': '<pgup>', '6': '<pgdn>',
  '11': '<f1>', '12': '<f2>', '13': '<f3>', '14': '<f4>', '15': '<f5>', '17': '<f6>', '18': '<f7>', '19': '<f8>', '20': '<f9>', '21': '<f10>',
};
const CSI_FINAL: Record<string, string> = { A: '<up>', B: '<down>', C: '<right>', D: '<left>', H: '<home>', F: '<end>', P: '<f1>', Q: '<f2>', R: '<f3>', S: '<f4>', Z: '<s-tab>' };
const CONTROL: Record<string, string> = { '\r': '<enter>', '\n': '<enter>', '\t': '<tab>', '\x7f': '<backspace>', '\b': '<backspace>', '\x1b': '<esc>' };

/** One input event (one escape sequence, or typed/pasted text) → its key tokens. */
export function decodeKeys(seq: string): string[] {
  if (seq.startsWith('\x1b[') || seq.startsWith('\x1bO')) {
    const body = seq.slice(2);
    if (body.startsWith('[') && body.length === 2) return [`<f${'ABCDE'.indexOf(body[1]!) + 1}>`]; // Linux console F1-F5
    const tilde = /^(\d+)(?:;\d+)?~$/.exec(body);
    if (tilde) return [CSI_TILDE[tilde[1]!] ?? '<unknown>'];
    const final = /^(?:1;\d+)?([A-Z])$/.exec(body);
    if (final) return [CSI_FINAL[final[1]!] ?? '<unknown>'];
    return ['<unknown>'];
  }
  if (seq.length === 2 && seq[0] === '\x1b') return [`M-${seq[1]}`];
  const out: string[] = [];
  for (const ch of seq) {
    const code = ch.charCodeAt(0);
    if (CONTROL[ch]) out.push(CONTROL[ch]!);
    else if (code < 0x20) out.push(`C-${String.fromCharCode(code + 0x60)}`);
    else out.push(ch);
  }
  return out;
}

/** A token that types itself into a text prompt. */
export function isPrintable(token: string): boolean {
  return [...token].length === 1 && token >= ' ';
}
