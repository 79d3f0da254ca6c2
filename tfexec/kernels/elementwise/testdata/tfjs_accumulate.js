// Computes tfjs_accumulate.json, AccumulateNV2's reference outputs, with
// TensorFlow.js (tf.addN, which sums as AccumulateNV2 does, on its CPU
// backend), on seeded inputs:
//
//   node tfjs_accumulate.js NODE_MODULES > tfjs_accumulate.json
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(19);

const cases = [];
for (const [n, shape] of [[1, [3]], [2, [2, 3]], [5, [4, 2, 3]], [3, []]]) {
  for (const dtype of ['float32', 'int32']) {
    const size = shape.reduce((a, b) => a * b, 1);
    const xs = [];
    for (let i = 0; i < n; i++) {
      const v = ref.values(r, size, -9, 9);
      xs.push(tf.tensor(dtype === 'int32' ? v.map(Math.round) : v, shape, dtype));
    }
    cases.push({
      name: `${n}x${shape.join('x') || 'scalar'}_${dtype}`, op: 'AccumulateNV2',
      attrs: { T: { type: dtype }, N: n },
      inputs: xs.map((x) => ref.tensorJSON(x)),
      outputs: [ref.tensorJSON(tf.addN(xs))],
      also: dtype === 'float32' ? ['float64'] : [],
    });
  }
}
ref.write('tfexec/kernels/elementwise/testdata/tfjs_accumulate.js', 'TensorFlow.js 4.22.0 tf.addN, CPU backend', cases);
