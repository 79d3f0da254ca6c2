#!/usr/bin/env node
// Runs a TensorFlow.js graph model with TensorFlow.js itself, as a second
// oracle for tfoffload's tests (bridge's TestTFJSOracle).
//
//   node run_tfjs.js MODULES SPEC.json
//
// MODULES is the node_modules folder scripts/install-tfjs.sh fills
// (@tensorflow/tfjs-core, -converter, -backend-cpu, pinned). SPEC.json is
//
//   {"model": "path/model.json", "backend": "cpu",
//    "inputs": {"input:0": "in/0.npy", ...},
//    "outputs": ["Identity:0", ...], "outDir": "out"}
//
// The model and its weight shards are read from disk through an IOHandler
// of our own: nothing goes to the network. Inputs are .npy files the Go
// test wrote; each output i is written to outDir/i.npy in the dtype
// TensorFlow.js computed it in (float32, int32, bool, complex64), and
// outDir/outputs.json lists their dtypes and shapes.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

function fail(msg) {
  process.stderr.write(`run_tfjs: ${msg}\n`);
  process.exit(1);
}

if (process.argv.length !== 4) {
  fail('usage: node run_tfjs.js NODE_MODULES SPEC.json');
}
const modules = path.resolve(process.argv[2]);
const spec = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const req = createRequire(path.join(modules, 'noop.js'));
const tf = req('@tensorflow/tfjs-core');
req('@tensorflow/tfjs-backend-cpu');
const tfconv = req('@tensorflow/tfjs-converter');

// fileHandler loads model.json and its shards from the folder it is in.
function fileHandler(modelPath) {
  return {
    load: async () => {
      const doc = JSON.parse(fs.readFileSync(modelPath, 'utf8'));
      const dir = path.dirname(modelPath);
      const specs = [];
      const buffers = [];
      for (const group of doc.weightsManifest || []) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          buffers.push(fs.readFileSync(path.join(dir, p)));
        }
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: doc.modelTopology,
        format: doc.format,
        generatedBy: doc.generatedBy,
        convertedBy: doc.convertedBy,
        signature: doc.signature,
        userDefinedMetadata: doc.userDefinedMetadata,
        modelInitializer: doc.modelInitializer,
        initializerSignature: doc.initializerSignature,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

// readNPY returns a TensorFlow.js tensor holding a .npy file's array:
// floats as float32, integers as int32 (TensorFlow.js has no other
// integer dtype), bools as bool.
function readNPY(file) {
  const b = fs.readFileSync(file);
  if (b.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new Error(`${file}: not a .npy file`);
  }
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + hlen;
  const header = b.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']*)'/.exec(header)[1];
  if (/'fortran_order':\s*True/.test(header)) {
    throw new Error(`${file}: Fortran order`);
  }
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1]
    .split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const n = shape.reduce((a, d) => a * d, 1);
  const data = b.subarray(start);
  const read = {
    '<f4': (i) => data.readFloatLE(4 * i), '<f8': (i) => data.readDoubleLE(8 * i),
    '|i1': (i) => data.readInt8(i), '<i2': (i) => data.readInt16LE(2 * i),
    '<i4': (i) => data.readInt32LE(4 * i), '<i8': (i) => Number(data.readBigInt64LE(8 * i)),
    '|u1': (i) => data.readUInt8(i), '<u2': (i) => data.readUInt16LE(2 * i),
    '<u4': (i) => data.readUInt32LE(4 * i), '|b1': (i) => data.readUInt8(i),
  }[descr];
  if (!read) {
    throw new Error(`${file}: unsupported dtype ${descr}`);
  }
  const dtype = descr[1] === 'f' ? 'float32' : descr === '|b1' ? 'bool' : 'int32';
  const vals = dtype === 'float32' ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    vals[i] = read(i);
  }
  return tf.tensor(vals, shape, dtype);
}

// writeNPY writes a tensor's values, returning its dtype and shape.
async function writeNPY(file, t) {
  const descr = { float32: '<f4', int32: '<i4', bool: '|b1', complex64: '<c8' }[t.dtype];
  if (!descr) {
    throw new Error(`output of dtype ${t.dtype} cannot be written as .npy`);
  }
  // Convert by value: a kernel may hand back an Int32Array under a
  // float32 dtype (handtrack's detection counts), whose bytes are not
  // float32 bytes.
  const array = { float32: Float32Array, int32: Int32Array, bool: Uint8Array, complex64: Float32Array }[t.dtype];
  const vals = array.from(await t.data(), (v) => (t.dtype === 'bool' ? (v ? 1 : 0) : v));
  const body = Buffer.from(vals.buffer, vals.byteOffset, vals.byteLength);
  const dims = t.shape.join(', ') + (t.shape.length === 1 ? ',' : '');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
  return { dtype: t.dtype, shape: t.shape };
}

async function main() {
  if (!(await tf.setBackend(spec.backend || 'cpu'))) {
    fail(`backend ${spec.backend} did not initialise`);
  }
  await tf.ready();
  const model = await tfconv.loadGraphModel(fileHandler(path.resolve(spec.model)));
  const feeds = {};
  for (const [name, file] of Object.entries(spec.inputs)) {
    feeds[name] = readNPY(file);
  }
  const got = await model.executeAsync(feeds, spec.outputs);
  const outs = Array.isArray(got) ? got : [got];
  fs.mkdirSync(spec.outDir, { recursive: true });
  const written = [];
  for (let i = 0; i < outs.length; i++) {
    const w = await writeNPY(path.join(spec.outDir, `${i}.npy`), outs[i]);
    written.push({ name: spec.outputs[i], file: `${i}.npy`, ...w });
  }
  fs.writeFileSync(path.join(spec.outDir, 'outputs.json'),
    JSON.stringify({ backend: tf.getBackend(), version: tf.version_core, outputs: written }, null, 1) + '\n');
}

main().catch((e) => fail(e && e.message ? e.message.split('\n')[0] : String(e)));
