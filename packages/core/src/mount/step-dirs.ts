/**
 * The dirs of one build step: a fresh upper and work dir side by side (one filesystem, one
 * mount: the kernel needs that) and a mount target, under one base dir. With
 * `unmount({ cleanWork: true })` afterwards, upper is ready to be the next step's lower.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OvlError, publicError } from '../errors.js';

export interface StepDirs {
  upper: string;
  work: string;
  target: string;
}

/**
 * Make `base`/upper, `base`/work and `base`/merged (and `base` itself), absolute paths out.
 * @throws OvlError ERR_OVL_STEP_DIR_IN_USE when upper or work exists and is not empty.
 */
export async function makeStepDirs(base: string): Promise<StepDirs> {
  if (typeof base !== 'string' || base.length === 0) throw new TypeError('The "base" argument must be a non-empty string path.');
  const root = resolve(base);
  const dirs: StepDirs = { upper: join(root, 'upper'), work: join(root, 'work'), target: join(root, 'merged') };
  for (const [role, dir] of [['upper', dirs.upper], ['work', dirs.work], ['target', dirs.target]] as const) {
    let entries: string[];
    try {
      await mkdir(dir, { recursive: true });
      entries = role === 'target' ? [] : await readdir(dir);
    } catch (e) {
      throw publicError(e, makeStepDirs);
    }
    if (entries.length > 0) {
      throw new OvlError('ERR_OVL_STEP_DIR_IN_USE', `ovl: ${role} '${dir}' is not empty`, {
        path: dir,
        hint: `A step starts from an empty ${role} dir: pick a new base, or empty '${dir}' (after unmount({ cleanWork: true }) the work dir is empty again).`,
      });
    }
  }
  return dirs;
}
