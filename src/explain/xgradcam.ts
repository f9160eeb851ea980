/** XGrad-CAM (Fu et al.): channel weights = sum(dY/dA * A) / sum(A) over the grid. */
import { tf } from '../backend/tf.js';
import { CamExplainer, activationGradients, gridAxes, weightedSum, type CamInputs } from './cam-base.js';

/** XGrad-CAM, as pytorch-grad-cam (eps 1e-7 in the denominator). */
export class XGradCAM extends CamExplainer {
  readonly name = 'XGradCAM';
  protected cam(c: CamInputs): tf.Tensor {
    const g = activationGradients(c);
    const axes = gridAxes(g);
    const w = tf.div(tf.sum(tf.mul(g, c.activation), axes), tf.add(tf.sum(c.activation, axes), 1e-7));
    return weightedSum(c.activation, w);
  }
}
