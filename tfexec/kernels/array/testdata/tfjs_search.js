// Computes tfjs_search.json, the reference outputs of LowerBound,
// UpperBound and ListDiff, with TensorFlow.js (tf.lowerBound,
// tf.upperBound, tf.setdiff1dAsync on its CPU backend), on seeded inputs:
//
//   node tfjs_search.js NODE_MODULES > tfjs_search.json
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(13);

async function main() {
  const cases = [];
  for (const [rows, n, m] of [[1, 8, 10], [3, 5, 7], [2, 1, 4]]) {
    for (const dtype of ['float32', 'int32']) {
      const sortedRows = [];
      for (let i = 0; i < rows; i++) {
        // Repeated values test the two bounds' difference.
        const row = ref.values(r, n, -4, 4).map((v) => (dtype === 'int32' ? Math.round(v) : Math.round(v * 2) / 2));
        sortedRows.push(...row.sort((a, b) => a - b));
      }
      const vals = ref.values(r, rows * m, -5, 5).map((v) => (dtype === 'int32' ? Math.round(v) : Math.round(v * 2) / 2));
      const sorted = tf.tensor(sortedRows, [rows, n], dtype);
      const values = tf.tensor(vals, [rows, m], dtype);
      for (const [op, fn] of [['LowerBound', tf.lowerBound], ['UpperBound', tf.upperBound]]) {
        cases.push({
          name: `${op}_${rows}x${n}_${m}_${dtype}`, op,
          attrs: { T: { type: dtype }, out_type: { type: 'int32' } },
          inputs: [ref.tensorJSON(sorted), ref.tensorJSON(values)],
          outputs: [ref.tensorJSON(fn(sorted, values))],
          also: dtype === 'float32' ? ['float64'] : [],
        });
      }
    }
  }
  for (const [nx, ny] of [[10, 4], [6, 0], [0, 3], [8, 8]]) {
    for (const dtype of ['float32', 'int32']) {
      const x = tf.tensor(ref.values(r, nx, -4, 4).map(Math.round), [nx], dtype);
      const y = tf.tensor(ref.values(r, ny, -4, 4).map(Math.round), [ny], dtype);
      const [out, idx] = await tf.setdiff1dAsync(x, y);
      cases.push({
        name: `ListDiff_${nx}_${ny}_${dtype}`, op: 'ListDiff',
        attrs: { T: { type: dtype }, out_idx: { type: 'int32' } },
        inputs: [ref.tensorJSON(x), ref.tensorJSON(y)],
        outputs: [ref.tensorJSON(out), ref.tensorJSON(idx)],
        also: dtype === 'float32' ? ['float64'] : [],
      });
    }
  }
  ref.write('tfexec/kernels/array/testdata/tfjs_search.js', 'TensorFlow.js 4.22.0 tf.lowerBound, tf.upperBound, tf.setdiff1dAsync, CPU backend', cases);
}

main();
