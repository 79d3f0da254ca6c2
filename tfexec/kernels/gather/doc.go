// Package gather implements tfexec's kernels for the ops that move
// elements by index: gathering, scattering, partitioning and stitching,
// one-hot encoding, and finding the positions or the distinct values of a
// tensor. Each kernel follows TensorFlow's CPU kernel for the op: output
// shapes and dtypes, the order of floating-point operations where it shows
// in the result, and the InvalidArgument checks, which wrap
// [kernel.ErrInvalidArgument]. Importing the package registers its kernel
// table (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - GatherV2 (axis input, batch_dims attribute, negative axis and
//     batch_dims) and the legacy Gather (axis 0).
//   - GatherNd, with index depth 0 to 7 (depth 0 repeats params).
//   - ScatterNd: updates added into zeros, so duplicate indices
//     accumulate; strings concatenate and bools or, as in TensorFlow.
//   - TensorScatterUpdate, TensorScatterAdd, TensorScatterSub,
//     TensorScatterMax, TensorScatterMin and ScatterNdNonAliasingAdd.
//   - The variable scatters ScatterUpdate, ScatterAdd, ScatterSub,
//     ScatterMul, ScatterDiv, ScatterMax, ScatterMin (scalar updates
//     broadcast) and ScatterNdUpdate, ScatterNdAdd, ScatterNdSub,
//     ScatterNdMax, ScatterNdMin. TensorFlow updates the variable in place;
//     these kernels return an updated copy of their first input, which is
//     what a frozen graph computes. Another reader of the same variable
//     does not see the update.
//   - OneHot: indices of type uint8, int8, int32 or int64; any axis from -1
//     to rank; indices outside [0, depth) give a row of off_value.
//   - Where (one input): the int64 coordinates [num_true, rank] of the
//     non-zero elements in row-major order, for bools and every number
//     type (NaN is true, both zeros false).
//   - Unique, UniqueV2 (axis input), UniqueWithCounts, UniqueWithCountsV2:
//     values in order of first occurrence, out_idx int32 or int64.
//   - DynamicPartition (int32 partitions) and DynamicStitch,
//     ParallelDynamicStitch (int32 indices), for every dtype.
//
// # Dtypes
//
// The data-movement ops (GatherV2, GatherNd, TensorScatterUpdate,
// ScatterUpdate, OneHot, Unique) accept every dtype the tensor package
// holds that TensorFlow registers for them, strings, bools, complex and
// half types included: they copy elements as words of the dtype's width.
// The arithmetic scatters take what their operation is defined on
// (scatterTypes): every number type, and strings (concatenated) and bools
// (or-ed) when they add; real types only for max and min; no half or
// bfloat16 for the legacy ScatterMul and ScatterDiv. Index inputs may be
// int32 or int64.
//
// # Semantics worth knowing
//
// Out-of-range indices are errors, as on TensorFlow's CPU (GPU kernels
// zero-fill instead); the *Nd ops honour bad_indices_policy "IGNORE",
// which skips bad indices (gathering zeros). Scatters apply updates in
// index order, so float sums and "last write wins" match TensorFlow's
// serial CPU loop bit for bit; half and bfloat16 sums round after every
// addition. GatherV2 does not check indices when its output is empty, as
// TensorFlow does not. ParallelDynamicStitch runs sequentially: with
// repeated indices the last slice wins, one of the outcomes TensorFlow
// allows.
//
// One deliberate departure: integer ScatterDiv by zero is an error
// (TensorFlow crashes).
package gather
