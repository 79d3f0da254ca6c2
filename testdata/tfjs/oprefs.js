// Helpers for the programs that compute op reference files with
// TensorFlow.js (tfexec/kernels/*/testdata/tfjs_*.js): each program
// builds cases from seeded inputs, runs the TensorFlow.js op on its CPU
// backend and prints the file kerneltest.RunReferences reads. A Go test
// (kerneltest.CheckGenerator) reruns the program and compares its output
// with the committed file.
//
//   node PROGRAM.js NODE_MODULES > PROGRAM.json
'use strict';

const path = require('path');
const { createRequire } = require('module');

// load returns tfjs-core on the CPU backend, from the node_modules folder
// given as the program's argument.
function load() {
  if (process.argv.length !== 3) {
    process.stderr.write('usage: node PROGRAM.js NODE_MODULES\n');
    process.exit(1);
  }
  const req = createRequire(path.join(path.resolve(process.argv[2]), 'noop.js'));
  const tf = req('@tensorflow/tfjs-core');
  req('@tensorflow/tfjs-backend-cpu');
  tf.setBackend('cpu');
  return tf;
}

// rng returns a seeded generator of uniform values in [lo, hi), rounded
// to 1/64 so that every input is exact in float32 and float64 alike
// (a 32-bit linear congruential generator: the same on every machine).
function rng(seed) {
  let s = seed >>> 0;
  return (lo, hi) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.round((lo + (hi - lo) * (s / 4294967296)) * 64) / 64;
  };
}

// values returns n values drawn from r in [lo, hi).
function values(r, n, lo, hi) {
  const v = [];
  for (let i = 0; i < n; i++) v.push(r(lo, hi));
  return v;
}

// encode writes one tensor's values for JSON: NaN and the infinities as
// strings, bools as bools.
function encode(data) {
  return Array.from(data, (x) => {
    if (typeof x === 'boolean') return x;
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    return x;
  });
}

// tensorJSON describes a tf.Tensor (or {dtype, shape, data}) for the file;
// dtype overrides the tensor's own (TensorFlow.js computes integers as
// int32 and has no int64).
function tensorJSON(t, dtype) {
  if (t.dataSync) {
    return { dtype: dtype || t.dtype, shape: t.shape, data: encode(t.dataSync()) };
  }
  return { dtype: dtype || t.dtype, shape: t.shape, data: encode(t.data) };
}

// write prints the reference file.
function write(generator, source, cases) {
  const doc = { generator, source, cases };
  process.stdout.write(JSON.stringify(doc, null, 0).replace(/\{"name"/g, '\n{"name"') + '\n');
}

module.exports = { load, rng, values, tensorJSON, write };
