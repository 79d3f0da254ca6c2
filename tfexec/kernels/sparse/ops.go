package sparse

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// valueTypes are the dtypes of sparse values the kernels move: every
// fixed-size dtype and strings.
var valueTypes = append(kernel.FixedSizeTypes(), tensor.String)

// segmentSumTypes and segmentMeanTypes are the dtypes the sparse segment
// reductions implement.
var (
	segmentSumTypes  = []tensor.DType{tensor.Float32, tensor.Float64, tensor.Int32, tensor.Int64}
	segmentMeanTypes = []tensor.DType{tensor.Float32, tensor.Float64}
)

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "SparseToDense", DTypes: valueTypes, New: newSparseToDense},
	{Op: "SparseFillEmptyRows", DTypes: valueTypes, New: newFillEmptyRows},
	{Op: "SparseReshape", New: kernel.Stateless(sparseReshape)},
	{Op: "SparseSegmentSum", DTypes: segmentSumTypes, New: newSegment(segSum, segmentSumTypes, false)},
	{Op: "SparseSegmentMean", DTypes: segmentMeanTypes, New: newSegment(segMean, segmentMeanTypes, false)},
	{Op: "SparseSegmentSqrtN", DTypes: segmentMeanTypes, New: newSegment(segSqrtN, segmentMeanTypes, false)},
	{Op: "SparseSegmentSumWithNumSegments", DTypes: segmentSumTypes, New: newSegment(segSum, segmentSumTypes, true)},
	{Op: "SparseSegmentMeanWithNumSegments", DTypes: segmentMeanTypes, New: newSegment(segMean, segmentMeanTypes, true)},
	{Op: "SparseSegmentSqrtNWithNumSegments", DTypes: segmentMeanTypes, New: newSegment(segSqrtN, segmentMeanTypes, true)},
	{Op: "BoostedTreesBucketize", New: newBucketize},
	{Op: "SparseReorder", DTypes: valueTypes, New: newSparseReorder},
	{Op: "SparseSlice", DTypes: valueTypes, New: newSparseSlice},
	{Op: "SparseConcat", DTypes: valueTypes, New: newSparseConcat},
	{Op: "SparseAdd", DTypes: arithTypes, New: newSparseAdd},
	{Op: "SparseTensorDenseAdd", DTypes: arithTypes, New: newSparseTensorDenseAdd},
	{Op: "SparseTensorDenseMatMul", DTypes: arithTypes, New: newSparseTensorDenseMatMul},
	{Op: "RaggedGather", DTypes: valueTypes, TypeAttr: "Tvalues", New: newRaggedGather},
	{Op: "RaggedTensorToSparse", DTypes: valueTypes, New: newRaggedTensorToSparse},
	{Op: "RaggedTensorToTensor", DTypes: valueTypes, New: newRaggedTensorToTensor},
}
