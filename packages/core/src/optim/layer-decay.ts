/**
 * Layer-wise learning-rate decay for ViTs (BEiT; detectron2 `get_vit_lr_decay_rate`):
 * embeddings are layer 0, `blocks.i.*` is layer i+1, everything else (final norm, necks, heads)
 * is layer depth+1, and a parameter's lr is scaled by decay^(depth + 1 − layer). Deeper layers
 * keep more of the base lr; the heads keep all of it.
 */
export interface VitLayerIdOptions {
  /** Name segments that mark embedding parameters (layer 0). */
  embedNames?: readonly string[];
  /** Captures the block index; default matches `blocks.<i>.` anywhere in the name. */
  blockPattern?: RegExp;
}

export const DEFAULT_EMBED_NAMES: readonly string[] = ['patch_embed', 'pos_embed', 'cls_token', 'reg_token', 'dist_token', 'mask_token'];

export function vitLayerId(name: string, depth: number, opts: VitLayerIdOptions = {}): number {
  const embed = opts.embedNames ?? DEFAULT_EMBED_NAMES;
  const segments = name.split('.');
  if (segments.some((s) => embed.includes(s))) return 0;
  const m = (opts.blockPattern ?? /(?:^|\.)blocks\.(\d+)\./).exec(name);
  if (m) {
    const i = Number(m[1]);
    if (i >= depth) throw new RangeError(`vitLayerId: "${name}" has block index ${i} but depth is ${depth}`);
    return i + 1;
  }
  return depth + 1;
}

/** decay^(depth + 1 − layerId) for the parameter `name`. */
export function layerDecayScale(name: string, depth: number, decay: number, opts: VitLayerIdOptions = {}): number {
  if (!(decay > 0 && decay <= 1)) throw new RangeError(`layerDecayScale: decay must be in (0, 1], got ${decay}`);
  return decay ** (depth + 1 - vitLayerId(name, depth, opts));
}
