/**
 * The rule a one-call mount rests on, as a property (fast-check): whenever the addon finds
 * the expectations mountExpectations wrote for a spec met, checkProbes accepts those same
 * facts — so examineAndMount never mounts what checkProbes would have refused. The
 * comparison is the addon's own (checkExpectations: the code examineAndMount runs), and the
 * facts go through factsFrom as in a mount, with a mount table that must never be read
 * (examineAndMount's expectations stand for the overlays it listed itself). Specs and facts
 * are drawn to collide: a few path names (with bytes mount options escape) so that layers
 * nest, repeat and share; inode numbers, devices and mount ids from small sets; listings and
 * live overlays' options that sometimes name our dirs, or an upper dir relative to its home.
 * Pure: no root, no mount. Seeds and replay: support/property.ts.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { binding, type ExaminedPaths, type MountOfType, type PathProbe } from '../src/binding.js';
import { sys } from '../src/index.js';
import { checkProbes, KERNEL_WORK_ENTRIES } from '../src/mount/check-spec.js';
import { examinationOf, factsFrom, type Examination } from '../src/mount/gather-facts.js';
import { mountExpectations } from '../src/mount/mount-expectations.js';
import { normalizeSpec, type NormalizedSpec } from '../src/mount/spec.js';
import { propertyParams } from './support/property.js';

const DIR = sys.constants.S_IFDIR | 0o755;
const FILE = sys.constants.S_IFREG | 0o644;
const MAGIC = sys.constants.OVERLAYFS_SUPER_MAGIC;

const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'c', 'up', 'work', 'é') },
  { weight: 1, arbitrary: fc.constantFrom('a b', 'x,y', 'k\\l', '\uD800', 'upperdir=') },
);
const absPath = fc.oneof({ weight: 1, arbitrary: fc.constant('/') }, { weight: 12, arbitrary: fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => `/${s.join('/')}`) });

const specArb = fc
  .record({
    lower: fc.array(absPath, { minLength: 1, maxLength: 3 }),
    data: fc.array(absPath, { maxLength: 1 }),
    upperWork: fc.option(fc.tuple(absPath, absPath), { nil: undefined, freq: 4 }),
    target: absPath,
    allowInUse: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), // mostly false: the live overlays matter
  })
  .map(({ upperWork, ...s }) => normalizeSpec({ ...s, ...(upperWork ? { upper: upperWork[0], work: upperWork[1] } : {}) }, '/'));

/** What the addon reports for a path opened without a symlink: the path, as UTF-8 read back. */
const asReported = (p: string): string => Buffer.from(p).toString();

/** A probe: mostly what a plain dir of its own would give, sometimes anything from small sets. */
function probeArb(path: string, i: number): fc.Arbitrary<PathProbe> {
  const truthful: PathProbe = { errno: 0, mode: DIR, devMajor: 8, devMinor: 1, ino: BigInt(100 + i), mountId: 1, realpath: asReported(path) };
  const changed = fc.record({
    errno: fc.constantFrom(0, 0, 0, 2, 13),
    mode: fc.constantFrom(DIR, DIR, FILE),
    devMinor: fc.constantFrom(1, 1, 2),
    ino: fc.constantFrom(BigInt(100 + i), 100n, 101n, 102n),
    mountId: fc.constantFrom(1, 1, 2),
    realpath: fc.oneof(fc.constant(asReported(path)), absPath),
  }).map((c): PathProbe => (c.errno !== 0 ? { errno: c.errno } : { ...truthful, ...c }));
  return fc.oneof({ weight: 6, arbitrary: fc.constant(truthful) }, { weight: 1, arbitrary: changed });
}

/** Options of a live overlay: its layers drawn from our own paths and others, sometimes relative to its home. */
function optionsArb(spec: NormalizedSpec): fc.Arbitrary<string> {
  const ours = [spec.upper, spec.work, ...spec.lower].filter((p): p is string => p !== undefined);
  const dirArb = fc.oneof(
    { weight: 2, arbitrary: absPath },
    { weight: 3, arbitrary: fc.constantFrom(...ours) },
    // Relative to the overlay's home, two levels above its mount point /m<i>: '/' here, so 'a/b' is /a/b.
    { weight: 2, arbitrary: fc.constantFrom('abc/diff', 'l/ABC', ...ours.filter((p) => p !== '/').map((p) => p.slice(1))) },
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 8, arbitrary: fc.tuple(dirArb, fc.option(fc.tuple(dirArb, dirArb), { nil: undefined })).map(([l, uw]) => `lowerdir=${l}${uw ? `,upperdir=${uw[0]},workdir=${uw[1]}` : ''}`) },
  );
}

function foundArb(spec: NormalizedSpec, exam: Examination): fc.Arbitrary<ExaminedPaths> {
  const mount = (options: string, i: number): MountOfType => ({ mountId: 50 + i, uniqueMountId: 2 ** 31 + i, mountPoint: `/m${i}`, options, readonly: false });
  return fc
    .record({
      probes: fc.tuple(...exam.paths.map((p, i) => probeArb(p, i))),
      listing: fc.oneof(
        { weight: 4, arbitrary: fc.constant([]) },
        { weight: 2, arbitrary: fc.subarray([...KERNEL_WORK_ENTRIES, 'foreign', 'lost+found']) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      mounts: fc.oneof(
        { weight: 8, arbitrary: fc.array(optionsArb(spec), { maxLength: 3 }).map((os) => ({ mounts: os.map(mount) })) },
        { weight: 1, arbitrary: fc.constant({ mountsErrno: 38 }) },
      ),
    })
    .map(({ probes, listing, mounts }) => {
      const found: ExaminedPaths = { probes };
      if (exam.workIndex >= 0 && listing !== undefined && probes[exam.workIndex]!.errno === 0) found.listing = [...listing];
      return exam.magic ? { ...found, ...mounts } : found;
    });
}

const caseArb = specArb.chain((spec) =>
  fc.constantFrom(0, MAGIC, MAGIC, MAGIC).chain((magic) => {
    const exam = { ...examinationOf(spec), magic: spec.upper !== undefined && !spec.allowInUse ? magic : 0 };
    return foundArb(spec, exam).map((found) => ({ spec, exam, found }));
  }),
);

it('expectations met ⇒ checkProbes accepts the same facts, without reading the mount table', () => {
  const seen = { noExpectations: 0, met: 0, unmet: 0 };
  fc.assert(
    fc.property(caseArb, ({ spec, exam, found }) => {
      const expected = mountExpectations(spec, exam);
      if (expected === undefined) {
        seen.noExpectations++;
        return;
      }
      if (binding().checkExpectations(exam.paths, found, expected) !== '') {
        seen.unmet++;
        return;
      }
      seen.met++;
      const facts = factsFrom(exam, found, () => {
        throw new Error('the mount table was read although examineAndMount had listed the overlays');
      });
      checkProbes(spec, facts);
    }),
    propertyParams('mount expectations', 10000),
  );
  // Not vacuous: every branch is taken often.
  expect(seen.met).toBeGreaterThan(100);
  expect(seen.unmet).toBeGreaterThan(100);
  expect(seen.noExpectations).toBeGreaterThan(10);
});

it('truthful facts of a spec checkProbes accepts meet its expectations: a plain mount is one call', () => {
  let oneCall = 0;
  fc.assert(
    fc.property(specArb, (spec) => {
      const exam = examinationOf(spec);
      const probes = exam.paths.map((p, i): PathProbe => ({ errno: 0, mode: DIR, devMajor: 8, devMinor: 1, ino: BigInt(100 + i), mountId: 1, realpath: asReported(p) }));
      const found: ExaminedPaths = { probes, ...(exam.workIndex >= 0 ? { listing: [] } : {}), ...(exam.magic ? { mounts: [] } : {}) };
      try {
        checkProbes(spec, factsFrom(exam, found, () => ''));
      } catch {
        return; // refused: nothing to say about one call
      }
      const expected = mountExpectations(spec, exam);
      expect(expected).toBeDefined();
      expect(binding().checkExpectations(exam.paths, found, expected!)).toBe('');
      oneCall++;
    }),
    propertyParams('plain mounts meet expectations', 500),
  );
  expect(oneCall).toBeGreaterThan(50);
});
