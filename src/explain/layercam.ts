/** LayerCAM (Jiang et al.): positive gradients as elementwise weights. */
import { tf } from '../backend/tf.js';
import { CamExplainer, activationGradients, type CamInputs } from './cam-base.js';

/** LayerCAM: ReLU(sum_k ReLU(dY/dA_k) * A_k). */
export class LayerCAM extends CamExplainer {
  readonly name = 'LayerCAM';
  protected cam(c: CamInputs): tf.Tensor {
    return tf.sum(tf.mul(tf.relu(activationGradients(c)), c.activation), -1);
  }
}
