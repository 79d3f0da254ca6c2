// Package kernels links every kernel family into the kernel table of
// package kernel. Importing it (tfexec does) makes all ops available.
//
// # Families
//
// Each family is a package named for what it holds, with its kernel
// table, one row an op with its dtypes, in ops.go:
//
//   - array: shapes, views, permutations, joining and cutting, padding,
//     repetition and sequences (Reshape, Transpose, ConcatV2,
//     StridedSlice, Pad, Tile, Range, ...).
//   - audio: the speech front end (DecodeWav, AudioSpectrogram, Mfcc).
//   - conv: the ops that run on the blocked GEMM, convolutions and matrix
//     products (Conv2D, DepthwiseConv2dNative, MatMul, the fused forms).
//   - elementwise: unary and binary math, comparisons, activations,
//     casts, selection and clipping.
//   - files: reading files named at run time (ReadFile).
//   - gather: moving elements by index (GatherV2, ScatterNd, the
//     scatters, DynamicStitch, OneHot, Where, Unique).
//   - image: decoding and encoding image files (JPEG through
//     libjpeg-turbo), resampling, cropping, non-maximum suppression and
//     box drawing.
//   - linalg: linear algebra other than matrix products (Cross).
//   - lists: TensorArrays and TensorLists.
//   - lookup: lookup tables (HashTableV2 and its initialisation, finds,
//     imports and exports).
//   - nn: pooling, bias, normalisation, softmax and the space, batch and
//     depth rearrangements.
//   - parsing: tf.Example protos to tensors (ParseExample,
//     ParseExampleV2, ParseSingleExample).
//   - quant: fake quantization.
//   - random: the stateful random ops.
//   - reduce: reductions over axes, arg-extrema, scans, top-k and
//     segment reductions.
//   - rnn: the fused LSTM and GRU cells.
//   - sparse: sparse tensors (SparseToDense, SparseFillEmptyRows,
//     SparseReshape, the sparse segment reductions) and
//     BoostedTreesBucketize.
//   - strings: string ops (StringToHashBucketFast, AsString).
//
// The plumbing ops (Const, Placeholder, Identity and its relatives,
// Assert, Assign) are tfexec's own, in its plumbing.go. The tests of this
// package check every row of the whole table against its kernel.
package kernels

import (
	// Each package registers its kernel table in init.
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/array"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/audio"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/conv"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/elementwise"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/files"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/gather"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/image"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/linalg"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/lists"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/lookup"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/nn"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/parsing"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/quant"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/random"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/reduce"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/rnn"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/sparse"
	_ "github.com/tfoffload/tfoffload/tfexec/kernels/strings"
)
