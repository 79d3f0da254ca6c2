// Computes tfjs_conv3d.json, Conv3D's reference outputs, with TensorFlow.js
// (tf.conv3d on its CPU backend), on seeded inputs:
//
//   node tfjs_conv3d.js NODE_MODULES > tfjs_conv3d.json
//
// TensorFlow.js convolves NDHWC only; the NCDHW cases transpose its input
// and output with tf.transpose. Every filter is at least as long as its
// stride: for a shorter one TensorFlow.js 4.22's SAME padding goes
// negative (get3DPadAndOutInfo lacks TensorFlow's max(0, ...)).
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(3);

const cases = [];
function add(name, xShape, fShape, strides, padding, dilations, ncdhw) {
  const x = tf.tensor(ref.values(r, xShape.reduce((a, b) => a * b, 1), -2, 2), xShape);
  const f = tf.tensor(ref.values(r, fShape.reduce((a, b) => a * b, 1), -1, 1), fShape);
  let y = tf.conv3d(x, f, strides, padding.toLowerCase(), 'NDHWC', dilations);
  let xin = x;
  let s5 = [1, ...strides, 1];
  let d5 = [1, ...dilations, 1];
  const attrs = { T: { type: 'float32' }, padding };
  if (ncdhw) {
    xin = tf.transpose(x, [0, 4, 1, 2, 3]);
    y = tf.transpose(y, [0, 4, 1, 2, 3]);
    s5 = [1, 1, ...strides];
    d5 = [1, 1, ...dilations];
    attrs.data_format = 'NCDHW';
  }
  attrs.strides = s5;
  attrs.dilations = d5;
  cases.push({
    name, op: 'Conv3D', attrs,
    inputs: [ref.tensorJSON(xin), ref.tensorJSON(f)],
    outputs: [ref.tensorJSON(y)],
    also: ['float64'],
  });
}

for (const padding of ['SAME', 'VALID']) {
  for (const ncdhw of [false, true]) {
    const fmt = ncdhw ? 'ncdhw' : 'ndhwc';
    add(`${padding}_${fmt}_unit`, [2, 4, 5, 6, 3], [2, 3, 2, 3, 4], [1, 1, 1], padding, [1, 1, 1], ncdhw);
    add(`${padding}_${fmt}_strided`, [1, 5, 7, 6, 2], [3, 2, 3, 2, 3], [2, 1, 3], padding, [1, 1, 1], ncdhw);
    add(`${padding}_${fmt}_dilated`, [1, 6, 5, 7, 2], [2, 2, 3, 2, 2], [1, 1, 1], padding, [2, 1, 2], ncdhw);
  }
}
add('SAME_ndhwc_1x1x1', [1, 3, 3, 3, 5], [1, 1, 1, 5, 2], [1, 1, 1], 'SAME', [1, 1, 1], false);
add('VALID_ndhwc_whole', [1, 2, 3, 4, 2], [2, 3, 4, 2, 3], [1, 1, 1], 'VALID', [1, 1, 1], false);

ref.write('tfexec/kernels/conv/testdata/tfjs_conv3d.js', 'TensorFlow.js 4.22.0 tf.conv3d, CPU backend', cases);
