package reduce

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. Each factory checks the type
// attribute against the same dtype list its row declares.
var kernels = []kernel.Def{
	// Reductions over axes; the dtypes TensorFlow's CPU kernels register.
	reduction("Sum", opSum, numberDTypes),
	reduction("Mean", opMean, numberDTypes),
	reduction("Prod", opProd, numberDTypes),
	reduction("Max", opMax, realDTypes),
	reduction("Min", opMin, realDTypes),
	reduction("All", opAll, boolType),
	reduction("Any", opAny, boolType),
	reduction("EuclideanNorm", opEuclidean, numberDTypes),

	{Op: "Bincount", DTypes: bincountTypes, New: newBincount(false)},
	{Op: "DenseBincount", DTypes: bincountTypes, New: newBincount(true)},

	{Op: "ArgMax", DTypes: argTypes, New: argFactory(true)},
	{Op: "ArgMin", DTypes: argTypes, New: argFactory(false)},
	{Op: "Cumsum", DTypes: numberDTypes, New: scanFactory(false)},
	{Op: "Cumprod", DTypes: numberDTypes, New: scanFactory(true)},
	{Op: "TopKV2", DTypes: realDTypes, New: topKFactory(true)},
	{Op: "TopK", DTypes: realDTypes, New: topKFactory(false)},

	segmentReduction("SegmentSum", segSum, numberDTypes, true),
	segmentReduction("SegmentMean", segMean, numberDTypes, true),
	segmentReduction("SegmentProd", segProd, numberDTypes, true),
	segmentReduction("SegmentMax", segMax, realDTypes, true),
	segmentReduction("SegmentMin", segMin, realDTypes, true),
	segmentReduction("UnsortedSegmentSum", segSum, numberDTypes, false),
	segmentReduction("UnsortedSegmentProd", segProd, numberDTypes, false),
	segmentReduction("UnsortedSegmentMax", segMax, realDTypes, false),
	segmentReduction("UnsortedSegmentMin", segMin, realDTypes, false),
}
