#!/usr/bin/env node
// Computes reference outputs of RaggedGather and RaggedTensorToTensor with
// TensorFlow.js (the pinned @tensorflow/tfjs-core and -backend-cpu that
// scripts/install-tfjs.sh installs), for ragged_test.go:
//
//   node tfjs_ragged.js ~/.cache/tfoffload/tfjs/node_modules > tfjs_ragged.json
'use strict';
const path = require('path');
const { createRequire } = require('module');
const req = createRequire(path.join(path.resolve(process.argv[2]), 'noop.js'));
const tf = req('@tensorflow/tfjs-core');
req('@tensorflow/tfjs-backend-cpu');

async function main() {
  await tf.setBackend('cpu');
  const out = { version: tf.version_core, gather: [], toTensor: [] };
  // [[a, b], [], [c, d, e], [f]] and a two-level [[[1, 2], [3]], [], [[4, 5, 6]]].
  const gathers = [
    { splits: [[0, 2, 2, 5, 6]], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], indices: [3, 0, 2, 1, 2], indicesShape: [5] },
    { splits: [[0, 2, 2, 5, 6]], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], indices: [2, 0, 3, 3], indicesShape: [2, 2] },
    { splits: [[0, 2, 2, 3], [0, 2, 3, 6]], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], indices: [2, 1, 0], indicesShape: [3] },
    { splits: [[0, 1, 3]], values: [1, 2, 3, 4, 5, 6], valuesShape: [3, 2], indices: [1, 1, 0], indicesShape: [3] },
  ];
  for (const g of gathers) {
    const outputRaggedRank = g.splits.length + g.indicesShape.length - 1;
    const r = tf.raggedGather(g.splits.map((s) => tf.tensor1d(s, 'int32')), tf.tensor(g.values, g.valuesShape, 'float32'),
      tf.tensor(g.indices, g.indicesShape, 'int32'), outputRaggedRank);
    out.gather.push({ ...g, outputSplits: r.outputNestedSplits.map((t) => Array.from(t.dataSync())),
      outputValues: Array.from(r.outputDenseValues.dataSync()), outputValuesShape: r.outputDenseValues.shape });
  }
  const toTensors = [
    // The natural shape (TensorFlow.js wants the rank: -1 per dimension);
    // then cut and padded; then values of shape [2] each. TensorFlow.js
    // pads with zeros where a default of a value's shape ([7, 8]) is given,
    // where TensorFlow pads with it, so only scalar defaults are taken.
    { shape: [-1, -1], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: 0, defaultShape: [],
      partitions: [[0, 2, 2, 5, 6]], types: ['ROW_SPLITS'] },
    { shape: [3, 2], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: -1, defaultShape: [],
      partitions: [[0, 2, 2, 5, 6]], types: ['ROW_SPLITS'] },
    { shape: [5, 4], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: 9, defaultShape: [],
      partitions: [[0, 2, 2, 5, 6]], types: ['ROW_SPLITS'] },
    { shape: [-1, -1, 2], values: [1, 2, 3, 4, 5, 6], valuesShape: [3, 2], defaultValue: 7, defaultShape: [],
      partitions: [[0, 1, 1, 3]], types: ['ROW_SPLITS'] },
    { shape: [-1, -1], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: 0, defaultShape: [],
      partitions: [4, [0, 0, 2, 2, 2, 3]], types: ['FIRST_DIM_SIZE', 'VALUE_ROWIDS'] },
    { shape: [3, 2], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: 0, defaultShape: [],
      partitions: [4, [0, 0, 2, 2, 2, 3]], types: ['FIRST_DIM_SIZE', 'VALUE_ROWIDS'] },
    { shape: [-1, -1, -1], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: 0, defaultShape: [],
      partitions: [[0, 2, 2, 3], [0, 2, 3, 6]], types: ['ROW_SPLITS', 'ROW_SPLITS'] },
    { shape: [2, 1, 2], values: [1, 2, 3, 4, 5, 6], valuesShape: [6], defaultValue: 0, defaultShape: [],
      partitions: [[0, 2, 2, 3], [0, 2, 3, 6]], types: ['ROW_SPLITS', 'ROW_SPLITS'] },
  ];
  for (const c of toTensors) {
    const parts = c.partitions.map((p) => (Array.isArray(p) ? tf.tensor1d(p, 'int32') : tf.scalar(p, 'int32')));
    const shapeT = tf.tensor1d(c.shape, 'int32');
    const r = tf.raggedTensorToTensor(shapeT, tf.tensor(c.values, c.valuesShape, 'float32'),
      tf.tensor(c.defaultValue, c.defaultShape, 'float32'), parts, c.types);
    out.toTensor.push({ ...c, output: Array.from(r.dataSync()), outputShape: r.shape });
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
