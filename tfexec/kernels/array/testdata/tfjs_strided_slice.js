// Computes tfjs_strided_slice.json: StridedSlice of one [2, 3, 4] tensor
// (the values 0..23) under every combination of the five masks over a
// three-entry spec (begin_mask, end_mask, new_axis_mask and
// shrink_axis_mask each 0..7; ellipsis_mask 0, 1, 2 or 4, since a spec
// holds at most one ellipsis):
//
//   node tfjs_strided_slice.js NODE_MODULES > tfjs_strided_slice.json
//
// TensorFlow.js 4.22's tf.stridedSlice is no reference for all of them:
// with a shrink axis, an ellipsis or a negative stride it reads out of
// range or slices the wrong axis in thousands of combinations (masks
// [0 0 1 0 2] gives x[:, 0, [0, 2]] for x[..., 0, 1::2]). So the values
// come from stridedSlice below, TensorFlow's rules written out from
// tensorflow/core/util/strided_slice_op.cc (BuildDenseSpec and
// ValidateStridedSliceOp), and each case records whether TensorFlow.js
// computes the same ("tfjs": 1) or not (0: refused or different).
//
// Each case is [begin_mask, end_mask, ellipsis_mask, new_axis_mask,
// shrink_axis_mask, tfjs, shape, values], or the five masks, tfjs and
// null where TensorFlow refuses the spec.
'use strict';

const ref = require('../../../../testdata/tfjs/oprefs.js');
const tf = ref.load();

// stridedSlice returns {shape, index} (the flat input index of each
// output element) or throws, as TensorFlow validates and slices.
function stridedSlice(shape, begin, end, strides, bm, em, elm, nam, sam) {
  const rank = shape.length;
  const n = begin.length;
  // BuildDenseSpec: expand the ellipsis (an implicit one at the end).
  let ellipsisSeen = false;
  for (let i = 0; i < n; i++) if (elm & (1 << i)) ellipsisSeen = true;
  const sb = ellipsisSeen ? begin : [...begin, 0];
  const se = ellipsisSeen ? end : [...end, 0];
  const ss = ellipsisSeen ? strides : [...strides, 1];
  const sElm = ellipsisSeen ? elm : elm | (1 << n);
  const sn = sb.length;
  const dense = []; // per input dim: {b, e, s, bm, em, shrink}
  const final = []; // output dims: {dim} | 'new'
  let full = 0;
  for (let i = 0; i < sn; i++) {
    if (sElm & (1 << i)) {
      let after = 0;
      for (let j = i + 1; j < sn; j++) if (nam & (1 << j) && !(sElm & (1 << j))) after++;
      const next = Math.min(rank - (sn - i) + 1 + after, rank);
      for (; full < next; full++) {
        dense[full] = { b: 0, e: 0, s: 1, bm: true, em: true, shrink: false };
        final.push({ dim: full });
      }
    } else if (nam & (1 << i)) {
      final.push('new');
    } else {
      if (full >= rank) throw new Error(`index ${full} out of rank ${rank}`);
      const shrink = !!(sam & (1 << i));
      dense[full] = { b: sb[i], e: se[i], s: ss[i], bm: !!(bm & (1 << i)), em: !!(em & (1 << i)), shrink };
      if (!shrink) final.push({ dim: full });
      full++;
    }
  }
  // ValidateStridedSliceOp: each dimension's range.
  const ranges = [];
  for (let d = 0; d < rank; d++) {
    const dim = shape[d];
    const sp = dense[d];
    const s = sp.s;
    if (s === 0) throw new Error('strides[i] must be non-zero');
    if (sp.shrink) {
      if (s <= 0) throw new Error('only stride 1 allowed on non-range indexing');
      const x = sp.b < 0 ? dim + sp.b : sp.b;
      if (x < 0 || x >= dim) throw new Error(`slice index ${sp.b} of dimension ${d} out of bounds`);
      ranges.push([x]);
      continue;
    }
    const lo = s > 0 ? 0 : -1;
    const hi = s > 0 ? dim : dim - 1;
    const canon = (x, masked, isEnd) => {
      if (masked) return (s > 0) !== isEnd ? lo : hi;
      const f = x < 0 ? dim + x : x;
      return Math.min(Math.max(f, lo), hi);
    };
    const b = canon(sp.b, sp.bm, false);
    const e = canon(sp.e, sp.em, true);
    const r = [];
    for (let x = b; s > 0 ? x < e : x > e; x += s) r.push(x);
    ranges.push(r);
  }
  const outShape = final.map((f) => (f === 'new' ? 1 : ranges[f.dim].length));
  // Output elements in order: the product of the dimensions' ranges.
  let index = [0];
  for (let d = 0; d < rank; d++) {
    const stride = shape.slice(d + 1).reduce((a, c) => a * c, 1);
    const next = [];
    for (const base of index) for (const x of ranges[d]) next.push(base + x * stride);
    index = next;
  }
  return { shape: outShape, index };
}

const shape = [2, 3, 4];
const x = tf.reshape(tf.range(0, 24, 1, 'int32'), shape);
const specs = [{ begin: [1, -3, 1], end: [-1, 3, 9], strides: [1, 2, -1] }];
const out = { generator: 'tfexec/kernels/array/testdata/tfjs_strided_slice.js',
  source: "TensorFlow's strided_slice_op.cc rules; TensorFlow.js 4.22.0 tf.stridedSlice's agreement per case", shape, specs: [] };
for (const spec of specs) {
  const cases = [];
  for (let bm = 0; bm < 8; bm++) {
    for (let em = 0; em < 8; em++) {
      for (const elm of [0, 1, 2, 4]) {
        for (let nam = 0; nam < 8; nam++) {
          for (let sam = 0; sam < 8; sam++) {
            const masks = [bm, em, elm, nam, sam];
            let want = null;
            try {
              want = stridedSlice(shape, spec.begin, spec.end, spec.strides, ...masks);
            } catch (e) {
              want = null;
            }
            let got = null;
            try {
              const y = tf.stridedSlice(x, spec.begin, spec.end, spec.strides, ...masks);
              got = { shape: y.shape, values: Array.from(y.dataSync()) };
              y.dispose();
            } catch (e) {
              got = null;
            }
            if (want === null) {
              cases.push([...masks, got === null ? 1 : 0, null]);
              continue;
            }
            const agree = got !== null && JSON.stringify(got.shape) === JSON.stringify(want.shape) &&
              JSON.stringify(got.values) === JSON.stringify(want.index);
            cases.push([...masks, agree ? 1 : 0, want.shape, want.index]);
          }
        }
      }
    }
  }
  out.specs.push({ ...spec, cases });
}
process.stdout.write(JSON.stringify(out).replace(/\],\[/g, '],\n[') + '\n');
