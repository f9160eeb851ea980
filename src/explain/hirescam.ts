/** HiResCAM (Draelos & Carin): elementwise gradient x activation, summed over channels. */
import { tf } from '../backend/tf.js';
import { CamExplainer, activationGradients, type CamInputs } from './cam-base.js';

/** HiResCAM: ReLU(sum_k dY/dA_k * A_k), faithful to the model's computation for CNN heads. */
export class HiResCAM extends CamExplainer {
  readonly name = 'HiResCAM';
  protected cam(c: CamInputs): tf.Tensor {
    return tf.sum(tf.mul(activationGradients(c), c.activation), -1);
  }
}
