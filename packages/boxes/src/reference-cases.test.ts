// The oriented boxes of the shared reference metric cases: every GT and detection is stored as
// a DOTA polygon and in le90 / le135 / oc form (shared/metrics-cases/README.md §1).
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { convertAngleConvention, obbToPoly, polyIoU, polyToObb, rotatedIoU } from './index.js';
import type { AngleConvention } from './index.js';

const CASES_DIR = fileURLToPath(new URL('../../../fixtures/metrics-cases/', import.meta.url));
const CONVENTIONS: AngleConvention[] = ['le90', 'le135', 'oc'];

interface ObbBox {
  image_id: number;
  poly: number[];
  obb: Record<AngleConvention, number[]>;
}

function loadBoxes(file: string): ObbBox[] {
  const c = JSON.parse(fs.readFileSync(CASES_DIR + file, 'utf8')) as { gts: ObbBox[]; detections: ObbBox[] };
  return [...c.gts, ...c.detections];
}

/**
 * Compares OBBs as numbers: centre and sides to `tol`, θ to `tol`. A square's θ is only
 * defined modulo π/2 (any quarter turn is the same point set, and the conventions'
 * w ≥ h tie-break does not pin it), so for w == h the angle is compared modulo π/2.
 */
function expectSameObb(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  for (let k = 0; k < 4; k++) expect(Math.abs(got[k] - want[k]), `${what} [${k}]`).toBeLessThan(tol);
  const square = Math.abs(want[2] - want[3]) < 1e-9 * want[2];
  const period = square ? Math.PI / 2 : Infinity;
  let d = Math.abs(got[4] - want[4]);
  if (Number.isFinite(period)) d = Math.min(d % period, period - (d % period));
  expect(d, `${what} θ got ${got[4]} want ${want[4]}`).toBeLessThan(tol);
}

/** Every polygon vertex has a corner within tol (same rectangle, any start and winding). */
function expectSamePointSet(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  for (let k = 0; k < 8; k += 2) {
    let best = Infinity;
    for (let m = 0; m < 8; m += 2) best = Math.min(best, Math.hypot(got[m] - want[k], got[m + 1] - want[k + 1]));
    expect(best, `${what} vertex ${k / 2}`).toBeLessThan(tol);
  }
}

for (const file of ['obb_dota_voc07.json', 'obb_soi_map_50_95.json']) {
  describe(`reference boxes of ${file}`, () => {
    const boxes = loadBoxes(file);

    it('has boxes to check', () => {
      expect(boxes.length).toBeGreaterThan(300);
    });

    it('obbToPoly(obb.<conv>) is the stored polygon for every convention', () => {
      for (const [i, b] of boxes.entries()) {
        for (const c of CONVENTIONS) {
          const poly = obbToPoly(b.obb[c]);
          expectSamePointSet(poly, b.poly, 1e-9, `box ${i} ${c}`);
          expect(polyIoU(poly, b.poly)[0]).toBeGreaterThan(1 - 1e-12);
        }
      }
    });

    it('convertAngleConvention reproduces the stored forms to 1e-9', () => {
      for (const [i, b] of boxes.entries()) {
        for (const from of CONVENTIONS) {
          for (const to of CONVENTIONS) {
            expectSameObb(convertAngleConvention(b.obb[from], from, to), b.obb[to], 1e-9, `box ${i} ${from}→${to}`);
          }
        }
      }
    });

    it('polyToObb(poly, conv) reproduces obb[conv] to 1e-6', () => {
      for (const [i, b] of boxes.entries()) {
        for (const c of CONVENTIONS) expectSameObb(polyToObb(b.poly, c), b.obb[c], 1e-6, `box ${i} ${c}`);
      }
    });

    it('rotatedIoU of le90 boxes equals polyIoU of the stored polygons (all pairs per image)', () => {
      const byImage = new Map<number, ObbBox[]>();
      for (const b of boxes) byImage.set(b.image_id, [...(byImage.get(b.image_id) ?? []), b]);
      let overlapping = 0;
      for (const list of byImage.values()) {
        const r = rotatedIoU(list.flatMap((b) => b.obb.le90), list.flatMap((b) => b.obb.oc));
        const p = polyIoU(list.flatMap((b) => b.poly), list.flatMap((b) => b.poly));
        for (let k = 0; k < r.length; k++) {
          expect(Math.abs(r[k] - p[k])).toBeLessThan(1e-9);
          if (r[k] > 0 && r[k] < 1 - 1e-9) overlapping++;
        }
      }
      expect(overlapping).toBeGreaterThan(50); // the comparison covers real partial overlaps
    });
  });
}
