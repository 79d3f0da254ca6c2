// Package sparse implements tfexec's kernels for TensorFlow's sparse
// tensors (indices, values, dense shape) and the boosted-trees bucketizer,
// with the semantics of TensorFlow's CPU kernels: sparse_to_dense_op.cc
// (SparseToDense), sparse_fill_empty_rows_op.cc (SparseFillEmptyRows),
// reshape_util.cc (SparseReshape), segment_reduction_ops_impl.h
// (SparseSegmentSum, SparseSegmentMean, SparseSegmentSqrtN) and
// boosted_trees/quantile_ops.cc (BoostedTreesBucketize). Importing the
// package registers its kernel table (ops.go).
//
// SparseToDense takes any fixed-size or string dtype; SparseSegmentSum
// float32, float64, int32 and int64; SparseSegmentMean and
// SparseSegmentSqrtN float32 and float64. Errors are TensorFlow's
// InvalidArgument messages, wrapped in kernel.ErrInvalidArgument.
package sparse
