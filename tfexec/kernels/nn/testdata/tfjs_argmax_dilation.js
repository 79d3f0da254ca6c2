// Computes tfjs_argmax_dilation.json, the reference outputs of
// MaxPoolWithArgmax and Dilation2D, with TensorFlow.js
// (tf.maxPoolWithArgmax, tf.dilation2d on its CPU backend), on seeded
// inputs:
//
//   node tfjs_argmax_dilation.js NODE_MODULES > tfjs_argmax_dilation.json
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(23);

const cases = [];
const size = (s) => s.reduce((a, b) => a * b, 1);
for (const padding of ['SAME', 'VALID']) {
  for (const [k, s] of [[[2, 2], [2, 2]], [[3, 2], [1, 2]], [[3, 3], [2, 1]]]) {
    for (const withBatch of [false, true]) {
      const x = tf.tensor(ref.values(r, size([2, 5, 6, 3]), -3, 3), [2, 5, 6, 3]);
      const { result, indexes } = tf.maxPoolWithArgmax(x, k, s, padding.toLowerCase(), withBatch);
      cases.push({
        name: `MaxPoolWithArgmax_${padding}_k${k.join('x')}_s${s.join('x')}_batch${withBatch}`, op: 'MaxPoolWithArgmax',
        attrs: { T: { type: 'float32' }, Targmax: { type: 'int64' }, ksize: [1, ...k, 1], strides: [1, ...s, 1], padding, include_batch_in_index: withBatch },
        inputs: [ref.tensorJSON(x)],
        outputs: [ref.tensorJSON(result), ref.tensorJSON(indexes, 'int64')],
        also: ['float64'],
      });
    }
  }
  for (const [fs, s, rate] of [[[2, 2], [1, 1], [1, 1]], [[3, 2], [2, 1], [1, 1]], [[2, 3], [1, 1], [2, 2]]]) {
    const x = tf.tensor(ref.values(r, size([2, 6, 5, 3]), -3, 3), [2, 6, 5, 3]);
    const f = tf.tensor(ref.values(r, size([...fs, 3]), -1, 1), [...fs, 3]);
    cases.push({
      name: `Dilation2D_${padding}_f${fs.join('x')}_s${s.join('x')}_r${rate.join('x')}`, op: 'Dilation2D',
      attrs: { T: { type: 'float32' }, strides: [1, ...s, 1], rates: [1, ...rate, 1], padding },
      inputs: [ref.tensorJSON(x), ref.tensorJSON(f)],
      outputs: [ref.tensorJSON(tf.dilation2d(x, f, s, padding.toLowerCase(), rate))],
      also: ['float64'],
    });
  }
}
ref.write('tfexec/kernels/nn/testdata/tfjs_argmax_dilation.js', 'TensorFlow.js 4.22.0 tf.maxPoolWithArgmax, tf.dilation2d, CPU backend', cases);
