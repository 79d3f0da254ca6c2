package tensorflow

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type celsius float32

func TestNewTensor(t *testing.T) {
	tests := []struct {
		name  string
		value any
		dt    DataType
		shape []int64
		want  any // Value(); nil means value itself
	}{
		{"float32 scalar", float32(1.5), Float, nil, nil},
		{"float64 scalar", 2.5, Double, nil, nil},
		{"int64 scalar", int64(-3), Int64, nil, nil},
		{"int32 vector", []int32{1, 2, 3}, Int32, []int64{3}, nil},
		{"uint8 from []byte", []byte("hi"), Uint8, []int64{2}, nil},
		{"uint16", []uint16{7}, Uint16, []int64{1}, nil},
		{"uint32", []uint32{7}, Uint32, []int64{1}, nil},
		{"uint64", []uint64{7}, Uint64, []int64{1}, nil},
		{"int8", [][]int8{{1}, {2}}, Int8, []int64{2, 1}, nil},
		{"int16", []int16{1, 2}, Int16, []int64{2}, nil},
		{"bool matrix", [][]bool{{true, false}, {false, true}}, Bool, []int64{2, 2}, nil},
		{"string scalar", "hello", String, nil, nil},
		{"string matrix", [][]string{{"a", "b"}, {"c", "d"}}, String, []int64{2, 2}, nil},
		{"complex64", []complex64{1 + 2i}, Complex64, []int64{1}, nil},
		{"complex128", complex(1, 2), Complex128, nil, nil},
		{"array of arrays", [2][3]float32{{1, 2, 3}, {4, 5, 6}}, Float, []int64{2, 3}, [][]float32{{1, 2, 3}, {4, 5, 6}}},
		{"slice of arrays", [][2]int64{{1, 2}}, Int64, []int64{1, 2}, [][]int64{{1, 2}}},
		{"empty slice", []float32{}, Float, []int64{0}, nil},
		{"empty matrix", [][]float32{}, Float, []int64{0, 0}, [][]float32{}},
		{"named type", celsius(3), Float, nil, float32(3)},
		{"rank 3", [][][]float64{{{1}, {2}}}, Double, []int64{1, 2, 1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := NewTensor(tt.value)
			require.NoError(t, err)
			assert.Equal(t, tt.dt, x.DataType())
			assert.Equal(t, len(tt.shape), len(x.Shape()))
			if len(tt.shape) > 0 {
				assert.Equal(t, tt.shape, x.Shape())
			}
			want := tt.want
			if want == nil {
				want = tt.value
			}
			assert.Equal(t, want, x.Value())
		})
	}
}

func TestNewTensorRefuses(t *testing.T) {
	tests := []struct {
		name  string
		value any
		err   string
	}{
		{"int", 1, "unsupported type int"},
		{"int slice", []int{1, 2}, "unsupported type int"},
		{"uint", uint(1), "unsupported type uint"},
		{"pointer", new(float32), "unsupported type *float32"},
		{"interface slice", []any{1.0}, "unsupported type interface {}"},
		{"map", map[string]float32{}, "unsupported type map[string]float32"},
		{"ragged", [][]float32{{1, 2}, {3}}, "mismatched slice lengths: 1 and 2"},
		{"ragged strings", [][]string{{"a"}, {"b", "c"}}, "mismatched slice lengths: 2 and 1"},
		{"nil", nil, "unsupported type <nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewTensor(tt.value)
			require.Error(t, err)
			assert.EqualError(t, err, tt.err)
		})
	}
}

func TestValueIsACopy(t *testing.T) {
	x, err := NewTensor([]float32{1, 2})
	require.NoError(t, err)
	v := x.Value().([]float32)
	v[0] = 9
	assert.Equal(t, []float32{1, 2}, x.Value())
}

func TestReshape(t *testing.T) {
	x, err := NewTensor([]int32{1, 2, 3, 4, 5, 6})
	require.NoError(t, err)
	require.NoError(t, x.Reshape([]int64{2, 3}))
	assert.Equal(t, [][]int32{{1, 2, 3}, {4, 5, 6}}, x.Value())
	err = x.Reshape([]int64{4, 2})
	assert.EqualError(t, err, "unable to convert shape [2 3] (num_elements: 6) into shape [4 2] (num_elements: 8)")
	assert.Equal(t, []int64{2, 3}, x.Shape(), "a failed Reshape leaves the shape")
}

func TestWriteContentsToReadTensor(t *testing.T) {
	for _, v := range []any{[][]float32{{1, 2}, {3, 4}}, []bool{true, false, true}, int64(7), []complex128{1 + 1i}} {
		x, err := NewTensor(v)
		require.NoError(t, err)
		var buf bytes.Buffer
		n, err := x.WriteContentsTo(&buf)
		require.NoError(t, err)
		assert.Equal(t, int64(buf.Len()), n)
		y, err := ReadTensor(x.DataType(), x.Shape(), &buf)
		require.NoError(t, err)
		assert.Equal(t, x.Value(), y.Value())
	}
	t.Run("string refused", func(t *testing.T) {
		x, err := NewTensor("s")
		require.NoError(t, err)
		_, err = x.WriteContentsTo(&bytes.Buffer{})
		assert.ErrorContains(t, err, "serialization of tensors with the DataType 7 is not yet supported")
		_, err = ReadTensor(String, nil, &bytes.Buffer{})
		assert.Error(t, err)
	})
	t.Run("short input", func(t *testing.T) {
		_, err := ReadTensor(Float, []int64{4}, bytes.NewReader(make([]byte, 8)))
		assert.Error(t, err)
	})
	t.Run("negative dimension", func(t *testing.T) {
		_, err := ReadTensor(Float, []int64{-1}, bytes.NewReader(nil))
		assert.ErrorContains(t, err, "non-negative")
	})
}

func TestShape(t *testing.T) {
	tests := []struct {
		name   string
		s      Shape
		rank   int
		full   bool
		str    string
		sliceE bool
	}{
		{"unknown", Shape{}, -1, false, "?", true},
		{"scalar", ScalarShape(), 0, true, "[]", false},
		{"partial", MakeShape(2, -1, 3), 3, false, "[2, ?, 3]", false},
		{"full", MakeShape(1, 224, 224, 3), 4, true, "[1, 224, 224, 3]", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.rank, tt.s.NumDimensions())
			assert.Equal(t, tt.full, tt.s.IsFullySpecified())
			assert.Equal(t, tt.str, tt.s.String())
			_, err := tt.s.ToSlice()
			assert.Equal(t, tt.sliceE, err != nil)
		})
	}
	assert.Equal(t, int64(-1), MakeShape(2).Size(1))
	assert.Equal(t, int64(2), MakeShape(2).Size(0))
}

func TestDataTypeNumbers(t *testing.T) {
	// TensorFlow's types.proto numbers.
	want := map[DataType]int32{Float: 1, Double: 2, Int32: 3, Uint8: 4, Int16: 5, Int8: 6, String: 7, Complex64: 8,
		Int64: 9, Bool: 10, Qint8: 11, Quint8: 12, Qint32: 13, Bfloat16: 14, Qint16: 15, Quint16: 16, Uint16: 17,
		Complex128: 18, Half: 19, Uint32: 22, Uint64: 23}
	for dt, n := range want {
		assert.Equal(t, n, int32(dt))
	}
}
