package tensor

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type namedTensor struct {
	name string
	t    *Tensor
}

// roundTripTensors has one tensor of every dtype, plus scalars and empty
// tensors, with awkward values (NaN, infinities, extremes, non-UTF-8 bytes).
func roundTripTensors() []namedTensor {
	nan := float32(math.NaN())
	return []namedTensor{
		{"float32", MustFromSlice(Shape{2, 3}, []float32{0, -1.5, nan, float32(math.Inf(1)), math.MaxFloat32, math.SmallestNonzeroFloat32})},
		{"float64", MustFromSlice(Shape{2}, []float64{math.Pi, math.Inf(-1)})},
		{"float16", MustFromSlice(Shape{3}, []F16{NewF16(1.5), NewF16(-65504), NewF16(nan)})},
		{"bfloat16", MustFromSlice(Shape{2}, []BF16{NewBF16(3.140625), NewBF16(-1e30)})},
		{"int8", MustFromSlice(Shape{2}, []int8{math.MinInt8, math.MaxInt8})},
		{"int16", MustFromSlice(Shape{2}, []int16{math.MinInt16, math.MaxInt16})},
		{"int32", MustFromSlice(Shape{2, 1}, []int32{math.MinInt32, math.MaxInt32})},
		{"int64", MustFromSlice(Shape{2}, []int64{math.MinInt64, math.MaxInt64})},
		{"uint8", MustFromSlice(Shape{2}, []uint8{0, math.MaxUint8})},
		{"uint16", MustFromSlice(Shape{2}, []uint16{0, math.MaxUint16})},
		{"uint32", MustFromSlice(Shape{2}, []uint32{0, math.MaxUint32})},
		{"uint64", MustFromSlice(Shape{2}, []uint64{0, math.MaxUint64})},
		{"bool", MustFromSlice(Shape{3}, []bool{true, false, true})},
		{"string", MustFromSlice(Shape{3}, []string{"abc", "\xff\x00binary", ""})},
		{"complex64", MustFromSlice(Shape{1}, []complex64{complex(1, -2)})},
		{"complex128", MustFromSlice(Shape{1}, []complex128{complex(-3, 4.5)})},
		{"scalar", Scalar[float32](2.5)},
		{"scalar string", Scalar("wav bytes")},
		{"empty", MustFromSlice(Shape{0, 4}, []float32{})},
		{"empty int64", MustFromSlice(Shape{3, 0}, []int64{})},
	}
}

func TestDTypeNames(t *testing.T) {
	for _, d := range AllDTypes() {
		got, err := ParseDType(d.String())
		require.NoError(t, err, d.String())
		assert.Equal(t, d, got)
	}
	for in, want := range map[string]DType{"DT_FLOAT": Float32, "half": Float16, "tf.int64": Int64, "double": Float64, "DT_BFLOAT16": BFloat16} {
		got, err := ParseDType(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := ParseDType("float7")
	assert.Error(t, err)
	assert.Equal(t, "float32_ref", (Float32 + refOffset).String())
	assert.Equal(t, Float32, (Float32 + refOffset).BaseType())
}

func TestHalfRounding(t *testing.T) {
	cases := []struct {
		in       float32
		f16, b16 float32
	}{
		{1, 1, 1},
		{1.0009765625, 1.0009765625, 1},      // exact in half, rounds in bfloat16
		{1.00390625, 1.00390625, 1},          // bfloat16 tie: to even (1.0)
		{1.01171875, 1.01171875, 1.015625},   // bfloat16 tie: to even (up)
		{65520, float32(math.Inf(1)), 65536}, // half overflows to +Inf
		{-0.0, 0, 0},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.f16, NewF16(tc.in).Float32(), "f16(%v)", tc.in)
		assert.Equal(t, tc.b16, NewBF16(tc.in).Float32(), "bf16(%v)", tc.in)
	}
	assert.True(t, math.IsNaN(float64(NewBF16(float32(math.NaN())).Float32())))
	assert.True(t, math.IsNaN(float64(NewF16(float32(math.NaN())).Float32())))
}

func TestNewAndFromSlice(t *testing.T) {
	x, err := New(Int32, Shape{2, 3})
	require.NoError(t, err)
	assert.Equal(t, make([]int32, 6), Values[int32](x))

	_, err = New(Int32, Shape{2, -1})
	assert.ErrorIs(t, err, ErrShape)
	_, err = New(DType(99), Shape{1})
	assert.Error(t, err)
	_, err = FromSlice(Shape{4}, []float32{1, 2})
	assert.ErrorIs(t, err, ErrShape)

	s := Scalar[int64](7)
	assert.Equal(t, 0, s.Rank())
	assert.Equal(t, 1, s.NumElements())

	r, err := x.Reshape(Shape{3, 2})
	require.NoError(t, err)
	Values[int32](r)[0] = 5
	assert.Equal(t, int32(5), Values[int32](x)[0], "Reshape shares memory")
	_, err = x.Reshape(Shape{4})
	assert.ErrorIs(t, err, ErrShape)

	c := x.Clone()
	Values[int32](c)[0] = 9
	assert.Equal(t, int32(5), Values[int32](x)[0], "Clone copies")

	assert.Panics(t, func() { Values[float32](x) })
}

func TestBytesZeroCopy(t *testing.T) {
	x := MustFromSlice(Shape{2}, []float32{1, 2})
	b := x.Bytes()
	require.Len(t, b, 8)
	b[3] |= 0x80 // the sign bit of element 0, little-endian
	assert.Equal(t, float32(-1), Values[float32](x)[0])
	assert.Nil(t, Scalar("s").Bytes())

	y, err := FromBytes(Int16, Shape{2}, []byte{1, 0, 0xff, 0xff})
	require.NoError(t, err)
	assert.Equal(t, []int16{1, -1}, Values[int16](y))
	_, err = FromBytes(Int16, Shape{2}, []byte{1})
	assert.ErrorIs(t, err, ErrShape)
}

func TestCompare(t *testing.T) {
	nan := math.NaN()
	a := MustFromSlice(Shape{2, 2}, []float64{1, nan, math.Inf(1), 100})
	cases := []struct {
		name string
		b    *Tensor
		tol  Tolerance
		ok   bool
		want string
	}{
		{"identical with NaN", MustFromSlice(Shape{2, 2}, []float64{1, nan, math.Inf(1), 100}), Tolerance{}, true, ""},
		{"within rtol", MustFromSlice(Shape{2, 2}, []float64{1, nan, math.Inf(1), 100.005}), Tolerance{RTol: 1e-4}, true, ""},
		{"beyond tolerance", MustFromSlice(Shape{2, 2}, []float64{1.5, nan, math.Inf(1), 100.005}), Tolerance{RTol: 1e-4}, false, "worst at [0 0]"},
		{"NaN vs number", MustFromSlice(Shape{2, 2}, []float64{1, 0, math.Inf(1), 100}), Tolerance{ATol: 1}, false, "worst at [0 1]"},
		{"Inf sign", MustFromSlice(Shape{2, 2}, []float64{1, nan, math.Inf(-1), 100}), Tolerance{ATol: 1}, false, "worst at [1 0]"},
		{"shape", MustFromSlice(Shape{4}, []float64{1, nan, math.Inf(1), 100}), Tolerance{}, false, "shape [2,2], want [4]"},
		{"dtype", MustFromSlice(Shape{2, 2}, []float32{1, 2, 3, 4}), Tolerance{}, false, "dtype float64, want float32"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Compare(a, tc.b, tc.tol)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var m *MismatchError
			require.ErrorAs(t, err, &m)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	s1 := MustFromSlice(Shape{2}, []string{"a", "b"})
	assert.NoError(t, Compare(s1, MustFromSlice(Shape{2}, []string{"a", "b"}), Tolerance{}))
	assert.Error(t, Compare(s1, MustFromSlice(Shape{2}, []string{"a", "c"}), Tolerance{RTol: 1}))
}

func TestFromFloat64sSaturates(t *testing.T) {
	x, err := FromFloat64s(Int8, Shape{4}, []float64{300, -300, 2.9, math.NaN()})
	require.NoError(t, err)
	assert.Equal(t, []int8{127, -128, 2, 0}, Values[int8](x))
	y, err := FromFloat64s(Uint64, Shape{2}, []float64{1e30, -5})
	require.NoError(t, err)
	assert.Equal(t, []uint64{math.MaxUint64, 0}, Values[uint64](y))
	z, err := FromFloat64s(Int64, Shape{1}, []float64{1e19})
	require.NoError(t, err)
	assert.Equal(t, []int64{math.MaxInt64}, Values[int64](z))
}

func TestTranspose(t *testing.T) {
	x := MustFromSlice(Shape{2, 3, 4}, func() []int32 {
		v := make([]int32, 24)
		for i := range v {
			v[i] = int32(i)
		}
		return v
	}())
	y, err := Transpose(x, []int{2, 0, 1})
	require.NoError(t, err)
	assert.Equal(t, Shape{4, 2, 3}, y.Shape())
	// y[k][i][j] = x[i][j][k] = 12i + 4j + k
	yv := Values[int32](y)
	for k := 0; k < 4; k++ {
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				assert.Equal(t, int32(12*i+4*j+k), yv[k*6+i*3+j])
			}
		}
	}
	_, err = Transpose(x, []int{0, 0, 1})
	assert.Error(t, err)
	s, err := Transpose(MustFromSlice(Shape{1, 2}, []string{"a", "b"}), []int{1, 0})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, Values[string](s))
}

func TestCompareComplexNaNAndInf(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	a := MustFromSlice(Shape{3}, []complex128{complex(nan, 1), complex(inf, 0), 1})
	assert.NoError(t, Compare(a, MustFromSlice(Shape{3}, []complex128{complex(1, nan), complex(inf, 0), 1}), Tolerance{}))
	err := Compare(a, MustFromSlice(Shape{3}, []complex128{complex(nan, inf), complex(-inf, 0), 1}), Tolerance{RTol: 1})
	var m *MismatchError
	require.ErrorAs(t, err, &m)
	assert.Equal(t, 1, m.Mismatches)
	assert.Equal(t, []int{1}, m.WorstIndex)
	err = Compare(MustFromSlice(Shape{1}, []complex64{complex(float32(nan), 0)}), MustFromSlice(Shape{1}, []complex64{1}), Tolerance{ATol: 1})
	require.ErrorAs(t, err, &m)
	assert.Equal(t, []int{0}, m.WorstIndex)
}

// TestQuantizedDTypes checks the quantized rows against TensorFlow's
// types.proto (DT_QINT8 = 11 ... DT_QUINT16 = 16) and that they hold the
// integers of their width without counting as integers.
func TestQuantizedDTypes(t *testing.T) {
	for _, c := range []struct {
		d       DType
		num     int32
		name    string
		storage DType
	}{
		{Qint8, 11, "qint8", Int8}, {Quint8, 12, "quint8", Uint8}, {Qint32, 13, "qint32", Int32},
		{Qint16, 15, "qint16", Int16}, {Quint16, 16, "quint16", Uint16},
	} {
		assert.Equal(t, c.num, int32(c.d), c.name)
		assert.Equal(t, c.name, c.d.String())
		assert.Equal(t, c.storage, c.d.Storage(), c.name)
		assert.Equal(t, c.storage.Size(), c.d.Size(), c.name)
		assert.True(t, c.d.IsQuantized(), c.name)
		assert.False(t, c.d.IsInteger() || c.d.IsNumeric() || c.d.IsFloat(), c.name)
		got, err := ParseDType("DT_" + strings.ToUpper(c.name))
		require.NoError(t, err)
		assert.Equal(t, c.d, got)

		x := MustNew(c.d, Shape{2})
		assert.Equal(t, c.d, x.DType())
		assert.Equal(t, MustNew(c.storage, Shape{2}).Data(), x.Data(), "%v is held as %v", c.d, c.storage)
		_, err = FromAny(c.d, Shape{2}, x.Data())
		require.NoError(t, err, c.name)
		_, err = FromAny(c.d, Shape{2}, []float32{1, 2})
		require.Error(t, err, c.name)
		_, err = ONNXType(c.d)
		assert.Error(t, err, "%v has no ONNX type", c.d)
	}
	assert.False(t, Int8.IsQuantized())
	assert.Equal(t, Float32, Float32.Storage())
}
