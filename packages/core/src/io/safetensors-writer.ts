import * as tf from '@tensorflow/tfjs';
import { f32ToBf16Bits, f32ToF16Bits } from '../amp/half-float.js';
import { writeAll, writeFileAtomic } from './atomic-file.js';
import { SAFETENSORS_DTYPES, SafetensorsError, type SafetensorsDtype } from './safetensors-format.js';
import type { RawTensor } from './safetensors-reader.js';

export interface WriteSafetensorsOptions {
  /** Stored as `__metadata__` (string values only, per the format). */
  metadata?: Record<string, string>;
  /** How float32 tfjs tensors are stored (default F32; F16/BF16 round to nearest even). */
  floatDtype?: 'F32' | 'F16' | 'BF16' | 'F64';
}

type Entry = { key: string; dtype: SafetensorsDtype; shape: number[]; encode: () => Uint8Array };

/**
 * Writes tensors (tfjs tensors or raw typed arrays) as safetensors, atomically (temp file +
 * rename). Tensors are encoded and written one at a time, so memory holds at most one tensor's
 * bytes beyond the tensors themselves. Keys are written in the given order.
 */
export function writeSafetensors(
  file: string,
  tensors: Readonly<Record<string, tf.Tensor | RawTensor>> | ReadonlyMap<string, tf.Tensor | RawTensor>,
  opts: WriteSafetensorsOptions = {},
): void {
  const list = tensors instanceof Map ? [...tensors] : Object.entries(tensors as Readonly<Record<string, tf.Tensor | RawTensor>>);
  const entries = list.map(([key, t]) => toEntry(file, key, t, opts.floatDtype ?? 'F32'));
  // Null prototype: a tensor named `__proto__` must become a key, not the object's prototype.
  const header: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  if (opts.metadata) {
    for (const [k, v] of Object.entries(opts.metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(file, `metadata "${k}" must be a string, got ${typeof v}`);
    }
    header.__metadata__ = opts.metadata;
  }
  let offset = 0;
  for (const e of entries) {
    const bytes = e.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPES[e.dtype];
    header[e.key] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // Pad the header with spaces to a multiple of 8 so the data section is 8-byte aligned.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.length));
  writeFileAtomic(file, (fd) => {
    writeAll(fd, len);
    writeAll(fd, headerBytes);
    for (const e of entries) writeAll(fd, e.encode());
  });
}

function toEntry(file: string, key: string, t: tf.Tensor | RawTensor, floatDtype: NonNullable<WriteSafetensorsOptions['floatDtype']>): Entry {
  if (key === '__metadata__') throw new SafetensorsError(file, 'a tensor may not be named "__metadata__"');
  if (t instanceof tf.Tensor) {
    if (t.isDisposed) throw new SafetensorsError(file, `tensor "${key}" is disposed`);
    const shape = [...t.shape];
    switch (t.dtype) {
      case 'float32':
        return { key, dtype: floatDtype, shape, encode: () => encodeFloat(t.dataSync() as Float32Array, floatDtype) };
      case 'int32':
        return { key, dtype: 'I32', shape, encode: () => bytesOf(t.dataSync() as Int32Array) };
      case 'bool':
        return { key, dtype: 'BOOL', shape, encode: () => bytesOf(Uint8Array.from(t.dataSync())) };
      default:
        throw new SafetensorsError(file, `tensor "${key}": dtype ${t.dtype} cannot be stored`);
    }
  }
  const expected = t.shape.reduce((a, b) => a * b, 1);
  const itemSize = SAFETENSORS_DTYPES[t.dtype];
  if (itemSize === undefined) throw new SafetensorsError(file, `tensor "${key}": unknown dtype ${JSON.stringify(t.dtype)}`);
  if (t.data.byteLength !== expected * itemSize) {
    throw new SafetensorsError(file, `tensor "${key}": shape [${t.shape}] of ${t.dtype} needs ${expected * itemSize} bytes, data has ${t.data.byteLength}`);
  }
  return { key, dtype: t.dtype, shape: [...t.shape], encode: () => bytesOf(t.data) };
}

function encodeFloat(values: Float32Array, dtype: NonNullable<WriteSafetensorsOptions['floatDtype']>): Uint8Array {
  if (dtype === 'F32') return bytesOf(values);
  if (dtype === 'F64') return bytesOf(Float64Array.from(values));
  const bits = new Uint16Array(values.length);
  const convert = dtype === 'F16' ? f32ToF16Bits : f32ToBf16Bits;
  for (let i = 0; i < values.length; i++) bits[i] = convert(values[i]);
  return bytesOf(bits);
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
