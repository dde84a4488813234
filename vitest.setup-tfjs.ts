// Test setup of the packages that use tfjs: tests that stay on tfjs's cpu backend (without
// `initBackend`, which already does this) would each print tfjs's "install tfjs-node" banner
// on their first tensor write — 20 copies per `npm test`. Mark it as shown once, up front.
import * as tf from '@tensorflow/tfjs';

const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
