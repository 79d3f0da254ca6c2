package tensor

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// ErrShape reports a shape that does not fit the data or is invalid.
var ErrShape = errors.New("tensor: bad shape")

// Shape is a tensor's dimensions, outermost first. A rank-0 (scalar) tensor
// has an empty shape. Dimensions of a concrete tensor are never negative.
type Shape []int

// NumElements returns the product of the dimensions (1 for a scalar).
func (s Shape) NumElements() int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Rank returns the number of dimensions.
func (s Shape) Rank() int { return len(s) }

// Equal reports whether s and o have the same dimensions.
func (s Shape) Equal(o Shape) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i] != o[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy of s that does not share memory with it.
func (s Shape) Clone() Shape {
	if s == nil {
		return Shape{}
	}
	return append(Shape{}, s...)
}

// Int64s returns the dimensions as int64, the form ONNX Runtime and
// TensorFlow's protos use.
func (s Shape) Int64s() []int64 {
	out := make([]int64, len(s))
	for i, d := range s {
		out[i] = int64(d)
	}
	return out
}

// BroadcastShapes returns the shape that NumPy-style broadcasting of the
// given shapes produces, or an error naming the incompatible dimensions.
func BroadcastShapes(shapes ...Shape) (Shape, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make(Shape, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			switch o := out[off+i]; {
			case d == o || d == 1:
			case o == 1:
				out[off+i] = d
			default:
				return nil, fmt.Errorf("incompatible shapes for broadcasting: %v", shapes)
			}
		}
	}
	return out, nil
}

// String formats s as "[2,3]"; a scalar is "[]".
func (s Shape) String() string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strconv.Itoa(d)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Strides returns the row-major element strides of s.
func (s Shape) Strides() []int {
	st := make([]int, len(s))
	acc := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= s[i]
	}
	return st
}

// validate checks that the dimensions are non-negative and that their
// product does not overflow.
func (s Shape) validate() error {
	n := 1
	for i, d := range s {
		if d < 0 {
			return fmt.Errorf("%w: dimension %d of %v is negative", ErrShape, i, s)
		}
		if d != 0 && n > math.MaxInt/d {
			return fmt.Errorf("%w: %v has too many elements", ErrShape, s)
		}
		n *= d
	}
	return nil
}

// ShapeFromInt64s converts dimensions from the int64 form of protos and
// ONNX Runtime, rejecting negative (unknown) dimensions.
func ShapeFromInt64s(dims []int64) (Shape, error) {
	s := make(Shape, len(dims))
	for i, d := range dims {
		if d < 0 || d > math.MaxInt32*int64(math.MaxInt32) {
			return nil, fmt.Errorf("%w: dimension %d is %d", ErrShape, i, d)
		}
		s[i] = int(d)
	}
	return s, s.validate()
}

// Tensor is a dense n-dimensional array. The zero value is not usable; build
// tensors with New, FromSlice, Scalar or the proto and .npy readers.
type Tensor struct {
	dtype DType
	shape Shape
	data  any // a slice of the dtype's Go element type, len == shape.NumElements()
}

// New returns a zero-filled tensor of the given type and shape. A shape
// over MaxTensorBytes is a *TooLargeError, returned before allocating.
func New(dt DType, shape Shape) (*Tensor, error) {
	if !dt.Valid() {
		return nil, fmt.Errorf("tensor: unsupported dtype %v", dt)
	}
	if err := shape.validate(); err != nil {
		return nil, err
	}
	if err := CheckAlloc(dt, shape); err != nil {
		return nil, err
	}
	return &Tensor{dtype: dt, shape: shape.Clone(), data: makeSlice(dt, shape.NumElements())}, nil
}

// MustNew is New for shapes known to be valid; it panics on error. Kernels
// use it for outputs whose shapes they computed from valid inputs; a shape
// over MaxTensorBytes panics with its *TooLargeError, which tfexec's
// executor reports as an ordinary error of the node.
func MustNew(dt DType, shape Shape) *Tensor {
	t, err := New(dt, shape)
	if err != nil {
		panic(err)
	}
	return t
}

// FromSlice wraps data (not copied) as a tensor of the given shape. The
// caller must not modify data afterwards if the tensor is shared.
func FromSlice[T Element](shape Shape, data []T) (*Tensor, error) {
	if err := shape.validate(); err != nil {
		return nil, err
	}
	if n := shape.NumElements(); n != len(data) {
		return nil, fmt.Errorf("%w: shape %v needs %d elements, got %d", ErrShape, shape, n, len(data))
	}
	if data == nil {
		data = []T{}
	}
	return &Tensor{dtype: DTypeOf[T](), shape: shape.Clone(), data: data}, nil
}

// MustFromSlice is FromSlice for data whose length is known to match; it
// panics on error.
func MustFromSlice[T Element](shape Shape, data []T) *Tensor {
	t, err := FromSlice(shape, data)
	if err != nil {
		panic(err)
	}
	return t
}

// FromAny wraps a slice of any supported element type (including []any for
// resource and variant tensors, which need dt) without copying.
func FromAny(dt DType, shape Shape, data any) (*Tensor, error) {
	if err := shape.validate(); err != nil {
		return nil, err
	}
	got := dtypeOfSlice(data)
	if got != Invalid && got == dt.Storage() {
		got = dt
	}
	if _, isAny := data.([]any); isAny && (dt == Resource || dt == Variant) {
		got = dt
	}
	if got != dt {
		return nil, fmt.Errorf("tensor: data of type %T does not hold %v", data, dt)
	}
	if n := shape.NumElements(); n != sliceLen(data) {
		return nil, fmt.Errorf("%w: shape %v needs %d elements, got %d", ErrShape, shape, n, sliceLen(data))
	}
	return &Tensor{dtype: dt, shape: shape.Clone(), data: data}, nil
}

// Scalar returns a rank-0 tensor holding v.
func Scalar[T Element](v T) *Tensor {
	return &Tensor{dtype: DTypeOf[T](), shape: Shape{}, data: []T{v}}
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Shape returns the dimensions. The caller must not modify the result.
func (t *Tensor) Shape() Shape { return t.shape }

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// NumElements returns the number of elements.
func (t *Tensor) NumElements() int { return sliceLen(t.data) }

// Data returns the element slice ([]float32, []string, ...) without copying.
func (t *Tensor) Data() any { return t.data }

// Values returns t's elements as []T without copying. It panics if T is not
// t's element type: that is a programming error, not a data error.
func Values[T Element](t *Tensor) []T {
	v, ok := t.data.([]T)
	if !ok {
		panic(fmt.Sprintf("tensor: Values[%v] on a %v tensor", DTypeOf[T](), t.dtype))
	}
	return v
}

// Bytes returns the tensor's memory as bytes (host byte order) without
// copying, or nil for string, resource and variant tensors. Writing to the
// result writes to the tensor.
func (t *Tensor) Bytes() []byte {
	size := t.dtype.Size()
	n := sliceLen(t.data)
	if size == 0 || n == 0 {
		if size == 0 {
			return nil
		}
		return []byte{}
	}
	return unsafe.Slice((*byte)(slicePtr(t.data)), n*size)
}

// FromBytes builds a tensor of a fixed-size dtype from little-endian bytes,
// copying them. Bool bytes other than 0 read as true.
func FromBytes(dt DType, shape Shape, b []byte) (*Tensor, error) {
	if !dt.FixedSize() {
		return nil, fmt.Errorf("tensor: %v has no fixed-size byte form", dt)
	}
	if err := shape.validate(); err != nil {
		return nil, err
	}
	// Compared before allocating: the shape may come from a file.
	if want, _ := AllocBytes(dt, shape); int64(len(b)) != want {
		return nil, fmt.Errorf("%w: %v %v needs %d bytes, got %d", ErrShape, dt, shape, want, len(b))
	}
	if !hostLittleEndian {
		return nil, errors.New("tensor: big-endian hosts are not supported")
	}
	t, err := New(dt, shape)
	if err != nil {
		return nil, err
	}
	if dt == Bool {
		bs := t.data.([]bool)
		for i, c := range b {
			bs[i] = c != 0
		}
		return t, nil
	}
	copy(t.Bytes(), b)
	return t, nil
}

// Reshape returns a tensor with the same elements (shared, not copied) and a
// new shape with the same number of elements.
func (t *Tensor) Reshape(shape Shape) (*Tensor, error) {
	if err := shape.validate(); err != nil {
		return nil, err
	}
	if shape.NumElements() != t.NumElements() {
		return nil, fmt.Errorf("%w: cannot reshape %v (%d elements) to %v", ErrShape, t.shape, t.NumElements(), shape)
	}
	return &Tensor{dtype: t.dtype, shape: shape.Clone(), data: t.data}, nil
}

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{dtype: t.dtype, shape: t.shape.Clone(), data: makeSlice(t.dtype, t.NumElements())}
	copySlice(c.data, t.data)
	return c
}

// String summarises t as "float32[2,3]" followed by up to eight elements.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil tensor>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%v%v", t.dtype, t.shape)
	n := t.NumElements()
	if n == 0 {
		return b.String()
	}
	b.WriteString(" [")
	for i := 0; i < n && i < 8; i++ {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(t.formatElement(i))
	}
	if n > 8 {
		b.WriteString(" …")
	}
	b.WriteString("]")
	return b.String()
}

func (t *Tensor) formatElement(i int) string {
	switch v := t.data.(type) {
	case []F16:
		return strconv.FormatFloat(float64(v[i].Float32()), 'g', -1, 32)
	case []BF16:
		return strconv.FormatFloat(float64(v[i].Float32()), 'g', -1, 32)
	case []string:
		s := v[i]
		if len(s) > 16 {
			s = s[:16] + "…"
		}
		return strconv.Quote(s)
	}
	return fmt.Sprint(indexAny(t.data, i))
}
