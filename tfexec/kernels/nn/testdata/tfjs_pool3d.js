// Computes tfjs_pool3d.json, AvgPool3D's and MaxPool3D's reference
// outputs, with TensorFlow.js (tf.avgPool3d, tf.maxPool3d on its CPU
// backend), on seeded inputs:
//
//   node tfjs_pool3d.js NODE_MODULES > tfjs_pool3d.json
//
// TensorFlow.js pools NDHWC only; the NCDHW cases transpose its input and
// output with tf.transpose.
//
// Every window is at least as long as its stride: for a shorter one
// TensorFlow.js 4.22's SAME padding goes negative (get3DPadAndOutInfo
// lacks TensorFlow's max(0, ...)) and it pools the wrong elements.
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(5);

const cases = [];
function add(op, name, xShape, ksize, strides, padding, ncdhw) {
  const x = tf.tensor(ref.values(r, xShape.reduce((a, b) => a * b, 1), -3, 3), xShape);
  const fn = op === 'MaxPool3D' ? tf.maxPool3d : tf.avgPool3d;
  let y = fn(x, ksize, strides, padding.toLowerCase(), undefined, 'NDHWC');
  let xin = x;
  const attrs = { T: { type: 'float32' }, padding };
  if (ncdhw) {
    xin = tf.transpose(x, [0, 4, 1, 2, 3]);
    y = tf.transpose(y, [0, 4, 1, 2, 3]);
    attrs.ksize = [1, 1, ...ksize];
    attrs.strides = [1, 1, ...strides];
    attrs.data_format = 'NCDHW';
  } else {
    attrs.ksize = [1, ...ksize, 1];
    attrs.strides = [1, ...strides, 1];
  }
  cases.push({
    name: `${op}_${name}`, op, attrs,
    inputs: [ref.tensorJSON(xin)],
    outputs: [ref.tensorJSON(y)],
    also: op === 'AvgPool3D' ? ['float64'] : [],
  });
}

for (const op of ['AvgPool3D', 'MaxPool3D']) {
  for (const padding of ['SAME', 'VALID']) {
    for (const ncdhw of [false, true]) {
      const fmt = ncdhw ? 'ncdhw' : 'ndhwc';
      add(op, `${padding}_${fmt}_k2s1`, [2, 4, 5, 3, 3], [2, 2, 2], [1, 1, 1], padding, ncdhw);
      add(op, `${padding}_${fmt}_k3s2`, [1, 5, 6, 7, 2], [3, 3, 3], [2, 2, 2], padding, ncdhw);
      add(op, `${padding}_${fmt}_mixed`, [1, 6, 5, 4, 2], [2, 3, 3], [2, 1, 3], padding, ncdhw);
    }
  }
}

ref.write('tfexec/kernels/nn/testdata/tfjs_pool3d.js', 'TensorFlow.js 4.22.0 tf.avgPool3d and tf.maxPool3d, CPU backend', cases);
