// Computes tfjs_einsum.json, Einsum's reference outputs, with
// TensorFlow.js on its CPU backend, on seeded inputs:
//
//   node tfjs_einsum.js NODE_MODULES > tfjs_einsum.json
//
// tf.einsum takes at most two operands without an ellipsis or a label
// repeated in one operand. The equations with an ellipsis are computed
// by tf.einsum on operands tf.broadcastTo gave the broadcast shape, with
// the ellipsis written out as letters; the diagonals by tf.mul with
// tf.eye and tf.sum. Left out: a label of one operand of two that the
// output drops ('ij,jk->k'), which TensorFlow.js 4.22 leaves unsummed:
// that case sums tf.einsum's 'ij,jk->ik' with tf.sum.
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();
const r = ref.rng(7);

const cases = [];
function operand(shape, dtype) {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'int32') return tf.tensor(ref.values(r, n, -8, 8).map(Math.round), shape, 'int32');
  return tf.tensor(ref.values(r, n, -2, 2), shape);
}
function add(name, equation, shapes, dtype, compute) {
  const xs = shapes.map((s) => operand(s, dtype));
  const y = compute ? compute(...xs) : tf.einsum(equation, ...xs);
  cases.push({
    name, op: 'Einsum',
    attrs: { T: { type: dtype }, N: xs.length, equation },
    inputs: xs.map((x) => ref.tensorJSON(x)),
    outputs: [ref.tensorJSON(y)],
    also: dtype === 'float32' ? ['float64'] : [],
  });
}

for (const dtype of ['float32', 'int32']) {
  add(`matmul_${dtype}`, 'ij,jk->ik', [[3, 4], [4, 5]], dtype);
  add(`batch_matmul_${dtype}`, 'bij,bjk->bik', [[2, 3, 4], [2, 4, 2]], dtype);
  add(`attention_${dtype}`, 'bhqd,bhkd->bhqk', [[1, 2, 3, 4], [1, 2, 5, 4]], dtype);
  add(`outer_${dtype}`, 'i,j->ij', [[3], [4]], dtype);
  add(`dot_${dtype}`, 'i,i->', [[6], [6]], dtype);
}
add('transpose', 'ij->ji', [[3, 4]], 'float32');
add('sum_all', 'ij->', [[3, 4]], 'float32');
add('sum_rows', 'ij->i', [[3, 4]], 'float32');
add('permute3', 'abc->cab', [[2, 3, 4]], 'float32');
add('contract_two', 'ijk,jil->kl', [[2, 3, 4], [3, 2, 5]], 'float32');
add('dense', 'abc,cd->abd', [[2, 3, 4], [4, 5]], 'float32');
add('sum_free_left', 'ij,jk->k', [[3, 4], [4, 2]], 'float32', (a, b) => tf.sum(tf.einsum('ij,jk->ik', a, b), 0));
add('upper_labels', 'aB,Bc->ac', [[2, 3], [3, 2]], 'float32');

add('ellipsis_batch_broadcast', '...ij,...jk->...ik', [[2, 3, 4, 5], [3, 5, 2]], 'float32',
  (a, b) => tf.einsum('xyij,xyjk->xyik', a, tf.broadcastTo(b, [2, 3, 5, 2])));
add('ellipsis_size_one', '...i,...i->...', [[4, 1, 3], [5, 3]], 'float32',
  (a, b) => tf.einsum('xyi,xyi->xy', tf.broadcastTo(a, [4, 5, 3]), tf.broadcastTo(b, [4, 5, 3])));
add('ellipsis_leading', 'i...->...i', [[3, 2, 4]], 'float32', (a) => tf.einsum('ixy->xyi', a));
add('diagonal', 'ii->i', [[4, 4]], 'float32', (a) => tf.sum(tf.mul(a, tf.eye(4)), 1));
add('trace', 'ii->', [[4, 4]], 'float32', (a) => tf.sum(tf.mul(a, tf.eye(4))));
add('batch_diagonal', 'bii->bi', [[2, 3, 3]], 'float32', (a) => tf.sum(tf.mul(a, tf.eye(3)), 2));

ref.write('tfexec/kernels/linalg/testdata/tfjs_einsum.js', 'TensorFlow.js 4.22.0 tf.einsum (and tf.broadcastTo, tf.mul, tf.eye, tf.sum), CPU backend', cases);
