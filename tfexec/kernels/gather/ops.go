package gather

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. The ops that only move elements
// take every dtype they can copy as words of its width; the scatters take
// what their combining operation is defined on (scatterTypes).
var kernels = []kernel.Def{
	{Op: "GatherV2", DTypes: kernel.AllTypes(), TypeAttr: "Tparams", New: newGather(true)},
	{Op: "Gather", DTypes: kernel.AllTypes(), TypeAttr: "Tparams", New: newGather(false)},
	{Op: "GatherNd", DTypes: kernel.AllTypes(), TypeAttr: "Tparams", New: newGatherNd},

	{Op: "ScatterNd", DTypes: scatterTypes(opAdd), New: newScatterNd},
	{Op: "TensorScatterUpdate", DTypes: scatterTypes(opAssign), New: newTensorScatter(opAssign)},
	{Op: "TensorScatterAdd", DTypes: scatterTypes(opAdd), New: newTensorScatter(opAdd)},
	{Op: "TensorScatterSub", DTypes: scatterTypes(opSub), New: newTensorScatter(opSub)},
	{Op: "TensorScatterMax", DTypes: scatterTypes(opMax), New: newTensorScatter(opMax)},
	{Op: "TensorScatterMin", DTypes: scatterTypes(opMin), New: newTensorScatter(opMin)},
	{Op: "ScatterNdNonAliasingAdd", DTypes: scatterTypes(opAdd), New: newTensorScatter(opAdd)},

	// The variable scatters of frozen graphs.
	{Op: "ScatterUpdate", DTypes: scatterTypes(opAssign), New: newScatterRef(opAssign)},
	{Op: "ScatterAdd", DTypes: scatterTypes(opAdd), New: newScatterRef(opAdd)},
	{Op: "ScatterSub", DTypes: scatterTypes(opSub), New: newScatterRef(opSub)},
	{Op: "ScatterMul", DTypes: scatterTypes(opMul), New: newScatterRef(opMul)},
	{Op: "ScatterDiv", DTypes: scatterTypes(opDiv), New: newScatterRef(opDiv)},
	{Op: "ScatterMax", DTypes: scatterTypes(opMax), New: newScatterRef(opMax)},
	{Op: "ScatterMin", DTypes: scatterTypes(opMin), New: newScatterRef(opMin)},
	{Op: "ScatterNdUpdate", DTypes: scatterTypes(opAssign), New: newScatterNdRef(opAssign)},
	{Op: "ScatterNdAdd", DTypes: scatterTypes(opAdd), New: newScatterNdRef(opAdd)},
	{Op: "ScatterNdSub", DTypes: scatterTypes(opSub), New: newScatterNdRef(opSub)},
	{Op: "ScatterNdMax", DTypes: scatterTypes(opMax), New: newScatterNdRef(opMax)},
	{Op: "ScatterNdMin", DTypes: scatterTypes(opMin), New: newScatterNdRef(opMin)},

	{Op: "DynamicPartition", DTypes: kernel.AllTypes(), New: partitionFactory},
	{Op: "DynamicStitch", DTypes: kernel.AllTypes(), New: stitchFactory},
	{Op: "ParallelDynamicStitch", DTypes: kernel.AllTypes(), New: stitchFactory},

	{Op: "OneHot", DTypes: append(kernel.FixedSizeTypes(), tensor.String), New: newOneHot},
	{Op: "Where", DTypes: kernel.FixedSizeTypes(), New: kernel.Stateless(whereKernel)},
	{Op: "Unique", DTypes: uniqueTypes(), New: newUnique(false, false)},
	{Op: "UniqueV2", DTypes: uniqueTypes(), New: newUnique(true, false)},
	{Op: "UniqueWithCounts", DTypes: uniqueTypes(), New: newUnique(false, true)},
	{Op: "UniqueWithCountsV2", DTypes: uniqueTypes(), New: newUnique(true, true)},
}

// uniqueTypes are the dtypes Unique hashes: real numbers, bools and
// strings.
func uniqueTypes() []tensor.DType { return append(kernel.RealTypes(), tensor.Bool, tensor.String) }
