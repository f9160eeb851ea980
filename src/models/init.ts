/**
 * Seeded initializers: every weight of a zoo model is drawn from a seed derived from the
 * build seed in layer order, so the same seed always gives the same weights (on every backend:
 * tfjs' seeded random ops use their own PRNG, not the backend's).
 */
import { tfl } from '../backend/tf.js';
import { Rng } from '../util/random.js';

type Initializer = ReturnType<typeof tfl.initializers.zeros>;

/** Hands out seeded initializers, one fresh seed per call. */
export class SeededInit {
  private readonly rng: Rng;

  constructor(seed = 0) {
    this.rng = new Rng(seed);
  }

  /** A fresh 31-bit seed (for dropout layers and custom layers). */
  seed(): number {
    return this.rng.int(0x7fffffff);
  }

  /** He (Kaiming) normal, fan-out, as torchvision initialises conv kernels before ReLU. */
  conv(): Initializer {
    return tfl.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: this.seed() });
  }

  /** Glorot uniform, the Keras default for dense and recurrent kernels. */
  dense(): Initializer {
    return tfl.initializers.glorotUniform({ seed: this.seed() });
  }

  /** Truncated normal with std 0.02, as ViT initialises its embeddings and projections. */
  small(): Initializer {
    return tfl.initializers.truncatedNormal({ mean: 0, stddev: 0.02, seed: this.seed() });
  }
}
