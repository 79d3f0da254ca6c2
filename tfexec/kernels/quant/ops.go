package quant

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. The fake-quantization ops have
// no type attribute: they take and give float32.
var kernels = []kernel.Def{
	{Op: "Dequantize", DTypes: quantizedTypes, New: newDequantize},
	{Op: "FakeQuantWithMinMaxArgs", New: newFakeQuantArgs},
	{Op: "FakeQuantWithMinMaxVars", New: newFakeQuantVars},
	{Op: "FakeQuantWithMinMaxVarsPerChannel", New: newFakeQuantPerChannel},
	{Op: "QuantizeAndDequantizeV2", DTypes: qdqTypes, New: newQDQ(qdqV2)},
	{Op: "QuantizeAndDequantizeV3", DTypes: qdqTypes, New: newQDQ(qdqV3)},
	{Op: "QuantizeAndDequantizeV4", DTypes: qdqTypes, New: newQDQ(qdqV2)},
	{Op: "QuantizeV2", DTypes: quantizedTypes, New: newQuantizeV2},
}
