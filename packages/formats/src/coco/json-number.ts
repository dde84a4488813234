// JSON numbers straight from bytes, exactly as `JSON.parse` reads them (shared by the byte-level
// COCO readers: results entries and instances columns).

/** Exact powers of ten (10^0 … 10^22 are exact doubles). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1');
}

/** The value `readJsonNumber` read last (a module slot: no allocation per number). */
export const jsonNumber = { value: 0 };

/**
 * Reads a JSON number at p; returns the index after it (value in `jsonNumber.value`), or -1 when the
 * bytes are not a JSON number ending before `end`. Exactly `JSON.parse`'s value: with at most
 * 15 significant digits and a decimal exponent within ±22, mantissa and power of ten are exact
 * doubles and one multiplication or division rounds correctly (Clinger's fast path); anything
 * else goes through `Number()` of the token, which is V8's own conversion.
 */
export function readJsonNumber(b: Uint8Array, p: number, end: number): number {
  const q = readPlainDecimal(b, p, end);
  return q >= 0 ? q : readAnyJsonNumber(b, p, end);
}

/**
 * The common spelling only — `-?digits(.digits)?`, at most 15 digits, no exponent, not at the
 * end — as m / 10^f of exact operands (one correctly rounded division); -1 for anything else,
 * which `readAnyJsonNumber` then reads (or refuses). Small, so it inlines into the entry loops.
 */
function readPlainDecimal(b: Uint8Array, p: number, end: number): number {
  let c = p < end ? b[p] : -1;
  const neg = c === 0x2d;
  if (neg) c = ++p < end ? b[p] : -1;
  let m = 0;
  let n = 0;
  if (c === 0x30) {
    c = ++p < end ? b[p] : -1;
    if (c >= 0x30 && c <= 0x39) return -1; // a leading zero: not JSON
  } else if (c >= 0x31 && c <= 0x39) {
    do {
      m = m * 10 + (c - 0x30);
      n++;
      c = ++p < end ? b[p] : -1;
    } while (c >= 0x30 && c <= 0x39);
  } else return -1;
  let f = 0;
  if (c === 0x2e) {
    c = ++p < end ? b[p] : -1;
    while (c >= 0x30 && c <= 0x39) {
      m = m * 10 + (c - 0x30);
      f++;
      c = ++p < end ? b[p] : -1;
    }
    if (f === 0) return -1;
  }
  if (c === 0x65 || c === 0x45 || c === -1 || n + f > 15) return -1;
  const v = f === 0 ? m : m / POW10[f];
  jsonNumber.value = neg ? -v : v;
  return p;
}

/** Any JSON number (exponents, long mantissas); see `readJsonNumber`. */
function readAnyJsonNumber(b: Uint8Array, p: number, end: number): number {
  // Each byte is read once into `c` (-1 past `end`: bytes there may be stale buffer contents).
  const start = p;
  let c = p < end ? b[p] : -1;
  const neg = c === 0x2d;
  if (neg) c = ++p < end ? b[p] : -1;
  let mant = 0;
  let digits = 0; // significant digits in mant
  let exp10 = 0;
  if (c === 0x30) c = ++p < end ? b[p] : -1;
  else if (c >= 0x31 && c <= 0x39) {
    do {
      mant = mant * 10 + (c - 0x30);
      digits++;
      c = ++p < end ? b[p] : -1;
    } while (c >= 0x30 && c <= 0x39);
  } else return -1;
  if (c === 0x2e) {
    c = ++p < end ? b[p] : -1;
    const f0 = p;
    while (c >= 0x30 && c <= 0x39) {
      if (digits > 0 || c !== 0x30) {
        mant = mant * 10 + (c - 0x30);
        digits++;
      }
      exp10--;
      c = ++p < end ? b[p] : -1;
    }
    if (p === f0) return -1;
  }
  if (c === 0x65 || c === 0x45) {
    c = ++p < end ? b[p] : -1;
    let eneg = false;
    if (c === 0x2b || c === 0x2d) {
      eneg = c === 0x2d;
      c = ++p < end ? b[p] : -1;
    }
    const e0 = p;
    let ev = 0;
    while (c >= 0x30 && c <= 0x39) {
      if (ev < 1e6) ev = ev * 10 + (c - 0x30);
      c = ++p < end ? b[p] : -1;
    }
    if (p === e0) return -1;
    exp10 += eneg ? -ev : ev;
  }
  if (p >= end) return -1; // the token may go on past the lookahead
  let v: number;
  if (digits <= 15 && exp10 >= -22 && exp10 <= 22) v = exp10 < 0 ? mant / POW10[-exp10] : mant * POW10[exp10];
  else if (mant === 0) v = 0;
  else v = Number(latin1(b, neg ? start + 1 : start, p));
  jsonNumber.value = neg ? -v : v;
  return p;
}
