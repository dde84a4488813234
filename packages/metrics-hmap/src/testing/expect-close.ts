import { expect } from 'vitest';

/** Float64 ports must match the float64 references within 1e-9 (README §3.1). */
export const F64_TOL = 1e-9;
/** Against float32-derived reference values. */
export const F32_TOL = 1e-6;

/** `null` in the reference JSON stands for NaN (numpy's nan / pycocotools' −1 → null). */
export function expectClose(actual: number | undefined, expected: number | null, tol: number, what: string): void {
  if (expected === null) {
    expect(Number.isNaN(actual), `${what}: expected NaN/null, got ${actual}`).toBe(true);
    return;
  }
  expect(actual, what).toBeTypeOf('number');
  expect(Math.abs((actual as number) - expected), `${what}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(tol);
}

export function expectAllClose(actual: readonly number[] | undefined, expected: readonly (number | null)[], tol: number, what: string): void {
  expect(actual?.length, `${what} length`).toBe(expected.length);
  expected.forEach((e, i) => expectClose(actual![i], e, tol, `${what}[${i}]`));
}
