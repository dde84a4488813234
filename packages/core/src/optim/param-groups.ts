import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import { nameMatcher, type NamePattern } from '../nn/name-pattern.js';
import { layerDecayScale, type VitLayerIdOptions } from './layer-decay.js';

/** A parameter with the dotted name that identifies it across runs (for optimizer state). */
export interface NamedParameter {
  name: string;
  variable: tf.Variable;
}

/** What an optimizer is built from: parameters plus this group's hyper-parameters. */
export interface ParamGroupSpec {
  params: ReadonlyArray<NamedParameter | readonly [string, tf.Variable]>;
  /** Absolute initial lr of this group; default: optimizer lr × lrScale. */
  lr?: number;
  /** Multiplier of the optimizer's lr (layer decay); default 1. */
  lrScale?: number;
  /** Default: the optimizer's weight decay. */
  weightDecay?: number;
  /** For logs and state dicts. */
  name?: string;
}

/** Biases and normalisation weights get no weight decay (timm/BEiT convention). */
export const DEFAULT_NO_DECAY: readonly NamePattern[] = [/(^|\.)bias$/, /(^|\.)[^.]*norm[^.]*\.weight$/i];

export interface ParamGroupsOptions {
  weightDecay: number;
  /** Names that get weight decay 0 (glob or regex); default `DEFAULT_NO_DECAY`. */
  noDecay?: readonly NamePattern[];
  /** Also exempt every parameter of rank ≤ 1 (biases, norm scales, scalars); default true. */
  noDecayRank1?: boolean;
  /** ViT layer-wise lr decay. */
  layerDecay?: { decay: number; depth: number } & VitLayerIdOptions;
  /** Custom per-parameter lr scale (overrides layerDecay). */
  lrScale?: (name: string) => number;
}

/**
 * Splits a module's trainable parameters into groups by (lr scale, weight decay): the no-decay
 * set and, with `layerDecay`, one group per layer. Frozen parameters are left out.
 */
export function paramGroups(source: Module | ReadonlyArray<readonly [string, tf.Variable]>, opts: ParamGroupsOptions): ParamGroupSpec[] {
  const named = Array.isArray(source) ? (source as ReadonlyArray<readonly [string, tf.Variable]>) : (source as Module).namedParameters({ trainableOnly: true });
  const isNoDecay = nameMatcher(opts.noDecay ?? DEFAULT_NO_DECAY);
  const rank1 = opts.noDecayRank1 ?? true;
  const scaleOf = opts.lrScale ?? (opts.layerDecay ? (n: string) => layerDecayScale(n, opts.layerDecay!.depth, opts.layerDecay!.decay, opts.layerDecay) : () => 1);
  const groups = new Map<string, ParamGroupSpec & { params: NamedParameter[] }>();
  for (const [name, variable] of named) {
    const decay = isNoDecay(name) || (rank1 && variable.rank <= 1) ? 0 : opts.weightDecay;
    const lrScale = scaleOf(name);
    const key = `${lrScale}|${decay}`;
    let g = groups.get(key);
    if (!g) {
      g = { name: `lr×${+lrScale.toPrecision(6)}${decay === 0 ? ' no_decay' : ''}`, lrScale, weightDecay: decay, params: [] };
      groups.set(key, g);
    }
    g.params.push({ name, variable });
  }
  return [...groups.values()];
}
