/**
 * What examineAndMount must find before it mounts, written down from the spec alone so that
 * a whole checked mount is one native call (one thread-pool hop). The addon has no policy: it
 * compares what it examined with these plain expectations, mounts only when all hold, and
 * otherwise hands the facts back for checkProbes to judge (and a second call to mount, when
 * checkProbes accepts what the expectations were too strict for).
 *
 * The one rule this file must keep: expectations met ⇒ checkProbes passes on those facts
 * (mount-expectations-property.test.ts, over generated specs and facts, against the addon's
 * own comparison). Check by check:
 * - every path examined, a directory: fileType (and every path opened, always expected);
 * - no layer twice, no layer as the target: distinct inodes across all paths;
 * - upper and work on one mount: sameMount;
 * - placement (nesting) reads real paths: `canonical` pins each real path to the path given,
 *   whose placement is judged here, up front — a spec that fails it gets no expectations;
 * - the work dir empty or a previous work dir: listingOnly the names the kernel leaves;
 * - upper and work not in use by a live overlay: no live overlay's options hold the needles
 *   gatherFacts would parse them for (sharingNeedles), so none is parsed, none refuses.
 */
import type { MountExpectations } from '../binding.js';
import { dirFileType } from '../format/file-types.js';
import { KERNEL_WORK_ENTRIES, placementProblem } from './check-spec.js';
import { sharingNeedles, type Examination } from './gather-facts.js';
import type { NormalizedSpec } from './spec.js';

/**
 * The expectations for a spec, or undefined where none can stand in for checkProbes: the
 * live overlays can only be read from the mount table (before 6.11), or the paths as given
 * are misplaced (checkProbes will say how, from the facts).
 */
export function mountExpectations(spec: NormalizedSpec, exam: Examination): MountExpectations | undefined {
  if (exam.wantOverlays && !exam.magic) return undefined;
  const layers = exam.list.slice(0, -1);
  // The real paths will be what the addon reports, decoded: a lone surrogate reads back as U+FFFD.
  if (placementProblem(layers.map(({ role, path }) => ({ role, path, real: Buffer.from(path).toString() }))) !== undefined) return undefined;
  const expect: MountExpectations = { fileType: dirFileType(), canonical: true, distinct: true };
  const upperIndex = exam.list.findIndex((e) => e.role === 'upper');
  if (upperIndex >= 0 && exam.workIndex >= 0) expect.sameMount = [[upperIndex, exam.workIndex]];
  if (exam.workIndex >= 0) expect.listingOnly = [...KERNEL_WORK_ENTRIES];
  if (exam.wantOverlays) expect.optionsExclude = sharingNeedles([spec.upper, spec.work]);
  return expect;
}
