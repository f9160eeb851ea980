/**
 * The one import point for tfjs in medlens. Prefer functional ops (`tf.sum(x)`); chained methods
 * (`x.sum()`) are installed too because tfjs-layers needs some of them and tfjs-core's Node bundle
 * does not register them.
 */
import '@tensorflow/tfjs-backend-cpu';
import { installChainedOps } from './chained-ops.js';
export * as tf from '@tensorflow/tfjs-core';
export * as tfl from '@tensorflow/tfjs-layers';

installChainedOps();
