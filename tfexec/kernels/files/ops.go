package files

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "ReadFile", New: kernel.Stateless(readFile)},
}
