/**
 * Resize keeping the aspect ratio so the longer side equals `maxSide`, then pad right/bottom
 * to a fixed canvas (SOI-Det: 800 → 800×800, as mmdet `Resize(keep_ratio) + Pad`). Small
 * images are scaled up. The scale and padding are recorded in the item's geometry so
 * predictions can be mapped back.
 */
import { createChwImage, type ChwImage } from './chw-image.js';
import { withGeometricStep, type Transform } from './transform.js';

export interface ResizePadOptions {
  /** Target length of the longer side (default 800). */
  maxSide?: number;
  /** Canvas size after padding; `null` for no padding (default: `maxSide` square). */
  padTo?: { width: number; height: number } | null;
  /** Value written into the padding (default 0). */
  padValue?: number;
}

export function resizePad(opts: ResizePadOptions = {}): Transform {
  const maxSide = opts.maxSide ?? 800;
  if (!(maxSide > 0)) throw new RangeError(`resizePad: maxSide must be > 0, got ${maxSide}`);
  const padTo = opts.padTo === undefined ? { width: maxSide, height: maxSide } : opts.padTo;
  const padValue = opts.padValue ?? 0;
  return {
    name: 'resizePad',
    apply(item) {
      const { width, height } = item.image;
      const { newW, newH, scaleX, scaleY } = resizedSize(width, height, maxSide);
      let out = newW === width && newH === height ? item.image : resizeBilinear(item.image, newW, newH);
      let padRight = 0;
      let padBottom = 0;
      if (padTo) {
        if (padTo.width < newW || padTo.height < newH) {
          throw new RangeError(`resizePad: canvas ${padTo.width}×${padTo.height} is smaller than the resized image ${newW}×${newH}`);
        }
        padRight = padTo.width - newW;
        padBottom = padTo.height - newH;
        out = padImage(out, padTo.width, padTo.height, padValue);
      }
      return withGeometricStep(item, out, [scaleX, 0, 0, 0, scaleY, 0], 'resizePad', { scaleX, scaleY, padRight, padBottom });
    },
  };
}

/** Size after scaling the longer side to `maxSide` (shared with the fused loader path). */
export function resizedSize(width: number, height: number, maxSide: number): { newW: number; newH: number; scaleX: number; scaleY: number } {
  const scale = maxSide / Math.max(width, height);
  const newW = Math.max(1, Math.round(width * scale));
  const newH = Math.max(1, Math.round(height * scale));
  // Per-axis factors: rounding makes them differ slightly from `scale`; boxes must follow the pixels.
  return { newW, newH, scaleX: newW / width, scaleY: newH / height };
}

/**
 * Bilinear resampling with half-pixel centres (cv2 INTER_LINEAR / torch align_corners=False):
 * continuous coordinate x maps to x · newW / W, the same map the boxes get.
 */
export function resizeBilinear(img: ChwImage, newW: number, newH: number): ChwImage {
  const { width: w, height: h, channels, data } = img;
  const out = createChwImage(newW, newH, channels);
  const xs = sampleTaps(w, newW);
  const ys = sampleTaps(h, newH);
  for (let c = 0; c < channels; c++) {
    const src = c * w * h;
    const dst = c * newW * newH;
    for (let y = 0; y < newH; y++) {
      const r0 = src + ys.i0[y] * w;
      const r1 = src + ys.i1[y] * w;
      const fy = ys.f[y];
      const o = dst + y * newW;
      for (let x = 0; x < newW; x++) {
        const i0 = xs.i0[x];
        const i1 = xs.i1[x];
        const fx = xs.f[x];
        const top = data[r0 + i0] + (data[r0 + i1] - data[r0 + i0]) * fx;
        const bot = data[r1 + i0] + (data[r1 + i1] - data[r1 + i0]) * fx;
        out.data[o + x] = top + (bot - top) * fy;
      }
    }
  }
  return out;
}

/** Source indices and weights along one axis, computed once per resize. */
export function sampleTaps(srcLen: number, dstLen: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(dstLen);
  const i1 = new Int32Array(dstLen);
  const f = new Float32Array(dstLen);
  const ratio = srcLen / dstLen;
  for (let d = 0; d < dstLen; d++) {
    const s = Math.min(Math.max((d + 0.5) * ratio - 0.5, 0), srcLen - 1);
    const lo = Math.floor(s);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, srcLen - 1);
    f[d] = s - lo;
  }
  return { i0, i1, f };
}

/** Places `img` at the top-left of a `width`×`height` canvas filled with `value`. */
export function padImage(img: ChwImage, width: number, height: number, value = 0): ChwImage {
  if (width === img.width && height === img.height) return img;
  const out = createChwImage(width, height, img.channels, value);
  for (let c = 0; c < img.channels; c++) {
    for (let y = 0; y < img.height; y++) {
      const s = c * img.width * img.height + y * img.width;
      out.data.set(img.data.subarray(s, s + img.width), c * width * height + y * width);
    }
  }
  return out;
}
