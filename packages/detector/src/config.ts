// The detector's configuration as plain JSON-able data (a trainer YAML maps onto it 1:1), and
// the named presets. Validation errors name the field path (`backbone.depth`, `heads.rgb.type`).
import { MODALITIES, SOI_DET_CLASS_SPACES, type Modality } from '@babelrs/datasets';

/** The ViT trunk (timm / InternViT shaped). `imgSize` is the config's `imageSize`, 3 input channels. */
export interface DetectorBackboneConfig {
  embedDim: number;
  depth: number;
  numHeads: number;
  mlpHiddenDim: number;
  patchSize: number;
  qkvBias: boolean;
  /** 0 or 1 (class token). */
  numPrefixTokens: number;
  layerNormEps: number;
  layerScaleInit: number | null;
  dropPathRate?: number;
}

/** How the tapped layers are fused before the neck (names of `@babelrs/lvsa`'s `createLayerFusion`). */
export type DetectorFusionConfig =
  | { name: 'last' | 'concat' | 'sum' | 'mean' | 'per-layer-projectors' }
  | { name: 'lvsa'; tau?: number; ramp?: 'linear' | 'cosine' };

export interface DetectorNeckConfig {
  /** Channels of every pyramid level. */
  outChannels: number;
  /** ViTDet scale factors of the patch grid, finest first (stride = patchSize / factor). */
  scaleFactors: number[];
}

export interface DetectorHeadConfig {
  /** A registered head type: 'gfl', 'rotated-fcos', 'oriented-rcnn', … (see `registerHeadType`). */
  type: string;
  /** Extra constructor options of that head type (plain JSON). */
  options?: Record<string, unknown>;
}

export interface DetectorConfig {
  /** Square network input: images are resized (long side) and padded to imageSize × imageSize. */
  imageSize: number;
  backbone: DetectorBackboneConfig;
  /** 0-based indices of the ViT blocks whose outputs are fused (must end with depth − 1). */
  layers: number[];
  fusion: DetectorFusionConfig;
  neck: DetectorNeckConfig;
  /** One head per modality present; a modality without a head cannot be trained or evaluated. */
  heads: Partial<Record<Modality, DetectorHeadConfig>>;
  /** Head-local class lists (class names of the modality). Default: the full SOI-Det list. */
  classes?: Partial<Record<Modality, string[]>>;
  /** Per-modality input normalisation in 0–255 units (default: datasets' DEFAULT_NORMALIZATION). */
  normalization?: Partial<Record<Modality, { mean: number[]; std: number[] }>>;
  /** Seed of the weight initialisation. */
  seed?: number;
}

export type DetectorPresetName = 'tiny' | 'small' | 'paper';
export const DETECTOR_PRESET_NAMES: readonly DetectorPresetName[] = ['tiny', 'small', 'paper'];

/** `{ sar: gfl, rgb: rotated-fcos, ir: rotated-fcos }` — the default routing of the issue. */
export const DEFAULT_HEADS: Readonly<Record<Modality, DetectorHeadConfig>> = {
  sar: { type: 'gfl' },
  rgb: { type: 'rotated-fcos' },
  ir: { type: 'rotated-fcos' },
};

function defaultHeads(): Record<Modality, DetectorHeadConfig> {
  return { sar: { type: 'gfl' }, rgb: { type: 'rotated-fcos' }, ir: { type: 'rotated-fcos' } };
}

/**
 * Named configurations:
 * - `tiny`: CPU minutes on mini-SOI (64 px, dim 96, 4 blocks, patch 8, pyramid strides 2/4/8/16, light heads).
 * - `small`: a ViT-Small-shaped trunk (dim 384, 12 blocks, 6 heads, patch 16) at 384 px, 2-conv heads
 *   (a training step of 4 images at 512 px overflows the 4 GB heap of the wasm backend).
 * - `paper`: InternViT-300M-shaped (dim 1024, 24 blocks, 16 heads, LayerScale 0.1), layers
 *   3/9/18/24 (one-based), SOI-Det's 800-px input, pyramid strides 4/8/16/32. InternViT's patch
 *   is 14 px, which gives no integer stride-4 level at 800 px; the preset uses 16-px patches
 *   (as ViTDet does) — a 14-px checkpoint's patch embedding must be resampled to load.
 */
export function detectorPreset(name: DetectorPresetName, overrides: Partial<DetectorConfig> = {}): DetectorConfig {
  let base: DetectorConfig;
  switch (name) {
    case 'tiny': {
      // Light heads (2 convs of 32 channels) and GFL anchors of 4·stride: 64-px inputs hold small objects.
      // Pyramid strides 2/4/8/16: mini-SOI's cars are ≈ 7 × 3.5 px, narrower than a stride-4 cell, so
      // at strides 4/8/16 many had no FCOS point inside them (measured: RGB small-vehicle AP50 0.01,
      // IR 0.46; with the stride-2 level 0.78 and 0.68, bench/results/detector.json).
      const head = { featChannels: 32, stackedConvs: 2 };
      base = {
        imageSize: 64,
        backbone: { embedDim: 96, depth: 4, numHeads: 3, mlpHiddenDim: 384, patchSize: 8, qkvBias: true, numPrefixTokens: 0, layerNormEps: 1e-6, layerScaleInit: null },
        layers: [1, 3],
        fusion: { name: 'lvsa', tau: 200 },
        neck: { outChannels: 32, scaleFactors: [4, 2, 1, 0.5] },
        heads: { sar: { type: 'gfl', options: { ...head, anchorScale: 4 } }, rgb: { type: 'rotated-fcos', options: head }, ir: { type: 'rotated-fcos', options: head } },
      };
      break;
    }
    case 'small':
      base = {
        imageSize: 384,
        backbone: { embedDim: 384, depth: 12, numHeads: 6, mlpHiddenDim: 1536, patchSize: 16, qkvBias: true, numPrefixTokens: 1, layerNormEps: 1e-6, layerScaleInit: null, dropPathRate: 0.1 },
        layers: [1, 4, 8, 11],
        fusion: { name: 'lvsa', tau: 1000 },
        neck: { outChannels: 128, scaleFactors: [4, 2, 1, 0.5] },
        heads: { sar: { type: 'gfl', options: { stackedConvs: 2 } }, rgb: { type: 'rotated-fcos', options: { stackedConvs: 2 } }, ir: { type: 'rotated-fcos', options: { stackedConvs: 2 } } },
      };
      break;
    case 'paper':
      base = {
        imageSize: 800,
        backbone: { embedDim: 1024, depth: 24, numHeads: 16, mlpHiddenDim: 4096, patchSize: 16, qkvBias: true, numPrefixTokens: 1, layerNormEps: 1e-6, layerScaleInit: 0.1, dropPathRate: 0.1 },
        layers: [2, 8, 17, 23],
        fusion: { name: 'lvsa', tau: 6000 },
        neck: { outChannels: 256, scaleFactors: [4, 2, 1, 0.5] },
        heads: defaultHeads(),
      };
      break;
    default:
      throw new DetectorConfigError('preset', `unknown detector preset ${JSON.stringify(name)} (known: ${DETECTOR_PRESET_NAMES.join(', ')})`);
  }
  const config = { ...base, ...overrides };
  if (overrides.heads) config.heads = mergeHeads(base.heads, overrides.heads);
  validateDetectorConfig(config);
  return config;
}

/**
 * Head overrides replace the preset's heads, but a modality that keeps its preset head type and
 * gives no `options` keeps the preset's options (the tiny preset's light heads survive
 * `heads: { sar: { type: 'gfl' }, … }`).
 */
function mergeHeads(base: DetectorConfig['heads'], over: DetectorConfig['heads']): DetectorConfig['heads'] {
  const out: DetectorConfig['heads'] = {};
  for (const [m, h] of Object.entries(over) as Array<[Modality, DetectorHeadConfig | undefined]>) {
    if (!h) continue;
    const b = base[m];
    out[m] = h.options === undefined && b && b.type === h.type && b.options ? { ...h, options: { ...b.options } } : h;
  }
  return out;
}

/** A configuration error; `path` names the offending field (`backbone.depth`). */
export class DetectorConfigError extends Error {
  override readonly name = 'DetectorConfigError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`detector config ${path}: ${message}`);
  }
}

function positiveInt(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new DetectorConfigError(path, `expected a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

/** Throws a `DetectorConfigError` naming the first invalid field. */
export function validateDetectorConfig(c: DetectorConfig): void {
  if (c === null || typeof c !== 'object') throw new DetectorConfigError('(root)', 'expected an object');
  positiveInt(c.imageSize, 'imageSize');
  const b = c.backbone;
  if (!b || typeof b !== 'object') throw new DetectorConfigError('backbone', 'missing');
  for (const k of ['embedDim', 'depth', 'numHeads', 'mlpHiddenDim', 'patchSize'] as const) positiveInt(b[k], `backbone.${k}`);
  if (b.embedDim % b.numHeads !== 0) throw new DetectorConfigError('backbone.numHeads', `embedDim ${b.embedDim} is not divisible by numHeads ${b.numHeads}`);
  if (c.imageSize % b.patchSize !== 0) throw new DetectorConfigError('imageSize', `${c.imageSize} is not a multiple of backbone.patchSize ${b.patchSize}`);
  if (b.numPrefixTokens !== 0 && b.numPrefixTokens !== 1) throw new DetectorConfigError('backbone.numPrefixTokens', `expected 0 or 1, got ${JSON.stringify(b.numPrefixTokens)}`);
  if (!Array.isArray(c.layers) || c.layers.length === 0) throw new DetectorConfigError('layers', 'expected a non-empty array of 0-based block indices');
  c.layers.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= b.depth) throw new DetectorConfigError(`layers[${i}]`, `block index ${l} is out of range 0..${b.depth - 1}`);
    if (i > 0 && l <= c.layers[i - 1]) throw new DetectorConfigError(`layers[${i}]`, 'indices must be strictly increasing');
  });
  if (c.layers[c.layers.length - 1] !== b.depth - 1) throw new DetectorConfigError('layers', `must end with the last block ${b.depth - 1}, got [${c.layers.join(', ')}]`);
  const fusions = ['last', 'concat', 'sum', 'mean', 'per-layer-projectors', 'lvsa'];
  if (!c.fusion || !fusions.includes(c.fusion.name)) throw new DetectorConfigError('fusion.name', `expected one of ${fusions.join(', ')}, got ${JSON.stringify(c.fusion?.name)}`);
  positiveInt(c.neck?.outChannels, 'neck.outChannels');
  if (!Array.isArray(c.neck.scaleFactors) || c.neck.scaleFactors.length === 0) throw new DetectorConfigError('neck.scaleFactors', 'expected a non-empty array');
  c.neck.scaleFactors.forEach((f, i) => {
    if (![4, 2, 1, 0.5].includes(f)) throw new DetectorConfigError(`neck.scaleFactors[${i}]`, `expected one of 4, 2, 1, 0.5, got ${f}`);
    const stride = b.patchSize / f;
    if (!Number.isInteger(stride)) throw new DetectorConfigError(`neck.scaleFactors[${i}]`, `patchSize ${b.patchSize} / ${f} is not an integer stride`);
    if (c.imageSize % stride !== 0) throw new DetectorConfigError(`neck.scaleFactors[${i}]`, `imageSize ${c.imageSize} is not a multiple of the level's stride ${stride}`);
  });
  if (!c.heads || typeof c.heads !== 'object') throw new DetectorConfigError('heads', 'expected an object { sar?, rgb?, ir? }');
  const headKeys = Object.keys(c.heads);
  if (headKeys.length === 0) throw new DetectorConfigError('heads', 'no head configured');
  for (const k of headKeys) {
    if (!MODALITIES.includes(k as Modality)) throw new DetectorConfigError(`heads.${k}`, `unknown modality (expected ${MODALITIES.join(', ')})`);
    const h = c.heads[k as Modality]!;
    if (!h || typeof h.type !== 'string' || h.type === '') throw new DetectorConfigError(`heads.${k}.type`, 'expected a head type name');
  }
  for (const [m, list] of Object.entries(c.classes ?? {})) {
    if (!MODALITIES.includes(m as Modality)) throw new DetectorConfigError(`classes.${m}`, `unknown modality (expected ${MODALITIES.join(', ')})`);
    if (!Array.isArray(list) || list.length === 0) throw new DetectorConfigError(`classes.${m}`, 'expected a non-empty array of class names');
    const known = SOI_DET_CLASS_SPACES[m as Modality].classes.map((k) => k.name);
    list.forEach((name, i) => {
      if (!known.includes(name)) throw new DetectorConfigError(`classes.${m}[${i}]`, `"${name}" is not a ${m} class (known: ${known.join(', ')})`);
      if (list.indexOf(name) !== i) throw new DetectorConfigError(`classes.${m}[${i}]`, `"${name}" appears twice`);
    });
  }
}

/** Pyramid strides of a config, finest first. */
export function pyramidStrides(c: Pick<DetectorConfig, 'backbone' | 'neck'>): number[] {
  return c.neck.scaleFactors.map((f) => c.backbone.patchSize / f);
}

/** The modalities that have a head, in SOI-Det order (sar, rgb, ir). */
export function configuredModalities(c: Pick<DetectorConfig, 'heads'>): Modality[] {
  return MODALITIES.filter((m) => c.heads[m] !== undefined);
}
