// Head types by name, so a config string ('gfl', 'rotated-fcos', 'oriented-rcnn', …) picks the
// head class of a modality. Packages that bring a new head register it once at import time.
import type { DetectionHead } from '@babelrs/det-heads';

export interface HeadFactoryOptions {
  numClasses: number;
  /** Channels of every pyramid level. */
  inChannels: number;
  /** Pyramid strides, finest first. */
  strides: number[];
  /** Seed of the head's initialisation. */
  seed: number;
  /** The config's `heads.<modality>.options` (plain JSON). */
  options: Record<string, unknown>;
}

export type HeadFactory = (opts: HeadFactoryOptions) => DetectionHead;

const registry = new Map<string, HeadFactory>();

/** Registers (or, with `replace`, re-registers) a head type under `name`. */
export function registerHeadType(name: string, factory: HeadFactory, opts: { replace?: boolean } = {}): void {
  if (typeof name !== 'string' || name === '') throw new TypeError('registerHeadType: name must be a non-empty string');
  if (typeof factory !== 'function') throw new TypeError(`registerHeadType: factory of "${name}" is not a function`);
  if (registry.has(name) && !opts.replace) throw new Error(`registerHeadType: head type "${name}" is already registered (pass { replace: true } to override it)`);
  registry.set(name, factory);
}

/** The registered head type names, sorted. */
export function headTypes(): string[] {
  return [...registry.keys()].sort();
}

/** Builds a head of a registered type; unknown names list the known ones. */
export function createHead(type: string, opts: HeadFactoryOptions): DetectionHead {
  const factory = registry.get(type);
  if (!factory) throw new Error(`unknown head type "${type}" (registered: ${headTypes().join(', ') || 'none'})`);
  const head = factory(opts);
  if (head.numClasses !== opts.numClasses) throw new Error(`head type "${type}" built a head with ${head.numClasses} classes, asked for ${opts.numClasses}`);
  return head;
}
