// Package array implements tfexec's kernels for TensorFlow's shape and
// data-movement ops. Importing the package registers its kernel table
// (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - shapes: Shape, ShapeN, Size (out_type int32 or int64), Rank
//   - views: Reshape (one -1 inferred, TensorFlow's empty-tensor rule),
//     Squeeze (squeeze_dims), ExpandDims; BroadcastArgs
//   - permutations: Transpose, ConjugateTranspose, InvertPermutation,
//     ReverseV2, Reverse (legacy bool dims), Roll
//   - joining and cutting: ConcatV2, Concat, Pack, ParallelConcat, Unpack,
//     Split, SplitV, Slice, StridedSlice (all five masks)
//   - padding and repetition: Pad, PadV2, MirrorPad (REFLECT, SYMMETRIC),
//     Tile, BroadcastTo, Fill, ZerosLike, OnesLike, Diag, DiagPart
//   - sequences: Range and RaggedRange (int32, int64, float, double),
//     LinSpace (float, double; int32 or int64 num)
//   - searches and set differences: LowerBound, UpperBound (a binary
//     search per row of sorted_inputs; real number types), ListDiff (the
//     elements of x not in y, in x's order; real number types and strings)
//
// Every op that only moves elements accepts every dtype, strings, bools,
// complex and half types included; the index inputs (begin, perm, axis,
// paddings, multiples, ...) may be int32 or int64 (int16 too where
// TensorFlow allows it).
//
// # Semantics
//
// Identity and its relatives (IdentityN, StopGradient, Snapshot,
// EnsureShape, ...) are plumbing and live in package tfexec.
//
// Shapes, validation and error conditions follow TensorFlow's CPU kernels
// (reshape_op.h, strided_slice_op.cc, pad_op.cc, mirror_pad_op.cc, ...);
// errors for bad inputs wrap [kernel.ErrInvalidArgument] and use TensorFlow's
// wording. Some details worth knowing:
//
//   - Range accumulates (value += delta) rather than computing
//     start + i·delta, and LinSpace sets its last value to stop exactly,
//     both as TensorFlow does, so float sequences match it bit for bit.
//   - ReverseV2 returns scalar and empty inputs without validating axis.
//   - BroadcastTo to an empty shape succeeds once the ranks fit, before
//     checking compatibility.
//   - MirrorPad in REFLECT mode rejects a zero-sized dimension even with
//     zero padding, as TensorFlow does.
//   - ParallelConcat places input i at row i modulo the row count of its
//     "shape" attribute, like TensorFlow's rewrite into
//     _ParallelConcatUpdate.
//
// # Memory
//
// Outputs share the input's memory where TensorFlow forwards too: the
// reshaping ops return views, slices, splits and unstacks that are one
// contiguous run of the input return views of that run, and ops that
// would copy their input unchanged (an identity or unit-dimension
// permutation, zero padding, all-ones multiples, a whole-tensor slice, a
// zero roll) return the input itself. Kernels never write to their inputs.
//
// Concat, Pack, Split and Unpack copy rows with copy(); every other copy
// goes through one strided-copy engine (move.go): a copy is described as a
// box of the input (per dimension an extent and a stride, negative to
// reverse, zero to broadcast) written to a box of the output; dimensions
// contiguous on both sides are merged so that most copies become long
// copy() runs, transposes that move the contiguous dimension are copied in
// cache-sized tiles, and large copies are spread over goroutines with
// kernel.ParallelFor. Elements are moved by size class (1, 2, 4, 8 or 16
// bytes, strings, handles), so no loop looks at element values or dtypes.
package array
