/** Grad-CAM (Selvaraju et al.): channel weights = spatial mean of the activation gradients. */
import { tf } from '../backend/tf.js';
import { CamExplainer, activationGradients, gridAxes, weightedSum, type CamInputs } from './cam-base.js';

/** Grad-CAM: ReLU(sum_k mean(dY/dA_k) A_k). */
export class GradCAM extends CamExplainer {
  readonly name = 'GradCAM';
  protected cam(c: CamInputs): tf.Tensor {
    const g = activationGradients(c);
    return weightedSum(c.activation, tf.mean(g, gridAxes(g)));
  }
}
