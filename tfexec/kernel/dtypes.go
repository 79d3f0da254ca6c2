package kernel

import (
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
)

// The element-type sets kernel tables are written with, named after
// TensorFlow's TF_CALL_* lists (register_types.h) and limited to the
// dtypes package tensor has. Each call returns a new slice, so a row may
// append to it.

// FloatTypes returns half, bfloat16, float32 and float64.
func FloatTypes() []tensor.DType {
	return []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32, tensor.Float64}
}

// IntegerTypes returns the signed and unsigned integers of 8 to 64 bits.
func IntegerTypes() []tensor.DType {
	return []tensor.DType{tensor.Int8, tensor.Int16, tensor.Int32, tensor.Int64,
		tensor.Uint8, tensor.Uint16, tensor.Uint32, tensor.Uint64}
}

// ComplexTypes returns complex64 and complex128.
func ComplexTypes() []tensor.DType { return []tensor.DType{tensor.Complex64, tensor.Complex128} }

// RealTypes returns FloatTypes and IntegerTypes (TF_CALL_REAL_NUMBER_TYPES).
func RealTypes() []tensor.DType { return append(FloatTypes(), IntegerTypes()...) }

// NumberTypes returns RealTypes and ComplexTypes (TF_CALL_NUMBER_TYPES).
func NumberTypes() []tensor.DType { return append(RealTypes(), ComplexTypes()...) }

// FixedSizeTypes returns NumberTypes and bool (TF_CALL_POD_TYPES): every
// dtype whose elements are plain bytes.
func FixedSizeTypes() []tensor.DType { return append(NumberTypes(), tensor.Bool) }

// QuantizedTypes returns qint8, quint8, qint16, quint16 and qint32
// (TF_CALL_QUANTIZED_TYPES, with the 16-bit ones).
func QuantizedTypes() []tensor.DType {
	return []tensor.DType{tensor.Qint8, tensor.Quint8, tensor.Qint16, tensor.Quint16, tensor.Qint32}
}

// AllTypes returns every dtype a Tensor holds: FixedSizeTypes,
// QuantizedTypes, string, resource and variant.
func AllTypes() []tensor.DType { return tensor.AllDTypes() }

// CheckTypeAttr returns an ErrUnsupported error, naming the node and the
// attribute, when n's attribute attr holds a dtype not in dtypes, so that
// the node is refused when it is prepared rather than when it runs. An
// absent attribute passes: the kernel checks its inputs when it runs.
func CheckTypeAttr(n *Node, attr string, dtypes []tensor.DType) error {
	if !n.Attrs.Has(attr) {
		return nil
	}
	dt, err := n.Attrs.Type(attr, tensor.Invalid)
	if err != nil {
		return err
	}
	if slices.Contains(dtypes, dt) {
		return nil
	}
	return n.AttrError(attr, Unsupported("%v", dt))
}
