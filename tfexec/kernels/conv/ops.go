package conv

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. Each factory checks the type
// attribute against the same dtype list its row declares.
var kernels = []kernel.Def{
	// Matrix products.
	{Op: "MatMul", DTypes: matmulTypes, New: newMatMul(mmLegacy)},
	{Op: "BatchMatMul", DTypes: matmulTypes, New: newMatMul(mmV1)},
	{Op: "BatchMatMulV2", DTypes: matmulTypes, New: newMatMul(mmV2)},
	// Ta, Tb and Tout together choose BatchMatMulV3's dtypes (checkV3Types).
	{Op: "BatchMatMulV3", New: newMatMul(mmV3)},
	{Op: "_FusedMatMul", DTypes: fusedMatMulTypes, New: newFusedMatMul},

	// Convolutions.
	{Op: "Conv2D", DTypes: conv2DTypes, New: newConv2D(false)},
	{Op: "_FusedConv2D", DTypes: fusedTypes, New: newConv2D(true)},
	{Op: "Conv3D", DTypes: conv3DTypes, New: newConv3D},
	{Op: "Conv2DBackpropInput", DTypes: backpropTypes, New: newBackpropInput},
	{Op: "DepthwiseConv2dNative", DTypes: depthwiseTypes, New: newDepthwise(false, true)},
	{Op: "_FusedDepthwiseConv2dNative", DTypes: depthwiseTypes, New: newDepthwise(true, true)},
	// TensorFlow.js spells its fused depthwise op without the underscore
	// and its kernel accepts unequal row and column strides.
	{Op: "FusedDepthwiseConv2dNative", DTypes: depthwiseTypes, New: newDepthwise(true, false)},
}
