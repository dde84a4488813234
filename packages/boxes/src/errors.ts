// Input validation with messages that name the function, the argument and the bad row, so a
// caller can find the offending box without a debugger.

export class BoxesError extends Error {
  override name = 'BoxesError';
}

/** Number of rows of a flat N×stride array; throws if the length does not divide. */
export function rowCount(arr: ArrayLike<number>, stride: number, fn: string, arg: string): number {
  if (arr == null || typeof arr.length !== 'number') {
    throw new BoxesError(`${fn}: ${arg} must be an array-like of numbers`);
  }
  if (arr.length % stride !== 0) {
    throw new BoxesError(
      `${fn}: ${arg} has length ${arr.length}, which is not a multiple of ${stride} (expected N×${stride}, row-major)`,
    );
  }
  return arr.length / stride;
}

/** Throws on the first NaN/±Infinity, naming row and column. O(N), cheap next to IoU work. */
export function assertFinite(arr: ArrayLike<number>, stride: number, fn: string, arg: string): void {
  for (let i = 0; i < arr.length; i++) {
    if (!Number.isFinite(arr[i])) {
      throw new BoxesError(`${fn}: ${arg}[${Math.floor(i / stride)}][${i % stride}] is ${arr[i]}, expected a finite number`);
    }
  }
}

/** rowCount + assertFinite in one call. */
export function checkedRows(arr: ArrayLike<number>, stride: number, fn: string, arg: string): number {
  const n = rowCount(arr, stride, fn, arg);
  assertFinite(arr, stride, fn, arg);
  return n;
}

export function assertOneOf<T extends string>(value: T, allowed: readonly T[], fn: string, arg: string): void {
  if (!allowed.includes(value)) {
    throw new BoxesError(`${fn}: ${arg} is ${JSON.stringify(value)}, expected one of ${allowed.join(', ')}`);
  }
}
