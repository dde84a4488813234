import fs from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { bf16BitsToF32, f16BitsToF32 } from '../amp/half-float.js';
import {
  MAX_HEADER_BYTES,
  SAFETENSORS_DTYPES,
  SafetensorsError,
  parseHeader,
  parseHeaderJson,
  type SafetensorsDtype,
  type SafetensorsHeader,
  type TensorInfo,
} from './safetensors-format.js';

/** A tensor's bytes as the natural typed array of its dtype (F16/BF16: raw uint16 bits). */
export type RawTypedArray = Float64Array | Float32Array | Uint16Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Int16Array | Int8Array | Uint8Array;

export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: RawTypedArray;
}

/**
 * An open safetensors file. Only the header is read on open; each tensor's byte range is read
 * on demand with positioned reads, so a large checkpoint streams tensor by tensor and the file
 * is never held in memory twice.
 */
export class SafetensorsFile {
  private fd: number | null;
  private readonly header: SafetensorsHeader;

  private constructor(
    readonly path: string,
    fd: number,
    header: SafetensorsHeader,
  ) {
    this.fd = fd;
    this.header = header;
  }

  static open(path: string): SafetensorsFile {
    if (os.endianness() !== 'LE') throw new SafetensorsError(path, 'big-endian hosts are not supported');
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
      if (fs.fstatSync(fd).isDirectory()) {
        fs.closeSync(fd);
        throw new SafetensorsError(path, 'is a directory, not a file');
      }
    } catch (e) {
      if (e instanceof SafetensorsError) throw e;
      // Node's messages (e.g. EISDIR) do not always name the file.
      throw new SafetensorsError(path, `cannot open: ${(e as Error).message}`);
    }
    try {
      return new SafetensorsFile(path, fd, readHeader(path, fd));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** `__metadata__` (empty object when absent). */
  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  /** Tensor keys in header order. */
  keys(): string[] {
    return [...this.header.tensors.keys()];
  }

  has(key: string): boolean {
    return this.header.tensors.has(key);
  }

  info(key: string): TensorInfo {
    const info = this.header.tensors.get(key);
    if (!info) throw new SafetensorsError(this.path, `no tensor "${key}"`);
    return info;
  }

  /** The tensor's values in its own dtype (I64 as BigInt64Array, F16/BF16 as uint16 bits). */
  readRaw(key: string): RawTensor {
    const info = this.info(key);
    const bytes = this.readBytes(info);
    const data = typedView(info.dtype, bytes);
    return { dtype: info.dtype, shape: [...info.shape], data };
  }

  /**
   * The tensor as a tfjs tensor: float dtypes → float32 (F64 loses precision, F16/BF16 are exact),
   * integer dtypes → int32 (an I64/U32/U64 value outside int32 range is an error naming the key),
   * BOOL → bool.
   */
  readTensor(key: string): tf.Tensor {
    const raw = this.readRaw(key);
    switch (raw.dtype) {
      case 'F32':
        return tf.tensor(raw.data as Float32Array, raw.shape, 'float32');
      case 'F64':
        return tf.tensor(Float32Array.from(raw.data as Float64Array), raw.shape, 'float32');
      case 'F16':
        return tf.tensor(decode16(raw.data as Uint16Array, f16BitsToF32), raw.shape, 'float32');
      case 'BF16':
        return tf.tensor(decode16(raw.data as Uint16Array, bf16BitsToF32), raw.shape, 'float32');
      case 'BOOL':
        return tf.tensor(raw.data as Uint8Array, raw.shape, 'bool');
      default:
        return tf.tensor(this.toInt32(key, raw), raw.shape, 'int32');
    }
  }

  private toInt32(key: string, raw: RawTensor): Int32Array {
    if (raw.data instanceof Int32Array) return raw.data;
    const out = new Int32Array(raw.data.length);
    for (let i = 0; i < raw.data.length; i++) {
      const v = Number(raw.data[i]);
      if (v > 2147483647 || v < -2147483648) {
        throw new SafetensorsError(this.path, `tensor "${key}": ${raw.dtype} value ${raw.data[i]} at index ${i} does not fit int32 (use readRaw for the raw values)`);
      }
      out[i] = v;
    }
    return out;
  }

  private readBytes(info: TensorInfo): Buffer {
    if (this.fd === null) throw new SafetensorsError(this.path, 'file is closed');
    // Own ArrayBuffer at offset 0: aligned for any typed-array view.
    const buf = Buffer.from(new ArrayBuffer(info.byteLength));
    readFully(this.path, this.fd, buf, info.fileOffset);
    return buf;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

function readHeader(path: string, fd: number): SafetensorsHeader {
  const size = fs.fstatSync(fd).size;
  if (size < 8) throw new SafetensorsError(path, `file is ${size} bytes, too short for the 8-byte header length`);
  const lenBuf = Buffer.alloc(8);
  readFully(path, fd, lenBuf, 0);
  const n = lenBuf.readBigUInt64LE(0);
  if (n > BigInt(size - 8)) throw new SafetensorsError(path, `header length ${n} exceeds the file size (${size} bytes): not a safetensors file or truncated`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(path, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(n);
  const headerBuf = Buffer.alloc(headerLength);
  readFully(path, fd, headerBuf, 8);
  const json = parseHeaderJson(path, headerBuf.toString('utf8'));
  return parseHeader(path, json, headerLength, size - 8 - headerLength);
}

function readFully(path: string, fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n === 0) throw new SafetensorsError(path, `unexpected end of file at byte ${position + done}`);
    done += n;
  }
}

function typedView(dtype: SafetensorsDtype, b: Buffer): RawTypedArray {
  const n = b.byteLength / SAFETENSORS_DTYPES[dtype];
  const ab = b.buffer as ArrayBuffer;
  switch (dtype) {
    case 'F64':
      return new Float64Array(ab, b.byteOffset, n);
    case 'F32':
      return new Float32Array(ab, b.byteOffset, n);
    case 'F16':
    case 'BF16':
    case 'U16':
      return new Uint16Array(ab, b.byteOffset, n);
    case 'I64':
      return new BigInt64Array(ab, b.byteOffset, n);
    case 'U64':
      return new BigUint64Array(ab, b.byteOffset, n);
    case 'I32':
      return new Int32Array(ab, b.byteOffset, n);
    case 'U32':
      return new Uint32Array(ab, b.byteOffset, n);
    case 'I16':
      return new Int16Array(ab, b.byteOffset, n);
    case 'I8':
      return new Int8Array(ab, b.byteOffset, n);
    case 'U8':
    case 'BOOL':
      return new Uint8Array(ab, b.byteOffset, n);
  }
}

function decode16(bits: Uint16Array, decode: (b: number) => number): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = decode(bits[i]);
  return out;
}

/**
 * Reads every tensor (convenience for small files; prefer `SafetensorsFile` for large ones).
 * `tensors` has a null prototype, so a tensor named `__proto__` is an ordinary key.
 */
export function readSafetensors(path: string): { tensors: Record<string, tf.Tensor>; metadata: Record<string, string> } {
  const file = SafetensorsFile.open(path);
  try {
    const tensors: Record<string, tf.Tensor> = Object.create(null) as Record<string, tf.Tensor>;
    for (const key of file.keys()) tensors[key] = file.readTensor(key);
    return { tensors, metadata: file.metadata };
  } finally {
    file.close();
  }
}
