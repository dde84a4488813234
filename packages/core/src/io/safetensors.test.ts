import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import { MLP } from '../nn/mlp.js';
import { Module, StateDictError } from '../nn/module.js';
import { ModuleList } from '../nn/module-list.js';
import { Rng } from '../random/rng.js';
import { loadSafetensorsIntoModule, saveModuleSafetensors } from './load-module.js';
import { SafetensorsFile, readSafetensors } from './safetensors-reader.js';
import { writeSafetensors } from './safetensors-writer.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');
const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelrs-safetensors-'));
afterAll(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

interface DtypesFixture {
  metadata: Record<string, string>;
  tensors: Record<string, { shape: number[]; values: Array<number | boolean | string>; bits?: number[] }>;
}

describe('safetensors reader on a file written by Python (struct + numpy + torch)', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'dtypes.json'), 'utf8')) as DtypesFixture;
  const file = path.join(FIXTURES, 'dtypes.safetensors');

  it('reads every dtype to the values Python wrote, plus __metadata__', () => {
    const f = SafetensorsFile.open(file);
    try {
      expect(f.metadata).toEqual(expected.metadata);
      expect(f.keys()).toEqual(Object.keys(expected.tensors));
      for (const [key, exp] of Object.entries(expected.tensors)) {
        if (key === 'i64_big') continue;
        const t = f.readTensor(key);
        expect(t.shape, key).toEqual(exp.shape);
        const got = Array.from(t.dataSync() as ArrayLike<number>);
        if (key === 'bool') {
          expect(t.dtype).toBe('bool');
          expect(got).toEqual(exp.values.map((b) => (b ? 1 : 0)));
        } else if (['i64', 'i32', 'u8'].includes(key)) {
          expect(t.dtype, key).toBe('int32');
          expect(got, key).toEqual(exp.values);
        } else {
          expect(t.dtype, key).toBe('float32');
          // float32 storage of the exact values (F16/BF16 are exact in f32; F64 rounds)
          expect(got, key).toEqual(Array.from(Float32Array.from(exp.values as number[])));
        }
        t.dispose();
      }
    } finally {
      f.close();
    }
  });

  it('keeps raw values available: I64 as BigInt64Array, BF16 as bits', () => {
    const f = SafetensorsFile.open(file);
    try {
      const big = f.readRaw('i64_big');
      expect(big.data).toBeInstanceOf(BigInt64Array);
      expect(big.data[0]).toBe(2n ** 40n);
      expect(Array.from(f.readRaw('bf16').data as Uint16Array)).toEqual(expected.tensors.bf16.bits);
      expect(Array.from(f.readRaw('f64').data as Float64Array)).toEqual(expected.tensors.f64.values);
      // I64 that does not fit int32 is an error naming the file and key
      expect(() => f.readTensor('i64_big')).toThrow(/dtypes\.safetensors: tensor "i64_big": I64 value 1099511627776 at index 0 does not fit int32/);
    } finally {
      f.close();
    }
  });
});

describe('safetensors writer', () => {
  it('round-trips tfjs tensors, raw typed arrays and metadata', () => {
    const file = path.join(tmpDir, 'rt.safetensors');
    const a = tf.tensor2d([[1.5, -2], [3.25, 1e-3]]);
    const b = tf.tensor1d([7, -9], 'int32');
    const c = tf.tensor1d([1, 0, 1], 'bool');
    writeSafetensors(file, { a, b, c, ids: { dtype: 'I64', shape: [2], data: BigInt64Array.from([5n, -6n]) }, u: { dtype: 'U8', shape: [2, 1], data: Uint8Array.from([3, 250]) } }, { metadata: { step: '12' } });
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ step: '12' });
    expect(Array.from(tensors.a.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(tensors.b.dtype).toBe('int32');
    expect(Array.from(tensors.b.dataSync())).toEqual([7, -9]);
    expect(tensors.c.dtype).toBe('bool');
    expect(Array.from(tensors.c.dataSync())).toEqual([1, 0, 1]);
    expect(Array.from(tensors.ids.dataSync())).toEqual([5, -6]);
    expect(tensors.u.shape).toEqual([2, 1]);
    expect(Array.from(tensors.u.dataSync())).toEqual([3, 250]);
    // header length is a multiple of 8 so the data section is aligned
    const n = Number(fs.readFileSync(file).readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(fs.readdirSync(tmpDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    Object.values(tensors).forEach((t) => t.dispose());
  });

  it('stores F16/BF16 with round-to-nearest-even and reads them back as float32', () => {
    const file = path.join(tmpDir, 'half.safetensors');
    const x = tf.tensor1d([1 + 2 ** -11, 65520, 0.1, -3.140625]);
    writeSafetensors(file, { x }, { floatDtype: 'F16' });
    expect(Array.from(readSafetensors(file).tensors.x.dataSync())).toEqual([1, Infinity, 0.0999755859375, -3.140625]);
    writeSafetensors(file, { x }, { floatDtype: 'BF16' });
    expect(Array.from(readSafetensors(file).tensors.x.dataSync())).toEqual([1, 65536, 0.10009765625, -3.140625]);
  });

  it('a write into a missing folder names the target file', () => {
    const target = path.join(tmpDir, 'no-such-dir', 'w.safetensors');
    expect(() => writeSafetensors(target, { a: tf.zeros([1]) })).toThrow(new RegExp(`cannot write ${target.replace(/[.]/g, '\\.')}: ENOENT`));
  });

  it('is atomic: a failing write leaves the previous file intact and no temp file', () => {
    const file = path.join(tmpDir, 'atomic.safetensors');
    writeSafetensors(file, { x: tf.tensor1d([1, 2]) });
    const before = fs.readFileSync(file);
    const gone = tf.tensor1d([3]);
    gone.dispose();
    expect(() => writeSafetensors(file, { x: tf.tensor1d([5, 6]), y: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(/tensor "y": shape \[3\] of F32 needs 12 bytes, data has 8/);
    expect(() => writeSafetensors(file, { g: gone })).toThrow(/tensor "g" is disposed/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(tmpDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('safetensors bad headers give errors naming file and key', () => {
  function fileWith(name: string, header: unknown, dataBytes: number, lengthOverride?: number): string {
    const json = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(lengthOverride ?? json.length));
    const p = path.join(tmpDir, name);
    fs.writeFileSync(p, Buffer.concat([len, json, Buffer.alloc(dataBytes)]));
    return p;
  }
  const cases: Array<[string, () => string, RegExp]> = [
    ['too short', () => (fs.writeFileSync(path.join(tmpDir, 'short.st'), Buffer.alloc(3)), path.join(tmpDir, 'short.st')), /short\.st: file is 3 bytes/],
    ['header length beyond file', () => fileWith('len.st', {}, 0, 1000), /len\.st: header length 1000 exceeds the file size/],
    ['invalid JSON', () => fileWith('json.st', '{"a": ', 0), /json\.st: header is not valid JSON/],
    ['unknown dtype', () => fileWith('dtype.st', { w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, 1), /dtype\.st: tensor "w": unknown dtype "F8_E4M3"/],
    ['shape/byte-count mismatch', () => fileWith('count.st', { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, 12), /count\.st: tensor "w": shape \[2,2\] of F32 needs 16 bytes but data_offsets \[0, 12\] span 12/],
    ['offsets past end of file', () => fileWith('past.st', { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 4), /past\.st: tensor "w": data_offsets \[0, 8\] run past the end/],
    ['overlapping offsets', () => fileWith('overlap.st', { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), /overlap\.st: tensor "b": data_offsets \[4, 12\] overlap tensor "a"/],
    ['gap between tensors', () => fileWith('gap.st', { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [6, 10] } }, 10), /gap\.st: tensor "b": misaligned data_offsets: starts at 6/],
    ['bad shape', () => fileWith('shape.st', { a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /shape\.st: tensor "a": shape must be an array of non-negative integers/],
    ['non-string metadata', () => fileWith('meta.st', { __metadata__: { epoch: 3 } }, 0), /meta\.st: __metadata__\."epoch" must be a string/],
    // JSON.parse keeps the last of two equal keys; the first tensor's bytes then look like a "gap".
    [
      'duplicate key',
      () => fileWith('dup.st', '{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, "a" : {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}', 2),
      /dup\.st: header has the key "a" twice/,
    ],
  ];
  for (const [name, make, error] of cases) {
    it(name, () => {
      const p = make();
      expect(() => SafetensorsFile.open(p)).toThrow(error);
    });
  }

  it('a directory or a missing file is an error naming the path', () => {
    const dir = fs.mkdtempSync(path.join(tmpDir, 'dir-ü-'));
    expect(() => SafetensorsFile.open(dir)).toThrow(new RegExp(`safetensors ${dir}: is a directory`));
    expect(() => SafetensorsFile.open(path.join(dir, 'nope.st'))).toThrow(/safetensors .*nope\.st: cannot open: ENOENT/);
  });

  it('a tensor named __proto__ (or constructor) is kept, written and read back', () => {
    const p = path.join(tmpDir, 'proto.safetensors');
    const tensors = new Map<string, { dtype: 'U8'; shape: number[]; data: Uint8Array }>([
      ['__proto__', { dtype: 'U8', shape: [2], data: Uint8Array.of(1, 2) }],
      ['constructor', { dtype: 'U8', shape: [1], data: Uint8Array.of(3) }],
    ]);
    writeSafetensors(p, tensors);
    const f = SafetensorsFile.open(p);
    try {
      expect(f.keys()).toEqual(['__proto__', 'constructor']);
      expect(Array.from(f.readRaw('__proto__').data as Uint8Array)).toEqual([1, 2]);
    } finally {
      f.close();
    }
    const all = readSafetensors(p);
    expect(Object.keys(all.tensors)).toEqual(['__proto__', 'constructor']);
    expect(Array.from(all.tensors['__proto__'].dataSync())).toEqual([1, 2]);
    tf.dispose(Object.values(all.tensors));
  });

  it('"__metadata__": null means no metadata (as in the reference reader)', () => {
    const f = SafetensorsFile.open(fileWith('meta-null.st', { __metadata__: null, a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] } }, 2));
    try {
      expect(f.metadata).toEqual({});
      expect(f.keys()).toEqual(['a']);
    } finally {
      f.close();
    }
  });
});

/** The same architecture as gen_safetensors.py's torch `Net`, with timm-style names. */
class Block extends Module {
  readonly norm1: LayerNorm;
  readonly mlp: MLP;
  constructor(dim: number, rng: Rng) {
    super();
    this.norm1 = this.registerModule('norm1', new LayerNorm(dim, { eps: 1e-6 }));
    this.mlp = this.registerModule('mlp', new MLP(dim, { hiddenFeatures: 2 * dim, rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.mlp.forward(this.norm1.forward(x))));
  }
}

class Net extends Module {
  readonly blocks: ModuleList<Block>;
  readonly head: Linear;
  constructor(seed = 0) {
    super();
    const rng = new Rng(seed);
    this.blocks = this.registerModule('blocks', new ModuleList([new Block(4, rng), new Block(4, rng)]));
    this.head = this.registerModule('head', new Linear(4, 3, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.head.forward([...this.blocks].reduce((h, b) => b.forward(h), x)));
  }
}

describe('Module ⇄ safetensors', () => {
  it('loads a PyTorch (timm-named) checkpoint and reproduces the PyTorch forward pass', () => {
    const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'timm_block.json'), 'utf8')) as { x: number[][]; y: number[][]; keys: string[] };
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(ref.keys);
    const report = loadSafetensorsIntoModule(net, path.join(FIXTURES, 'timm_block.safetensors'));
    expect(report.loaded).toEqual(ref.keys);
    const y = net.forward(tf.tensor2d(ref.x)).dataSync();
    ref.y.flat().forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5));
    // and through the in-memory path too
    const net2 = new Net(9);
    const { tensors } = readSafetensors(path.join(FIXTURES, 'timm_block.safetensors'));
    net2.loadStateDict(tensors);
    expect(Array.from(net2.forward(tf.tensor2d(ref.x)).dataSync())).toEqual(Array.from(y));
    net.dispose();
    net2.dispose();
  });

  it('round-trips a state dict through a file; strict errors name the file', () => {
    const file = path.join(tmpDir, 'net.safetensors');
    const a = new Net(1);
    saveModuleSafetensors(a, file, { metadata: { arch: 'Net' } });
    const b = new Net(2);
    loadSafetensorsIntoModule(b, file);
    for (const [name, v] of a.namedParameters()) expect(Array.from(b.stateDict()[name].dataSync()), name).toEqual(Array.from(v.dataSync()));
    // a checkpoint with a `module.` prefix and an extra key: keyMap fixes the prefix, strict rejects the extra
    const prefixed = Object.fromEntries([...Object.entries(a.stateDict()).map(([k, v]) => [`module.${k}`, v as tf.Tensor]), ['module.extra', tf.zeros([1])]]);
    writeSafetensors(file, prefixed);
    const strip = (k: string) => k.replace(/^module\./, '');
    expect(() => loadSafetensorsIntoModule(b, file, { keyMap: strip })).toThrow(StateDictError);
    expect(() => loadSafetensorsIntoModule(b, file, { keyMap: strip })).toThrow(/net\.safetensors[\s\S]*unexpected keys \(1\): extra/);
    const report = loadSafetensorsIntoModule(b, file, { keyMap: (k) => (k === 'module.extra' ? null : strip(k)) });
    expect(report.unexpected).toEqual([]);
    expect(() => loadSafetensorsIntoModule(b, file)).toThrow(/missing keys \(14\)[\s\S]*unexpected keys \(15\)/);
    a.dispose();
    b.dispose();
  });
});
