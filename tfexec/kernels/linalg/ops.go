package linalg

import "github.com/tfoffload/tfoffload/tfexec/kernel"

func init() { kernel.Register(kernels...) }

// kernels is the package's kernel table.
var kernels = []kernel.Def{
	{Op: "Cross", DTypes: crossTypes, New: crossFactory},
	{Op: "Einsum", DTypes: einsumTypes, New: newEinsum},
	{Op: "MatrixBandPart", DTypes: diagTypes, New: newMatrixBandPart},
	{Op: "MatrixDiag", DTypes: diagTypes, New: newMatrixDiag(diagV1)},
	{Op: "MatrixDiagV2", DTypes: diagTypes, New: newMatrixDiag(diagV2)},
	{Op: "MatrixDiagV3", DTypes: diagTypes, New: newMatrixDiag(diagV3)},
	{Op: "MatrixDiagPart", DTypes: diagTypes, New: newMatrixDiagPart(diagV1)},
	{Op: "MatrixDiagPartV2", DTypes: diagTypes, New: newMatrixDiagPart(diagV2)},
	{Op: "MatrixDiagPartV3", DTypes: diagTypes, New: newMatrixDiagPart(diagV3)},
	{Op: "MatrixSetDiag", DTypes: diagTypes, New: newMatrixSetDiag(diagV1)},
	{Op: "MatrixSetDiagV2", DTypes: diagTypes, New: newMatrixSetDiag(diagV2)},
	{Op: "MatrixSetDiagV3", DTypes: diagTypes, New: newMatrixSetDiag(diagV3)},
}
