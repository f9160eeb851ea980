/**
 * Grad-CAM++ (Chattopadhay et al.), with the exponential-free closed form used by
 * pytorch-grad-cam: alpha = g^2 / (2 g^2 + sum(A) g^3), weights = sum(alpha * ReLU(g)).
 */
import { tf } from '../backend/tf.js';
import { CamExplainer, activationGradients, gridAxes, weightedSum, type CamInputs } from './cam-base.js';

/** Grad-CAM++. */
export class GradCAMPlusPlus extends CamExplainer {
  readonly name = 'GradCAMPlusPlus';
  protected cam(c: CamInputs): tf.Tensor {
    const g = activationGradients(c);
    const axes = gridAxes(g);
    const g2 = tf.square(g), g3 = tf.mul(g2, g);
    const sumA = tf.sum(c.activation, axes, true);
    const alpha = tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(sumA, g3)), 1e-7));
    const a = tf.where(tf.notEqual(g, 0), alpha, tf.zerosLike(alpha));
    return weightedSum(c.activation, tf.sum(tf.mul(tf.relu(g), a), axes));
  }
}
