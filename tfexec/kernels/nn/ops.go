package nn

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. Each factory checks the type
// attribute against the same dtype list its row declares.
var kernels = []kernel.Def{
	{Op: "AvgPool", DTypes: floatTypes, New: newPool(poolAvg)},
	{Op: "MaxPool", DTypes: maxPoolTypes, New: newPool(poolMax)},
	{Op: "MaxPoolV2", DTypes: maxPoolTypes, New: newPool(poolMaxV2)},
	{Op: "AvgPool3D", DTypes: floatTypes, New: newPool3D(true)},
	{Op: "MaxPool3D", DTypes: maxPool3DTypes, New: newPool3D(false)},
	{Op: "MaxPoolWithArgmax", DTypes: realTypes, New: newMaxPoolWithArgmax},
	{Op: "Dilation2D", DTypes: dilationTypes, New: newDilation2D},
	{Op: "BiasAdd", DTypes: numberTypes, New: newBiasAdd},
	{Op: "BiasAddV1", DTypes: numberTypes, New: newBiasAdd},
	{Op: "FusedBatchNorm", DTypes: bnTypes(bnV1), New: newFusedBatchNorm(bnV1)},
	{Op: "FusedBatchNormV2", DTypes: bnTypes(bnV2), New: newFusedBatchNorm(bnV2)},
	{Op: "FusedBatchNormV3", DTypes: bnTypes(bnV3), New: newFusedBatchNorm(bnV3)},
	{Op: "_FusedBatchNormEx", DTypes: bnTypes(bnEx), New: newFusedBatchNorm(bnEx)},
	{Op: "LRN", DTypes: lrnTypes, New: newLRN},
	{Op: "Softmax", DTypes: floatTypes, New: newSoftmax(false)},
	{Op: "LogSoftmax", DTypes: floatTypes, New: newSoftmax(true)},
	{Op: "SoftmaxCrossEntropyWithLogits", DTypes: floatTypes, New: newSoftmaxXent},

	// Pure data movement: every dtype but resources and variants.
	{Op: "SpaceToBatchND", DTypes: movableTypes(), New: newSpaceBatch(true)},
	{Op: "BatchToSpaceND", DTypes: movableTypes(), New: newSpaceBatch(false)},
	{Op: "DepthToSpace", DTypes: movableTypes(), New: newDepthSpace(true)},
	{Op: "SpaceToDepth", DTypes: movableTypes(), New: newDepthSpace(false)},
}

// movableTypes are the dtypes moveRuns copies.
func movableTypes() []tensor.DType { return append(kernel.FixedSizeTypes(), tensor.String) }
