package tensor

import (
	"fmt"
	"reflect"
	"strings"
)

// DType is an element type. Its values are TensorFlow's DataType enum
// numbers, so they convert to and from TensorProto.dtype directly.
type DType int32

// The data types a Tensor can hold.
const (
	Invalid    DType = 0
	Float32    DType = 1
	Float64    DType = 2
	Int32      DType = 3
	Uint8      DType = 4
	Int16      DType = 5
	Int8       DType = 6
	String     DType = 7
	Complex64  DType = 8
	Int64      DType = 9
	Bool       DType = 10
	Qint8      DType = 11
	Quint8     DType = 12
	Qint32     DType = 13
	BFloat16   DType = 14
	Qint16     DType = 15
	Quint16    DType = 16
	Uint16     DType = 17
	Complex128 DType = 18
	Float16    DType = 19
	Resource   DType = 20
	Variant    DType = 21
	Uint32     DType = 22
	Uint64     DType = 23
)

// refOffset is added to a DataType to form its reference (_REF) variant,
// which legacy variable graphs use for mutable inputs.
const refOffset = 100

type dtypeInfo struct {
	name     string // TensorFlow's lower-case name, as in NumPy and tf.dtypes
	size     int    // bytes per element; 0 for strings and opaque types
	goType   reflect.Type
	isFloat  bool
	isInt    bool
	signed   bool
	isComplx bool
	// storage is the dtype whose Go type holds the elements, for the
	// quantized types (qint8 in int8, ...); Invalid for the others.
	storage DType
}

var dtypes = map[DType]dtypeInfo{
	Float32:    {name: "float32", size: 4, goType: reflect.TypeFor[float32](), isFloat: true, signed: true},
	Float64:    {name: "float64", size: 8, goType: reflect.TypeFor[float64](), isFloat: true, signed: true},
	Float16:    {name: "float16", size: 2, goType: reflect.TypeFor[F16](), isFloat: true, signed: true},
	BFloat16:   {name: "bfloat16", size: 2, goType: reflect.TypeFor[BF16](), isFloat: true, signed: true},
	Int8:       {name: "int8", size: 1, goType: reflect.TypeFor[int8](), isInt: true, signed: true},
	Int16:      {name: "int16", size: 2, goType: reflect.TypeFor[int16](), isInt: true, signed: true},
	Int32:      {name: "int32", size: 4, goType: reflect.TypeFor[int32](), isInt: true, signed: true},
	Int64:      {name: "int64", size: 8, goType: reflect.TypeFor[int64](), isInt: true, signed: true},
	Uint8:      {name: "uint8", size: 1, goType: reflect.TypeFor[uint8](), isInt: true},
	Uint16:     {name: "uint16", size: 2, goType: reflect.TypeFor[uint16](), isInt: true},
	Uint32:     {name: "uint32", size: 4, goType: reflect.TypeFor[uint32](), isInt: true},
	Uint64:     {name: "uint64", size: 8, goType: reflect.TypeFor[uint64](), isInt: true},
	Bool:       {name: "bool", size: 1, goType: reflect.TypeFor[bool]()},
	String:     {name: "string", goType: reflect.TypeFor[string]()},
	Complex64:  {name: "complex64", size: 8, goType: reflect.TypeFor[complex64](), isComplx: true, signed: true},
	Complex128: {name: "complex128", size: 16, goType: reflect.TypeFor[complex128](), isComplx: true, signed: true},
	// The quantized types hold integers whose meaning (a scale and an
	// offset) lives in other tensors, so they are neither integers nor
	// numbers to the kernels; only the quantization kernels read them.
	Qint8:    {name: "qint8", size: 1, goType: reflect.TypeFor[int8](), storage: Int8},
	Quint8:   {name: "quint8", size: 1, goType: reflect.TypeFor[uint8](), storage: Uint8},
	Qint16:   {name: "qint16", size: 2, goType: reflect.TypeFor[int16](), storage: Int16},
	Quint16:  {name: "quint16", size: 2, goType: reflect.TypeFor[uint16](), storage: Uint16},
	Qint32:   {name: "qint32", size: 4, goType: reflect.TypeFor[int32](), storage: Int32},
	Resource: {name: "resource", goType: reflect.TypeFor[any]()},
	Variant:  {name: "variant", goType: reflect.TypeFor[any]()},
}

// AllDTypes lists every DType a Tensor can hold, in DataType number order.
func AllDTypes() []DType {
	return []DType{Float32, Float64, Int32, Uint8, Int16, Int8, String, Complex64, Int64, Bool,
		Qint8, Quint8, Qint32, BFloat16, Qint16, Quint16, Uint16, Complex128, Float16, Resource,
		Variant, Uint32, Uint64}
}

// Valid reports whether d is a DType a Tensor can hold.
func (d DType) Valid() bool { _, ok := dtypes[d]; return ok }

// String returns the lower-case name TensorFlow and NumPy use ("float32").
func (d DType) String() string {
	if info, ok := dtypes[d]; ok {
		return info.name
	}
	if base := d - refOffset; base > 0 && base.Valid() {
		return base.String() + "_ref"
	}
	return fmt.Sprintf("DType(%d)", int32(d))
}

// Size returns the number of bytes of one element, or 0 for strings,
// resources and variants, whose elements have no fixed size.
func (d DType) Size() int { return dtypes[d].size }

// IsFloat reports whether d is a real floating-point type (half, bfloat16,
// float32 or float64).
func (d DType) IsFloat() bool { return dtypes[d].isFloat }

// IsInteger reports whether d is a signed or unsigned integer type.
func (d DType) IsInteger() bool { return dtypes[d].isInt }

// IsUnsigned reports whether d is an unsigned integer type.
func (d DType) IsUnsigned() bool { return dtypes[d].isInt && !dtypes[d].signed }

// IsComplex reports whether d is complex64 or complex128.
func (d DType) IsComplex() bool { return dtypes[d].isComplx }

// IsNumeric reports whether d is a number type: integer, float or complex.
func (d DType) IsNumeric() bool { return d.IsFloat() || d.IsInteger() || d.IsComplex() }

// IsQuantized reports whether d is one of TensorFlow's quantized types
// (qint8, quint8, qint16, quint16, qint32).
func (d DType) IsQuantized() bool { return dtypes[d].storage != Invalid }

// Storage returns the dtype whose Go element type holds d's elements:
// Int8 for Qint8 and likewise for the other quantized types, d itself
// for every other dtype. Values[int8] reads a qint8 tensor.
func (d DType) Storage() DType {
	if s := dtypes[d].storage; s != Invalid {
		return s
	}
	return d
}

// FixedSize reports whether elements of d have a fixed byte size, so that
// the tensor's memory can be viewed as bytes.
func (d DType) FixedSize() bool { return dtypes[d].size > 0 }

// BaseType strips TensorFlow's reference (_REF) marker from a DataType
// number, so that the inputs of legacy variable ops get their value type.
func (d DType) BaseType() DType {
	if d > refOffset && (d - refOffset).Valid() {
		return d - refOffset
	}
	return d
}

// ParseDType parses a dtype name as TensorFlow, NumPy or TensorFlow's enum
// spell it: "float32", "float", "half", "DT_FLOAT", "tf.int64".
func ParseDType(s string) (DType, error) {
	n := strings.ToLower(strings.TrimSpace(s))
	n = strings.TrimPrefix(n, "tf.")
	n = strings.TrimPrefix(n, "dt_")
	switch n {
	case "float", "single":
		return Float32, nil
	case "double":
		return Float64, nil
	case "half":
		return Float16, nil
	case "bf16":
		return BFloat16, nil
	case "bytes":
		return String, nil
	}
	for d, info := range dtypes {
		if info.name == n {
			return d, nil
		}
	}
	return Invalid, fmt.Errorf("tensor: unknown dtype %q", s)
}

// Element is the set of Go types a Tensor's data can be a slice of.
// Resource and variant tensors hold []any and are not covered by Element.
type Element interface {
	float32 | float64 | F16 | BF16 |
		int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 |
		bool | string | complex64 | complex128
}

// Number is the subset of Element that supports arithmetic in Go directly.
type Number interface {
	float32 | float64 | int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64
}

// DTypeOf returns the DType whose elements are of Go type T.
func DTypeOf[T Element]() DType {
	var z T
	switch any(z).(type) {
	case float32:
		return Float32
	case float64:
		return Float64
	case F16:
		return Float16
	case BF16:
		return BFloat16
	case int8:
		return Int8
	case int16:
		return Int16
	case int32:
		return Int32
	case int64:
		return Int64
	case uint8:
		return Uint8
	case uint16:
		return Uint16
	case uint32:
		return Uint32
	case uint64:
		return Uint64
	case bool:
		return Bool
	case string:
		return String
	case complex64:
		return Complex64
	case complex128:
		return Complex128
	}
	return Invalid
}

// makeSlice allocates a zeroed slice of n elements of dtype d.
func makeSlice(d DType, n int) any {
	switch d.Storage() {
	case Float32:
		return make([]float32, n)
	case Float64:
		return make([]float64, n)
	case Float16:
		return make([]F16, n)
	case BFloat16:
		return make([]BF16, n)
	case Int8:
		return make([]int8, n)
	case Int16:
		return make([]int16, n)
	case Int32:
		return make([]int32, n)
	case Int64:
		return make([]int64, n)
	case Uint8:
		return make([]uint8, n)
	case Uint16:
		return make([]uint16, n)
	case Uint32:
		return make([]uint32, n)
	case Uint64:
		return make([]uint64, n)
	case Bool:
		return make([]bool, n)
	case String:
		return make([]string, n)
	case Complex64:
		return make([]complex64, n)
	case Complex128:
		return make([]complex128, n)
	case Resource, Variant:
		return make([]any, n)
	}
	return nil
}

// dtypeOfSlice returns the DType of a data slice, or Invalid.
func dtypeOfSlice(data any) DType {
	switch data.(type) {
	case []float32:
		return Float32
	case []float64:
		return Float64
	case []F16:
		return Float16
	case []BF16:
		return BFloat16
	case []int8:
		return Int8
	case []int16:
		return Int16
	case []int32:
		return Int32
	case []int64:
		return Int64
	case []uint8:
		return Uint8
	case []uint16:
		return Uint16
	case []uint32:
		return Uint32
	case []uint64:
		return Uint64
	case []bool:
		return Bool
	case []string:
		return String
	case []complex64:
		return Complex64
	case []complex128:
		return Complex128
	}
	return Invalid
}
