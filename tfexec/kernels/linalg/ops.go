package linalg

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "Cross", DTypes: crossTypes, New: crossFactory},
	{Op: "Einsum", DTypes: einsumTypes, New: newEinsum},
}
