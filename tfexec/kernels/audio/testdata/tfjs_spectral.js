#!/usr/bin/env node
// Computes reference outputs of FFT, IFFT, RFFT and IRFFT with
// TensorFlow.js (the pinned @tensorflow/tfjs-core and -backend-cpu that
// scripts/install-tfjs.sh installs), for spectral_test.go:
//
//   node tfjs_spectral.js ~/.cache/tfoffload/tfjs/node_modules > tfjs_spectral.json
//
// Inputs come from a fixed linear congruential sequence, so the file
// records them too. TensorFlow.js computes in float32.
'use strict';
const path = require('path');
const { createRequire } = require('module');
const req = createRequire(path.join(path.resolve(process.argv[2]), 'noop.js'));
const tf = req('@tensorflow/tfjs-core');
req('@tensorflow/tfjs-backend-cpu');

let state = 12345;
function next() {
  state = (state * 1103515245 + 12345) % 2147483648;
  return Math.round((state / 2147483648 * 2 - 1) * 1000) / 1000;
}
function values(n) {
  return Array.from({ length: n }, next);
}

async function main() {
  await tf.setBackend('cpu');
  const out = { version: tf.version_core, complex: [], real: [] };
  // Rows of lengths that are powers of two and not (TensorFlow.js's own
  // FFT switches between radix 2 and a direct DFT the same way).
  for (const [rows, n] of [[1, 1], [2, 4], [3, 5], [2, 8], [1, 12], [2, 7]]) {
    const re = values(rows * n), im = values(rows * n);
    const x = tf.complex(tf.tensor2d(re, [rows, n]), tf.tensor2d(im, [rows, n]));
    const f = tf.spectral.fft(x), g = tf.spectral.ifft(x);
    out.complex.push({ shape: [rows, n], re, im,
      fftRe: Array.from(tf.real(f).dataSync()), fftIm: Array.from(tf.imag(f).dataSync()),
      ifftRe: Array.from(tf.real(g).dataSync()), ifftIm: Array.from(tf.imag(g).dataSync()) });
  }
  for (const [rows, n, len] of [[2, 8, 8], [2, 6, 6], [1, 5, 8], [3, 9, 4], [1, 7, 7]]) {
    const x = values(rows * n);
    const f = tf.spectral.rfft(tf.tensor2d(x, [rows, n]), len);
    const bins = f.shape[1];
    // irfft of the rfft output, at TensorFlow.js's implied length
    // 2*(bins-1).
    const g = tf.spectral.irfft(f);
    out.real.push({ shape: [rows, n], fftLength: len, x,
      rfftRe: Array.from(tf.real(f).dataSync()), rfftIm: Array.from(tf.imag(f).dataSync()), bins,
      irfftLength: g.shape[1], irfft: Array.from(g.dataSync()) });
  }
  // The 2-D and 3-D transforms: TensorFlow.js has only the 1-D ones, so
  // they are composed here from its 1-D FFT along each axis (moved last by
  // a transpose), as the multi-dimensional DFT is.
  const alongAxis = (x, axis, f) => {
    const r = x.shape.length;
    const perm = [...Array(r).keys()];
    [perm[axis], perm[r - 1]] = [perm[r - 1], perm[axis]];
    return tf.transpose(f(tf.transpose(x, perm)), perm);
  };
  out.multi = [];
  for (const [shape, rank] of [[[2, 3, 4], 2], [[3, 5], 2], [[2, 3, 4, 2], 3], [[3, 4, 5], 3]]) {
    const size = shape.reduce((a, b) => a * b, 1);
    const re = values(size), im = values(size);
    let f = tf.complex(tf.tensor(re, shape), tf.tensor(im, shape));
    let g = f;
    for (let a = shape.length - rank; a < shape.length; a++) {
      f = alongAxis(f, a, tf.spectral.fft);
      g = alongAxis(g, a, tf.spectral.ifft);
    }
    out.multi.push({ shape, rank, re, im,
      fftRe: Array.from(tf.real(f).dataSync()), fftIm: Array.from(tf.imag(f).dataSync()),
      ifftRe: Array.from(tf.real(g).dataSync()), ifftIm: Array.from(tf.imag(g).dataSync()) });
  }
  // RFFT2D/3D: crop or pad each transformed dimension, RFFT the last, FFT
  // the others; IRFFT2D/3D of that spectrum at even lengths (TensorFlow.js
  // infers the last length as 2*(bins-1)): IFFT the outer axes, IRFFT the
  // last.
  const fit = (x, dims) => {
    const r = x.shape.length, k = dims.length;
    const begin = x.shape.map(() => 0);
    const size = x.shape.map((d, i) => (i < r - k ? d : Math.min(d, dims[i - (r - k)])));
    let y = tf.slice(x, begin, size);
    const pad = y.shape.map((d, i) => [0, i < r - k ? 0 : dims[i - (r - k)] - d]);
    return tf.pad(y, pad);
  };
  out.realMulti = [];
  for (const [shape, dims] of [[[2, 3, 4], [3, 4]], [[3, 5], [2, 6]], [[2, 4, 3, 5], [4, 2, 6]], [[5, 4], [6, 8]]]) {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = values(size);
    const rank = dims.length;
    let f = tf.spectral.rfft(fit(tf.tensor(x, shape), dims), dims[rank - 1]);
    for (let a = shape.length - rank; a < shape.length - 1; a++) f = alongAxis(f, a, tf.spectral.fft);
    let g = f;
    for (let a = shape.length - rank; a < shape.length - 1; a++) g = alongAxis(g, a, tf.spectral.ifft);
    g = tf.spectral.irfft(g);
    out.realMulti.push({ shape, fftLength: dims, x, rfftShape: f.shape,
      rfftRe: Array.from(tf.real(f).dataSync()), rfftIm: Array.from(tf.imag(f).dataSync()),
      irfftShape: g.shape, irfft: Array.from(g.dataSync()) });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
