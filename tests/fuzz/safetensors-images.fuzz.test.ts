// Fuzz of the binary readers: safetensors (@babelrs/core) and images (@babelrs/datasets
// decodeImage: PNG through sharp, TIFF through geotiff). See harness.ts.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SafetensorsError, SafetensorsFile } from '@babelrs/core';
import { DatasetError, decodeImage, type DecodedImage } from '@babelrs/datasets';
import { fuzzTarget, report, splice, type ByteOp, type FuzzTarget, type Tally } from './harness.js';

const tallies: Tally[] = [];
afterAll(() => report(tallies));
const file = (p: string): Uint8Array => fs.readFileSync(fileURLToPath(new URL(`../../packages/${p}`, import.meta.url)));

type Raw = { key: string; dtype: string; shape: number[]; bytes: number[] }[];

/** Header JSON text of a safetensors file, and a rebuild with another header (length prefix fixed). */
function header(x: Uint8Array): { text: string; data: Uint8Array } | undefined {
  if (x.length < 8) return undefined;
  const n = Number(Buffer.from(x).readBigUInt64LE(0));
  if (n > x.length - 8) return undefined;
  return { text: Buffer.from(x.subarray(8, 8 + n)).toString('utf8'), data: x.subarray(8 + n) };
}
function rebuild(text: string, data: Uint8Array): Uint8Array {
  const json = Buffer.from(text);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, data]);
}
const onHeader = (f: (text: string, a: number, b: number) => string): ByteOp => (x, a, b) => {
  const h = header(x);
  return h ? rebuild(f(h.text, a, b), h.data) : x;
};

const safetensors: FuzzTarget<Raw> = {
  name: 'safetensors',
  ext: '.safetensors',
  bases: [file('core/fixtures/dtypes.safetensors')],
  read: (f) => {
    const st = SafetensorsFile.open(f);
    try {
      return st.keys().map((key) => {
        const r = st.readRaw(key);
        const d = r.data as ArrayLike<number | bigint>;
        return { key, dtype: r.dtype, shape: r.shape, bytes: Array.from(new Uint8Array((d as Uint8Array).buffer, (d as Uint8Array).byteOffset, (d as Uint8Array).byteLength)) };
      });
    } finally {
      st.close();
    }
  },
  normalize: (r) => r,
  invariant: (r) => {
    const sizes: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1 };
    for (const t of r) if (t.shape.reduce((p, v) => p * v, 1) * sizes[t.dtype] !== t.bytes.length) return `tensor ${t.key}: ${t.bytes.length} bytes for shape ${t.shape}`;
    if (new Set(r.map((t) => t.key)).size !== r.length) return 'duplicate keys';
    return undefined;
  },
  benign: [],
  binary: {
    // Re-spacing the header JSON (and fixing its length) changes no tensor.
    benign: [onHeader((t) => JSON.stringify(JSON.parse(t), null, 1)), onHeader((t) => `${t.trimEnd()}        `)],
    harmful: [
      onHeader((t, a) => t.replace(/"(\w+)":\{"dtype"/g, (m, k, off) => (off % 5 === a % 5 ? `"${k}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"${k}":{"dtype"` : m))),
      onHeader((t, a, b) => {
        const hits = [...t.matchAll(/\d+/g)];
        if (!hits.length) return t;
        const m = hits[a % hits.length];
        return t.slice(0, m.index) + ['-1', '1e30', '9007199254740993', '0.5', '"8"', '99999999'][b % 6] + t.slice(m.index! + m[0].length);
      }),
      onHeader((t, a) => t.replace(/"shape"/, a % 2 ? '"__proto__"' : '"shap"')),
      (x, a) => { const y = Buffer.from(x); if (y.length >= 8) y.writeBigUInt64LE(BigInt(a % 2 ? 2 ** 40 : a % 1000), 0); return y; },
      (x, a, b) => splice(x, Math.min(x.length, 8 + (a % 64)), 0, Buffer.from('{"k":'.repeat(1 + (b % 2000)))),
    ],
  },
  isOurError: (e): e is Error => e instanceof SafetensorsError,
};

const images: FuzzTarget<DecodedImage> = {
  name: 'images (PNG/TIFF)',
  ext: '.img',
  bases: ['la8.png', 'rgba8.png', 'u16.png', 'i16_le.tif', 'f32_deflate.tif', 'u16_lzw.tif', 'i16_be_2strips.tif'].map((f) => file(`datasets/fixtures/tiff/${f}`)),
  read: (f) => decodeImage(f),
  normalize: (r) => ({ w: r.width, h: r.height, c: r.channels, data: Array.from(r.data) }),
  invariant: (r) =>
    !(r.width >= 1 && r.height >= 1 && r.channels >= 1) ? `size ${r.width}×${r.height}×${r.channels}` : r.data.length !== r.width * r.height * r.channels ? `data ${r.data.length} for ${r.width}×${r.height}×${r.channels}` : undefined,
  benign: [],
  binary: {
    benign: [],
    harmful: [
      // Header fields (PNG IHDR width/height, TIFF IFD values) bent to huge / zero sizes.
      (x, a, b) => { const y = Buffer.from(x); const at = 16 + (a % 8); if (y.length > at) y[at] = [0, 0xff, 0x7f, 1][b % 4]; return y; },
      (x, a, b) => { const y = Buffer.from(x); const at = 8 + (a % Math.max(1, Math.min(200, y.length - 8))); if (y.length > at + 3) y.writeUInt32LE([0, 0xffffffff, 30000, 1 << 20][b % 4], at); return y; },
    ],
  },
  isOurError: (e): e is Error => e instanceof DatasetError,
};

describe('fuzz: binary readers', () => {
  for (const target of [safetensors, images] as FuzzTarget<unknown>[]) {
    it(`${target.name}: every mutant reads valid or throws our error naming the file`, async () => {
      const t = await fuzzTarget(target);
      tallies.push(t);
      expect(t.examples, t.examples.join('\n')).toEqual([]);
      expect(t.inputs).toBeGreaterThanOrEqual(200);
    });
  }
});
