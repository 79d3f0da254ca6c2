// Package sparse implements tfexec's kernels for TensorFlow's sparse
// tensors (indices, values, dense shape), its ragged tensors (flat values
// and row partitions) and the boosted-trees bucketizer,
// with the semantics of TensorFlow's CPU kernels: sparse_to_dense_op.cc
// (SparseToDense), sparse_fill_empty_rows_op.cc (SparseFillEmptyRows),
// reshape_util.cc (SparseReshape), segment_reduction_ops_impl.h
// (SparseSegmentSum, SparseSegmentMean, SparseSegmentSqrtN),
// boosted_trees/quantile_ops.cc (BoostedTreesBucketize), sparse_reorder_op.cc,
// sparse_slice_op.cc, sparse_concat_op.cc, sparse_add_op.cc,
// sparse_tensor_dense_add_op.cc and sparse_tensor_dense_matmul_op.cc
// (SparseReorder, SparseSlice, SparseConcat, SparseAdd,
// SparseTensorDenseAdd, SparseTensorDenseMatMul; the arithmetic ones for
// float32, float64, int32, int64, complex64 and complex128),
// ragged_gather_op.cc (RaggedGather), ragged_tensor_to_sparse_kernel.cc
// (RaggedTensorToSparse) and ragged_tensor_to_tensor_op.cc
// (RaggedTensorToTensor, with ROW_SPLITS or FIRST_DIM_SIZE and
// VALUE_ROWIDS partitions). Importing the package registers its kernel
// table (ops.go).
//
// SparseToDense takes any fixed-size or string dtype; SparseSegmentSum
// float32, float64, int32 and int64; SparseSegmentMean and
// SparseSegmentSqrtN float32 and float64; the ragged ops, like
// SparseToDense, any fixed-size or string dtype. Errors are TensorFlow's
// InvalidArgument messages, wrapped in kernel.ErrInvalidArgument.
package sparse
