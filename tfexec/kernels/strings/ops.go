package strings

import (
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

func init() { kernel.Register(kernels...) }

// asStringTypes are the dtypes AsString implements.
var asStringTypes = []tensor.DType{
	tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
	tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64,
	tensor.Float32, tensor.Float64, tensor.Bool,
}

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "StringToHashBucketFast", New: newHashBucketFast},
	{Op: "AsString", DTypes: asStringTypes, New: newAsString},
}
