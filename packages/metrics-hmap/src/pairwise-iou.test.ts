import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hbbIoU } from '@babelrs/boxes';
import { hbbIoUInto } from './pairwise-iou.js';

const coord = fc.oneof(fc.integer({ min: -20, max: 120 }), fc.double({ min: -20, max: 120, noNaN: true }));
const box = fc.tuple(coord, coord, coord, coord).map(([a, b, c, d]) => [a, b, a + Math.abs(c) * (c > 100 ? -0.1 : 1), b + Math.abs(d)]);

describe('hbbIoUInto (the matcher\'s in-place HBB IoU)', () => {
  it('equals @babelrs/boxes hbbIoU bit for bit, for rows picked by index, legacy +1 too', () => {
    fc.assert(
      fc.property(fc.array(box, { minLength: 1, maxLength: 8 }), fc.array(box, { minLength: 1, maxLength: 8 }), fc.boolean(), (ds, gs, legacyPlusOne) => {
        const dets = Float64Array.from(ds.flat());
        const gts = Float64Array.from(gs.flat());
        // reversed index lists with an offset: rows are read through the indices
        const detIdx = Int32Array.from([0, ...ds.map((_, i) => ds.length - 1 - i)]);
        const gtIdx = Int32Array.from([0, 0, ...gs.map((_, i) => gs.length - 1 - i)]);
        const out = new Float64Array(ds.length * gs.length).fill(7);
        hbbIoUInto(out, dets, detIdx, 1, ds.length, gts, gtIdx, 2, gs.length, legacyPlusOne);
        const want = hbbIoU(Float64Array.from([...ds].reverse().flat()), Float64Array.from([...gs].reverse().flat()), { legacyPlusOne });
        expect(Array.from(out)).toEqual(Array.from(want));
      }),
      { numRuns: 500, seed: 2 },
    );
  });
});
