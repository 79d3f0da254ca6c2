package tensorflow

import (
	"bytes"
	"fmt"
	"io"
	"reflect"

	"github.com/tfoffload/tfoffload/tensor"
)

// DataType holds the type of one element of a tensor. Its values are
// TensorFlow's DataType numbers (types.proto), as in the bindings.
type DataType int32

// Types of scalar values in the TensorFlow type system.
const (
	Float      DataType = 1
	Double     DataType = 2
	Int32      DataType = 3
	Uint8      DataType = 4
	Int16      DataType = 5
	Int8       DataType = 6
	String     DataType = 7
	Complex64  DataType = 8
	Complex    DataType = 8
	Int64      DataType = 9
	Bool       DataType = 10
	Qint8      DataType = 11
	Quint8     DataType = 12
	Qint32     DataType = 13
	Bfloat16   DataType = 14
	Qint16     DataType = 15
	Quint16    DataType = 16
	Uint16     DataType = 17
	Complex128 DataType = 18
	Half       DataType = 19
	Uint32     DataType = 22
	Uint64     DataType = 23
)

// Tensor holds a multi-dimensional array of elements of a single data
// type. Tensors are immutable once made: Run returns new ones and feeds
// are only read.
type Tensor struct {
	t *tensor.Tensor
}

// goTypes maps the Go kinds NewTensor accepts to their data type, in the
// bindings' order. A kind matches whatever its named type ("type Celsius
// float32" is a Float), as in the bindings; int, uint and uintptr have no
// TensorFlow type and are refused.
var goTypes = []struct {
	kind reflect.Kind
	dt   DataType
	typ  reflect.Type
}{
	{reflect.Float32, Float, reflect.TypeFor[float32]()},
	{reflect.Float64, Double, reflect.TypeFor[float64]()},
	{reflect.Int32, Int32, reflect.TypeFor[int32]()},
	{reflect.Uint32, Uint32, reflect.TypeFor[uint32]()},
	{reflect.Uint8, Uint8, reflect.TypeFor[uint8]()},
	{reflect.Int16, Int16, reflect.TypeFor[int16]()},
	{reflect.Int8, Int8, reflect.TypeFor[int8]()},
	{reflect.String, String, reflect.TypeFor[string]()},
	{reflect.Complex64, Complex64, reflect.TypeFor[complex64]()},
	{reflect.Int64, Int64, reflect.TypeFor[int64]()},
	{reflect.Uint64, Uint64, reflect.TypeFor[uint64]()},
	{reflect.Bool, Bool, reflect.TypeFor[bool]()},
	{reflect.Uint16, Uint16, reflect.TypeFor[uint16]()},
	{reflect.Complex128, Complex128, reflect.TypeFor[complex128]()},
}

// NewTensor converts from a Go value to a Tensor. Valid values are
// scalars, slices and arrays (nested to any depth) of float32, float64,
// int8, int16, int32, int64, uint8 ([]byte is a uint8 vector), uint16,
// uint32, uint64, bool, complex64, complex128 and string. Every slice at
// one depth must have the same length; a ragged value is an error, as is
// any other element type (int, pointers, interfaces).
func NewTensor(value any) (*Tensor, error) {
	if value == nil {
		return nil, fmt.Errorf("unsupported type <nil>")
	}
	val := reflect.ValueOf(value)
	shape, dt, err := shapeAndDataTypeOf(val)
	if err != nil {
		return nil, err
	}
	n := numElements(shape)
	flat := reflect.MakeSlice(reflect.SliceOf(goTypeOf(dt)), 0, int(n))
	if flat, err = encode(flat, val, shape); err != nil {
		return nil, err
	}
	dims, err := toShape(shape)
	if err != nil {
		return nil, err
	}
	t, err := tensor.FromAny(tensor.DType(dt), dims, flat.Interface())
	if err != nil {
		return nil, err
	}
	return &Tensor{t: t}, nil
}

// shapeAndDataTypeOf follows the first element at each depth, as the
// bindings do; encode checks that the other elements agree.
func shapeAndDataTypeOf(val reflect.Value) ([]int64, DataType, error) {
	typ := val.Type()
	var shape []int64
	for typ.Kind() == reflect.Array || typ.Kind() == reflect.Slice {
		shape = append(shape, int64(val.Len()))
		if val.Len() > 0 {
			val = val.Index(0)
		}
		typ = typ.Elem()
	}
	for _, t := range goTypes {
		if typ.Kind() == t.kind {
			return shape, t.dt, nil
		}
	}
	return shape, 0, fmt.Errorf("unsupported type %v", typ)
}

// encode appends the leaves of v, in row-major order, to flat.
func encode(flat, v reflect.Value, shape []int64) (reflect.Value, error) {
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && int64(v.Len()) != shape[0] {
			return flat, fmt.Errorf("mismatched slice lengths: %d and %d", v.Len(), shape[0])
		}
		var err error
		for i := range v.Len() {
			if flat, err = encode(flat, v.Index(i), shape[1:]); err != nil {
				return flat, err
			}
		}
		return flat, nil
	}
	return reflect.Append(flat, v.Convert(flat.Type().Elem())), nil
}

func goTypeOf(dt DataType) reflect.Type {
	for _, t := range goTypes {
		if t.dt == dt {
			return t.typ
		}
	}
	return nil
}

func numElements(shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n
}

func toShape(dims []int64) (tensor.Shape, error) {
	s, err := tensor.ShapeFromInt64s(dims)
	if err != nil {
		return nil, fmt.Errorf("all shape dimensions should be non-negative: %v", dims)
	}
	if s == nil {
		s = tensor.Shape{}
	}
	return s, nil
}

// ReadTensor constructs a Tensor with the provided type and shape from
// the serialized tensor contents in r (as WriteContentsTo writes them:
// the elements in host byte order). It reads exactly the bytes the shape
// needs.
func ReadTensor(dataType DataType, shape []int64, r io.Reader) (*Tensor, error) {
	if err := isTensorSerializable(dataType); err != nil {
		return nil, err
	}
	dims, err := toShape(shape)
	if err != nil {
		return nil, err
	}
	dt := tensor.DType(dataType)
	if !dt.Valid() {
		return nil, fmt.Errorf("serialization of tensors with the DataType %d is not supported by tfoffload", dataType)
	}
	nbytes, err := tensor.AllocBytes(dt, dims)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, nbytes)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	t, err := tensor.FromBytes(dt, dims, buf)
	if err != nil {
		return nil, err
	}
	return &Tensor{t: t}, nil
}

// DataType returns the scalar datatype of the Tensor.
func (t *Tensor) DataType() DataType { return DataType(t.t.DType()) }

// Shape returns the shape of the Tensor. A scalar's shape is empty.
func (t *Tensor) Shape() []int64 {
	return t.t.Shape().Int64s()
}

// Reshape changes the tensor's shape to one with the same number of
// elements, or returns an error and leaves it unchanged.
func (t *Tensor) Reshape(newShape []int64) error {
	oldSize, newSize := numElements(t.Shape()), numElements(newShape)
	if oldSize != newSize {
		return fmt.Errorf("unable to convert shape %v (num_elements: %d) into shape %v (num_elements: %d)", t.Shape(), oldSize, newShape, newSize)
	}
	if len(newShape) == 0 {
		return nil
	}
	dims, err := toShape(newShape)
	if err != nil {
		return err
	}
	r, err := t.t.Reshape(dims)
	if err != nil {
		return err
	}
	t.t = r
	return nil
}

// Value converts the Tensor to a Go value: the element itself for a
// scalar (Tensor(int64, 0) gives an int64), nested slices otherwise
// (Tensor(float64, 3) gives [][][]float64), copied from the tensor. As
// in the bindings, a tensor
// whose type has no Go equivalent (half, bfloat16, quantized types)
// panics.
func (t *Tensor) Value() any {
	dt := t.DataType()
	if goTypeOf(dt) == nil {
		panic(fmt.Sprintf("tensorflow: DataType %v is not supported by Tensor.Value", dt))
	}
	src := reflect.ValueOf(t.t.Data())
	flat := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
	reflect.Copy(flat, src)
	shape := t.Shape()
	if len(shape) == 0 {
		return flat.Index(0).Interface()
	}
	return nest(flat, shape).Interface()
}

// nest shapes a flat slice into nested slices that share its memory.
func nest(flat reflect.Value, shape []int64) reflect.Value {
	if len(shape) == 1 {
		return flat
	}
	inner := numElements(shape[1:])
	typ := flat.Type()
	for range shape[1:] {
		typ = reflect.SliceOf(typ)
	}
	out := reflect.MakeSlice(typ, int(shape[0]), int(shape[0]))
	for i := range int(shape[0]) {
		part := flat.Slice3(int(int64(i)*inner), int(int64(i+1)*inner), int(int64(i+1)*inner))
		out.Index(i).Set(nest(part, shape[1:]))
	}
	return out
}

// WriteContentsTo writes the serialized contents of t (its elements in
// host byte order) to w and returns the number of bytes written. String
// tensors, uint32 and uint64 cannot be serialized, as in the bindings.
func (t *Tensor) WriteContentsTo(w io.Writer) (int64, error) {
	if err := isTensorSerializable(t.DataType()); err != nil {
		return 0, err
	}
	b := t.t.Bytes()
	if t.t.DType() == tensor.Bool {
		b = make([]byte, t.t.NumElements())
		for i, v := range tensor.Values[bool](t.t) {
			if v {
				b[i] = 1
			}
		}
	}
	return io.Copy(w, bytes.NewReader(b))
}

func isTensorSerializable(dt DataType) error {
	switch dt {
	case Float, Double, Int32, Uint8, Int16, Int8, Complex, Int64, Bool, Quint8, Qint32, Bfloat16, Qint16, Quint16, Uint16, Complex128, Half:
		return nil
	}
	return fmt.Errorf("serialization of tensors with the DataType %d is not yet supported, see https://github.com/tensorflow/tensorflow/issues/6003", dt)
}

// FromInternal wraps a tfoffload tensor (not copied) for code that mixes
// this package with package bridge.
func FromInternal(t *tensor.Tensor) *Tensor { return &Tensor{t: t} }

// Internal returns the tfoffload tensor t wraps (not copied).
func (t *Tensor) Internal() *tensor.Tensor { return t.t }

// TypeOf returns the Go type of Value's result for a tensor of type dt
// and rank len(shape): nested slices of the element type. It panics for
// types with no Go equivalent, as the bindings do.
func TypeOf(dt DataType, shape []int64) reflect.Type {
	ret := goTypeOf(dt)
	if ret == nil {
		panic(fmt.Sprintf("tensorflow: DataType %v is not supported", dt))
	}
	for range shape {
		ret = reflect.SliceOf(ret)
	}
	return ret
}
