package parsing

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table. The parsing ops are not
// type-polymorphic in one attribute: each factory checks its type lists
// (sparse_types, Tdense, ragged_value_types: float, int64 or string;
// ragged_split_types: int32 or int64).
var kernels = []kernel.Def{
	{Op: "ParseExample", New: newParseExample},
	{Op: "ParseExampleV2", New: newParseExampleV2},
	{Op: "ParseSingleExample", New: newParseSingleExample},
}
