package array

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. The ops that only move elements
// take every dtype: the strided-copy engine moves them by size class.
var kernels = []kernel.Def{
	// Shapes and views.
	{Op: "Shape", DTypes: kernel.AllTypes(), New: shapeFactory},
	{Op: "ShapeN", DTypes: kernel.AllTypes(), New: shapeNFactory},
	{Op: "Size", DTypes: kernel.AllTypes(), New: sizeFactory},
	{Op: "Rank", DTypes: kernel.AllTypes(), New: kernel.Stateless(rankKernel)},
	{Op: "Reshape", DTypes: kernel.AllTypes(), New: kernel.Stateless(reshapeKernel)},
	{Op: "Squeeze", DTypes: kernel.AllTypes(), New: squeezeFactory},
	{Op: "ExpandDims", DTypes: kernel.AllTypes(), New: kernel.Stateless(expandDimsKernel)},
	{Op: "BroadcastArgs", DTypes: indexTypes(), New: kernel.Stateless(broadcastArgsKernel)},

	// Permutations.
	{Op: "Transpose", DTypes: kernel.AllTypes(), New: kernel.Stateless(transposeKernel(false))},
	{Op: "ConjugateTranspose", DTypes: kernel.AllTypes(), New: kernel.Stateless(transposeKernel(true))},
	{Op: "InvertPermutation", DTypes: indexTypes(), New: kernel.Stateless(invertPermutationKernel)},
	{Op: "ReverseV2", DTypes: kernel.AllTypes(), New: kernel.Stateless(reverseV2Kernel)},
	{Op: "Reverse", DTypes: kernel.AllTypes(), New: kernel.Stateless(reverseV1Kernel)},
	{Op: "Roll", DTypes: kernel.AllTypes(), New: kernel.Stateless(rollKernel)},

	// Joining and cutting.
	{Op: "ConcatV2", DTypes: kernel.AllTypes(), New: kernel.Stateless(concatV2Kernel)},
	{Op: "Concat", DTypes: kernel.AllTypes(), New: kernel.Stateless(concatV1Kernel)},
	{Op: "Pack", DTypes: kernel.AllTypes(), New: packFactory},
	{Op: "ParallelConcat", DTypes: kernel.AllTypes(), New: parallelConcatFactory},
	{Op: "Unpack", DTypes: kernel.AllTypes(), New: unpackFactory},
	{Op: "Split", DTypes: kernel.AllTypes(), New: splitFactory},
	{Op: "SplitV", DTypes: kernel.AllTypes(), New: splitVFactory},
	{Op: "Slice", DTypes: kernel.AllTypes(), New: kernel.Stateless(sliceKernel)},
	{Op: "StridedSlice", DTypes: kernel.AllTypes(), New: stridedSliceFactory},

	// Searches and set differences.
	{Op: "LowerBound", DTypes: searchTypes, New: newSearchSorted(false)},
	{Op: "UpperBound", DTypes: searchTypes, New: newSearchSorted(true)},
	{Op: "ListDiff", DTypes: listDiffTypes, New: newListDiff},

	// Padding and repetition.
	{Op: "Pad", DTypes: kernel.AllTypes(), New: kernel.Stateless(padKernel)},
	{Op: "PadV2", DTypes: kernel.AllTypes(), New: kernel.Stateless(padKernel)},
	{Op: "MirrorPad", DTypes: kernel.AllTypes(), New: mirrorPadFactory},
	{Op: "Tile", DTypes: kernel.AllTypes(), New: kernel.Stateless(tileKernel)},
	{Op: "BroadcastTo", DTypes: kernel.AllTypes(), New: kernel.Stateless(broadcastToKernel)},
	{Op: "Fill", DTypes: kernel.AllTypes(), New: kernel.Stateless(fillKernel)},
	{Op: "ZerosLike", DTypes: append(kernel.FixedSizeTypes(), tensor.String), New: kernel.Stateless(zerosLikeKernel)},
	{Op: "OnesLike", DTypes: kernel.FixedSizeTypes(), New: kernel.Stateless(onesLikeKernel)},
	{Op: "Diag", DTypes: kernel.AllTypes(), New: kernel.Stateless(diagKernel)},
	{Op: "DiagPart", DTypes: kernel.AllTypes(), New: kernel.Stateless(diagPartKernel)},

	// Sequences.
	{Op: "Range", DTypes: sequenceTypes(), TypeAttr: "Tidx", New: kernel.Stateless(rangeKernel)},
	{Op: "RaggedRange", DTypes: sequenceTypes(), New: raggedRangeFactory},
	{Op: "LinSpace", DTypes: []tensor.DType{tensor.Float32, tensor.Float64}, New: kernel.Stateless(linSpaceKernel)},
}

// indexTypes are the dtypes of index vectors: int32 and int64.
func indexTypes() []tensor.DType { return []tensor.DType{tensor.Int32, tensor.Int64} }

// sequenceTypes are the dtypes Range and RaggedRange count in.
func sequenceTypes() []tensor.DType {
	return []tensor.DType{tensor.Int32, tensor.Int64, tensor.Float32, tensor.Float64}
}
