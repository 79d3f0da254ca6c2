// Package reduce implements tfexec's reduction-family kernels with
// TensorFlow's CPU semantics: reductions over axes, arg-extrema, scans,
// top-k and segment reductions. Importing the package registers its kernel
// table (ops.go), one row an op with the dtypes its kernel implements.
//
// # Ops
//
//   - Sum, Mean, Prod, EuclideanNorm: every number type (floats, half,
//     bfloat16, signed and unsigned integers, complex64, complex128).
//   - Max, Min: every real number type. All, Any: bool.
//   - ArgMax, ArgMin: real number types and bool; output_type int32 or
//     int64 (ArgMax also int16 and uint16).
//   - Cumsum, Cumprod: every number type; exclusive and reverse.
//   - TopKV2 (and the deprecated TopK): real number types; index_type
//     int16, int32 or int64.
//   - SegmentSum, SegmentMean, SegmentProd: number types; SegmentMax,
//     SegmentMin: real types. UnsortedSegmentSum, UnsortedSegmentProd:
//     number types; UnsortedSegmentMax, UnsortedSegmentMin: real types.
//   - Bincount, DenseBincount (rank 1, or rank 2 per row; binary_output):
//     int32, int64, float and double counts or weight sums; values at or
//     beyond size are dropped, negative values refused.
//
// # Reductions
//
// Axes are an int32 or int64 scalar or vector; negative axes count from
// the end, and a repeated axis is an error, as in TensorFlow. The axes are
// normalised as TensorFlow's ReductionHelper does (size-1 dimensions
// dropped, adjacent reduced or kept dimensions merged), and the kernel
// picks a loop for the resulting pattern: whole tensor, contiguous rows
// ([kept, reduced]), outer rows folded into a vector ([reduced, kept] and
// [kept, reduced, kept]), or a general walk. Work is split across
// goroutines with kernel.ParallelFor; full reductions use fixed-size
// chunks, so results do not depend on GOMAXPROCS.
//
// Edge cases follow TensorFlow: a reduction that reduces nothing (no
// axes, or only size-1 dimensions) returns the input unchanged, even for
// Mean and EuclideanNorm; reducing an empty input gives the identity (0,
// 1, -Inf or the lowest integer for Max, +Inf or the highest for Min, true
// for All, false for Any); Mean of an empty input is NaN for half, float
// and double and 0 for other types (bfloat16 included). Max and Min
// propagate NaN. Mean of integers sums in int64 (uint64) and divides
// with truncation, like TensorFlow's CASTING_SPECIALIZATION; EuclideanNorm
// of integers truncates the square root.
//
// # Precision
//
// Float sums use four accumulators and pairwise splitting of long rows, in
// the spirit of Eigen's tree reduction, so they agree with TensorFlow to
// rounding but not always bit for bit. Half and bfloat16 reductions (Sum,
// Mean, Prod, EuclideanNorm) accumulate in float32 and round once; Mean
// divides by the count rounded to the input type, as TensorFlow does.
// Sequential operations are reproduced exactly: Cumsum, Cumprod and
// segment reductions on half and bfloat16 round after every step, as
// Eigen's half arithmetic does, and a cumulative sum starts from 0, so -0
// becomes +0.
//
// # Indices
//
// ArgMax and ArgMin return the first extreme index; NaN is never chosen
// and a row of -Inf (or NaN) gives index 0, as Eigen's reducers do.
// TopKV2 orders equal values by index; with sorted=false it returns
// TensorFlow's gtl::TopN heap order (libstdc++'s heap algorithms are
// reproduced), which the op corpus confirms. Segment ids out of range
// are errors (kernel.ErrInvalidArgument), except negative ids in the
// unsorted segment ops, which TensorFlow drops. UnsortedSegmentMax and
// UnsortedSegmentMin fill empty segments with the lowest or highest finite
// value; the sorted ops fill absent ids with 0 (1 for SegmentProd).
package reduce
