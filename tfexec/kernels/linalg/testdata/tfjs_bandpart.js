// Computes tfjs_bandpart.json, MatrixBandPart's reference outputs, with
// TensorFlow.js (tf.linalg.bandPart on its CPU backend), on seeded
// inputs:
//
//   node tfjs_bandpart.js NODE_MODULES > tfjs_bandpart.json
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(11);

const cases = [];
for (const shape of [[4, 4], [2, 3, 5], [2, 1, 5, 3]]) {
  const rows = shape[shape.length - 2];
  const cols = shape[shape.length - 1];
  for (const [lower, upper] of [[0, 0], [-1, 0], [0, -1], [1, 2], [-1, -1], [rows, cols], [2, 0]]) {
    const x = tf.tensor(ref.values(r, shape.reduce((a, b) => a * b, 1), -4, 4), shape);
    cases.push({
      name: `${shape.join('x')}_l${lower}_u${upper}`, op: 'MatrixBandPart',
      attrs: { T: { type: 'float32' }, Tindex: { type: 'int64' } },
      inputs: [ref.tensorJSON(x), { dtype: 'int64', shape: [], data: [lower] }, { dtype: 'int64', shape: [], data: [upper] }],
      outputs: [ref.tensorJSON(tf.linalg.bandPart(x, lower, upper))],
      also: ['float64'],
    });
  }
}

ref.write('tfexec/kernels/linalg/testdata/tfjs_bandpart.js', 'TensorFlow.js 4.22.0 tf.linalg.bandPart, CPU backend', cases);
