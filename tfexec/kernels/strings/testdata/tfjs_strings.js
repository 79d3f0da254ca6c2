#!/usr/bin/env node
// Computes reference outputs of TensorFlow's string ops with TensorFlow.js
// (the pinned @tensorflow/tfjs-core and -backend-cpu that
// scripts/install-tfjs.sh installs), for strings_test.go:
//
//   node tfjs_strings.js ~/.cache/tfoffload/tfjs/node_modules > tfjs_strings.json
//
// TensorFlow.js's staticRegexReplace runs JavaScript's RegExp, so only
// patterns and rewrites that mean the same in RE2 (no backreferences) are
// taken from it.
'use strict';
const path = require('path');
const { createRequire } = require('module');
const req = createRequire(path.join(path.resolve(process.argv[2]), 'noop.js'));
const tf = req('@tensorflow/tfjs-core');
req('@tensorflow/tfjs-backend-cpu');

function strs(t) {
  return t.arraySync();
}

async function main() {
  await tf.setBackend('cpu');
  const out = { version: tf.version_core, split: [], regex: [], ngrams: [], hashFast: [] };
  const splits = [
    [['hello world', 'a b c', ''], ' ', true],
    [['hello  world', 'a,b;;c', ',x'], ' ,;', false],
    [['hello  world', 'a,b;;c', ',x'], ' ,;', true],
    [['abc', '', 'de'], '', true],
  ];
  for (const [input, delim, skip] of splits) {
    const r = tf.string.stringSplit(input, delim, skip);
    out.split.push({ input, delimiter: delim, skipEmpty: skip,
      indices: r.indices.arraySync(), values: r.values.arraySync(), shape: r.shape.arraySync() });
  }
  const regexes = [
    [['hello world', 'aaa', ''], 'l+', 'L', true],
    [['hello world', 'aaa', ''], 'l+', 'L', false],
    [['a1b22c333', 'none'], '[0-9]', '#', true],
    [['  padded  ', 'x'], '^\\s+|\\s+$', '', true],
  ];
  for (const [input, pattern, rewrite, global] of regexes) {
    const r = tf.string.staticRegexReplace(input, pattern, rewrite, global);
    out.regex.push({ input, pattern, rewrite, replaceGlobal: global, output: strs(r) });
  }
  const ngrams = [
    [['a', 'b', 'c', 'd', 'e'], [0, 3, 5], '|', [1, 2, 3], 'L', 'R', -1, false],
    [['a', 'b', 'c', 'd', 'e'], [0, 3, 5], ' ', [2], 'L', 'R', 1, false],
    [['a', 'b', 'c', 'd', 'e'], [0, 1, 5], '-', [3], '', '', 0, true],
    [['a', 'b', 'c', 'd', 'e'], [0, 1, 5], '-', [3], '', '', 0, false],
    [['x', 'y'], [0, 0, 2], '_', [4], '<', '>', 2, true],
  ];
  for (const [data, dataSplits, sep, widths, left, right, pad, preserve] of ngrams) {
    const r = tf.string.stringNGrams(data, tf.tensor1d(dataSplits, 'int32'), sep, widths, left, right, pad, preserve);
    out.ngrams.push({ data, dataSplits, separator: sep, ngramWidths: widths, leftPad: left, rightPad: right,
      padWidth: pad, preserveShort: preserve, ngrams: r.nGrams.arraySync(), ngramsSplits: r.nGramsSplits.arraySync() });
  }
  const hashInput = ['Hello', 'TensorFlow', '2.x', '', 'a much longer string, longer than 16 bytes'];
  for (const buckets of [1, 3, 1000, 2147483647]) {
    const r = tf.string.stringToHashBucketFast(hashInput, buckets);
    out.hashFast.push({ input: hashInput, numBuckets: buckets, output: r.arraySync() });
  }
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => { process.stderr.write(String(e.stack || e) + '\n'); process.exit(1); });
