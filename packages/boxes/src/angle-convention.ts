// OBB angle conventions (le90, le135, oc) exactly as tabulated in
// shared/metrics-cases/README.md §1 (mmrotate's norm_angle / regular_obb rules):
//   le90 : if w < h swap, θ += π/2; θ = (θ + π/2) mod π − π/2     → w ≥ h, θ ∈ [−π/2, π/2)
//   le135: if w < h swap, θ += π/2; θ = (θ + π/4) mod π − π/4     → w ≥ h, θ ∈ [−π/4, 3π/4)
//   oc   : θ moved into (0, π/2] by quarter turns, each quarter turn swaps w and h
import { assertOneOf, checkedRows } from './errors.js';
import { ANGLE_CONVENTIONS, type AngleConvention } from './types.js';

const HALF_PI = Math.PI / 2;
/**
 * The intervals are half-open. Float noise (e.g. π/2 + π/2 − tiny) can land a hair inside
 * the excluded end; values within SNAP of it are moved to the included end, which is the
 * same rectangle.
 */
const SNAP = 1e-12;

/** Python-style modulo: result in [0, m). */
function floorMod(x: number, m: number): number {
  const r = x % m;
  return r < 0 ? r + m : r;
}

/** Normalises one OBB in place at `out[o..o+4]`. */
function normalizeOne(out: Float64Array, o: number, convention: AngleConvention): void {
  let w = out[o + 2], h = out[o + 3], t = out[o + 4];
  if (convention === 'oc') {
    // In range already: keep bit-exact. Otherwise reduce by whole quarter turns.
    let r = t > 0 && t <= HALF_PI ? t : floorMod(t, HALF_PI);
    if (r >= HALF_PI) r -= HALF_PI; // floorMod returns m itself for −tiny inputs
    if (r < SNAP) r = HALF_PI; // 0 maps to π/2 (up to SNAP: same rectangle)
    const quarterTurns = Math.round((t - r) / HALF_PI);
    if (quarterTurns % 2 !== 0) [w, h] = [h, w];
    t = r;
  } else {
    const offset = convention === 'le90' ? HALF_PI : Math.PI / 4;
    if (w < h) {
      [w, h] = [h, w];
      t += HALF_PI;
    }
    // Angles already in range are kept bit-exact ((θ + o) mod π − o would add rounding).
    if (!(t >= -offset && t < Math.PI - offset)) t = floorMod(t + offset, Math.PI) - offset;
    if (t >= Math.PI - offset - SNAP) t = Math.max(-offset, t - Math.PI);
  }
  out[o + 2] = w;
  out[o + 3] = h;
  out[o + 4] = t;
}

/**
 * Rewrites N×5 OBBs (cx, cy, w, h, θ) into the canonical form of `convention`; the rectangle
 * (as a point set) is unchanged.
 * @returns Float64Array N×5.
 */
export function normalizeObb(obbs: ArrayLike<number>, convention: AngleConvention): Float64Array {
  assertOneOf(convention, ANGLE_CONVENTIONS, 'normalizeObb', 'convention');
  const n = checkedRows(obbs, 5, 'normalizeObb', 'obbs');
  const out = Float64Array.from(obbs);
  for (let i = 0; i < n; i++) normalizeOne(out, i * 5, convention);
  return out;
}

/**
 * Re-expresses N×5 OBBs given in `from` in the `to` convention (same rectangles). All
 * conventions share the corner formula, so only the target's normalisation matters; `from`
 * is checked for validity and documents intent.
 */
export function convertAngleConvention(
  obbs: ArrayLike<number>,
  from: AngleConvention,
  to: AngleConvention,
): Float64Array {
  assertOneOf(from, ANGLE_CONVENTIONS, 'convertAngleConvention', 'from');
  assertOneOf(to, ANGLE_CONVENTIONS, 'convertAngleConvention', 'to');
  const n = checkedRows(obbs, 5, 'convertAngleConvention', 'obbs');
  const out = Float64Array.from(obbs);
  for (let i = 0; i < n; i++) normalizeOne(out, i * 5, to);
  return out;
}

/** In-place normalisation for other modules of this package (no copies, no checks). */
export function normalizeObbInPlace(out: Float64Array, convention: AngleConvention): void {
  for (let o = 0; o < out.length; o += 5) normalizeOne(out, o, convention);
}
