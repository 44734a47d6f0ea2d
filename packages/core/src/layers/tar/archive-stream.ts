/**
 * A layer archive's bytes as a stream, gunzipped when `gzip`. A gzip stream that zlib cannot
 * decode is the archive's fault, not ours: its errors come out as the tar reader's own codes
 * (ERR_OVL_TAR_TRUNCATED for a stream cut short, ERR_OVL_TAR_CORRUPT for the rest: a bad
 * method byte, a bad CRC, ...), never as an unexplained zlib error.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { OvlError } from '../../errors.js';

export async function* archiveStream(path: string, gzip: boolean): AsyncGenerator<Buffer> {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!gzip) {
    yield* file;
    return;
  }
  const gunzip = createGunzip();
  file.on('error', (e) => gunzip.destroy(e));
  try {
    yield* file.pipe(gunzip);
  } catch (e) {
    throw gzipFailure(e, path);
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

function gzipFailure(e: unknown, path: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('Z_')) return e; // the file's own read error
  const message = (e as Error).message;
  if (code === 'Z_BUF_ERROR') {
    return new OvlError('ERR_OVL_TAR_TRUNCATED', `ovl: the gzip stream of '${path}' ends early (${message})`, {
      path,
      hint: 'The file was cut short (an interrupted download or copy); nothing was written.',
    });
  }
  return new OvlError('ERR_OVL_TAR_CORRUPT', `ovl: the gzip stream of '${path}' is corrupt (${message})`, {
    path,
    hint: 'The file starts like gzip but does not decode as gzip: it was damaged; nothing was written.',
  });
}
