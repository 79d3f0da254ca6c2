#!/usr/bin/env node
// Computes reference outputs of ImageProjectiveTransformV3 with
// TensorFlow.js's tf.image.transform (the pinned @tensorflow/tfjs-core and
// -backend-cpu that scripts/install-tfjs.sh installs), for
// projective_test.go:
//
//   node tfjs_transform.js ~/.cache/tfoffload/tfjs/node_modules > tfjs_transform.json
'use strict';
const path = require('path');
const { createRequire } = require('module');
const req = createRequire(path.join(path.resolve(process.argv[2]), 'noop.js'));
const tf = req('@tensorflow/tfjs-core');
req('@tensorflow/tfjs-backend-cpu');

async function main() {
  await tf.setBackend('cpu');
  // One 4x5 image of 2 channels with distinct pixels. (TensorFlow.js's
  // CPU kernel returns after the first image of a batch, leaving the
  // others filled: one image is all it computes as TensorFlow does.)
  const shape = [1, 4, 5, 2];
  const pixels = Array.from({ length: 40 }, (_, i) => (i * 7) % 23 - 5);
  const transforms = {
    // rotation by ~30° about (2, 1.5), a shift, a scale with perspective.
    rotate: [[0.866, -0.5, 1.018, 0.5, 0.866, -0.799, 0, 0]],
    shift: [[1, 0, -1.5, 0, 1, 2.25, 0, 0]],
    perspective: [[1.3, 0.1, -0.7, -0.2, 0.9, 0.4, 0.05, -0.03]],
    stretch: [[0.5, 0, 0.25, 0, 2, -0.5, 0, 0]],
  };
  const out = { version: tf.version_core, shape, pixels, cases: [] };
  for (const [name, t] of Object.entries(transforms)) {
    for (const interpolation of ['nearest', 'bilinear']) {
      for (const fillMode of ['constant', 'reflect', 'wrap', 'nearest']) {
        for (const outputShape of [[4, 5], [3, 7]]) {
          const r = tf.image.transform(tf.tensor4d(pixels, shape, 'float32'), tf.tensor2d(t, [t.length, 8]),
            interpolation, fillMode, 2.5, outputShape);
          out.cases.push({ name, transforms: t.flat(), interpolation: interpolation.toUpperCase(),
            fillMode: fillMode.toUpperCase(), outputShape, output: Array.from(r.dataSync()) });
        }
      }
    }
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
