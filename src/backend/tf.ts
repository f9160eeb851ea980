/**
 * The one import point for tfjs in medlens. Use functional ops (`tf.sum(x)`, not `x.sum()`):
 * tfjs-core's Node bundle does not register chained ops, and functional ops bundle cleanly
 * for the browser.
 */
import '@tensorflow/tfjs-backend-cpu';
export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';
