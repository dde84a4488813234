/**
 * The demo's model: ONE encoder shared by SAR, RGB and IR crops and ONE head over the shared
 * concept vocabulary. It stands in for the real pipeline's ViT + language model at toy scale:
 * the point it shows is that a single set of weights serves every modality when the labels are
 * modality-independent concept names.
 *
 *   crop [B, 3, S, S] → flatten [B, 3·S·S] → fc1 → GELU → LayerNorm → fc2 → GELU  (encoder)
 *                     → head [B, V] logits over the concept vocabulary
 */
import { GELU, LayerNorm, Linear, Module, Rng, tf } from '@babelrs/core';

export interface ConceptClassifierOptions {
  /** Values per input crop (3·S·S). */
  inFeatures: number;
  /** Concept vocabulary size V. */
  numConcepts: number;
  /** Width of the encoder's hidden layer (default 128). */
  hidden?: number;
  /** Width of the shared embedding (default 64). */
  embed?: number;
  /** Seed for the weight initialisation (default 0). */
  seed?: number;
}

/** Shared encoder: flatten → Linear → GELU → LayerNorm → Linear → GELU. */
export class SharedEncoder extends Module {
  readonly fc1: Linear;
  readonly act1: GELU;
  readonly norm: LayerNorm;
  readonly fc2: Linear;
  readonly act2: GELU;

  constructor(
    readonly inFeatures: number,
    hidden: number,
    readonly embed: number,
    rng: Rng,
  ) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(inFeatures, hidden, { rng }));
    this.act1 = this.registerModule('act1', new GELU());
    this.norm = this.registerModule('norm', new LayerNorm(hidden));
    this.fc2 = this.registerModule('fc2', new Linear(hidden, embed, { rng }));
    this.act2 = this.registerModule('act2', new GELU());
  }

  /** x: [B, ...] (flattened to [B, inFeatures]) → [B, embed]. */
  forward(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = x.reshape([x.shape[0], -1]);
      if (flat.shape[1] !== this.inFeatures) throw new Error(`SharedEncoder: expected ${this.inFeatures} values per crop, got input shape [${x.shape}]`);
      const h = this.norm.forward(this.act1.forward(this.fc1.forward(flat)));
      return this.act2.forward(this.fc2.forward(h)) as tf.Tensor2D;
    });
  }
}

export class ConceptClassifier extends Module {
  readonly encoder: SharedEncoder;
  readonly head: Linear;
  readonly numConcepts: number;

  constructor(opts: ConceptClassifierOptions) {
    super();
    const { inFeatures, numConcepts, hidden = 128, embed = 64, seed = 0 } = opts;
    for (const [k, v] of Object.entries({ inFeatures, numConcepts, hidden, embed })) {
      if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`ConceptClassifier: ${k} must be a positive integer, got ${v}`);
    }
    // Separate streams so changing the head never shifts the encoder's initial weights.
    const rng = new Rng(seed);
    this.numConcepts = numConcepts;
    this.encoder = this.registerModule('encoder', new SharedEncoder(inFeatures, hidden, embed, rng.fork('encoder')));
    this.head = this.registerModule('head', new Linear(embed, numConcepts, { rng: rng.fork('head') }));
  }

  /** x: [B, 3, S, S] or [B, 3·S·S] → concept logits [B, V]. */
  forward(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.head.forward(this.encoder.forward(x)) as tf.Tensor2D);
  }

  /** Softmax probabilities [B, V] (float32, outside any autocast rounding). */
  predictProba(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.forward(x)) as tf.Tensor2D);
  }
}
