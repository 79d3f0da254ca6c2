package engine

import (
	"fmt"

	"github.com/tfoffload/tfoffload/tensor"
)

// The correspondence of ONNX element types (ONNXTensorElementDataType in
// the C API, TensorProto.DataType in ONNX files) and dtypes is package
// tensor's; these add the engine's error kind.

// dtypeFromONNX returns the tensor dtype of an ONNX element type.
func dtypeFromONNX(t int) (tensor.DType, error) {
	dt, err := tensor.FromONNXType(int32(t))
	if err != nil {
		return tensor.Invalid, fmt.Errorf("%w: %w", ErrUnsupported, err)
	}
	return dt, nil
}
