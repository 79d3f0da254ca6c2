// Computes tfjs_bincount.json, the reference outputs of Bincount and
// DenseBincount, with TensorFlow.js (tf.bincount, tf.denseBincount on its
// CPU backend), on seeded inputs:
//
//   node tfjs_bincount.js NODE_MODULES > tfjs_bincount.json
//
// TensorFlow.js 4.22's denseBincount ignores binaryOutput for a vector:
// those cases count the vector as a one-row matrix.
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(17);

const cases = [];
function denseBincount(x, w, size, binary) {
  if (x.rank !== 1 || !binary) return tf.denseBincount(x, w, size, binary);
  const row = tf.denseBincount(tf.reshape(x, [1, -1]), w.size ? tf.reshape(w, [1, -1]) : w, size, true);
  return tf.reshape(row, [size]);
}
const ints = (n, hi) => ref.values(r, n, 0, hi).map(Math.floor);
for (const size of [0, 4, 9]) {
  for (const weighted of [false, true]) {
    const x = tf.tensor(ints(12, 8), [12], 'int32');
    const w = weighted ? tf.tensor(ref.values(r, 12, -2, 2), [12]) : tf.tensor([], [0]);
    const tag = `${size}_${weighted ? 'weighted' : 'counts'}`;
    cases.push({
      name: `Bincount_${tag}`, op: 'Bincount', attrs: { T: { type: 'float32' } },
      inputs: [ref.tensorJSON(x), { dtype: 'int32', shape: [], data: [size] }, ref.tensorJSON(w)],
      outputs: [ref.tensorJSON(tf.bincount(x, w, size))],
      also: ['float64'],
    });
    for (const binary of [false, true]) {
      for (const shape of [[12], [3, 4]]) {
        const xs = tf.reshape(x, shape);
        const ws = weighted ? tf.reshape(w, shape) : w;
        cases.push({
          name: `DenseBincount_${tag}_${shape.join('x')}_binary${binary}`, op: 'DenseBincount',
          attrs: { T: { type: 'float32' }, Tidx: { type: 'int32' }, binary_output: binary },
          inputs: [ref.tensorJSON(xs), { dtype: 'int32', shape: [], data: [size] }, ref.tensorJSON(ws)],
          outputs: [ref.tensorJSON(denseBincount(xs, ws, size, binary))],
          also: ['float64'],
        });
      }
    }
  }
}
ref.write('tfexec/kernels/reduce/testdata/tfjs_bincount.js', 'TensorFlow.js 4.22.0 tf.bincount, tf.denseBincount, CPU backend', cases);
