package tensor

import (
	"bytes"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

func TestTFProtoRoundTripEveryDType(t *testing.T) {
	cases := append(roundTripTensors(),
		namedTensor{"resource", mustAny(Resource, Shape{1}, []any{&tfpb.ResourceHandleProto{Name: "v", Container: "c"}})},
		namedTensor{"variant", mustAny(Variant, Shape{}, []any{&tfpb.VariantTensorDataProto{TypeName: "tensorflow::TensorList"}})},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ToTFProto(tc.t)
			require.NoError(t, err)
			// Through the wire, as a model file would carry it.
			b, err := proto.Marshal(p)
			require.NoError(t, err)
			var back tfpb.TensorProto
			require.NoError(t, proto.Unmarshal(b, &back))
			got, err := FromTFProto(&back)
			require.NoError(t, err)
			if tc.t.DType() == Resource || tc.t.DType() == Variant {
				assert.True(t, proto.Equal(anyValues(tc.t)[0].(proto.Message), anyValues(got)[0].(proto.Message)))
				return
			}
			assert.NoError(t, Compare(got, tc.t, Tolerance{}))

			// And on through .npy where NumPy can hold the dtype.
			if tc.t.DType() == BFloat16 {
				return
			}
			onnx, err := ToONNXProto(got, "x")
			require.NoError(t, err)
			fromONNX, err := FromONNXProto(onnx)
			require.NoError(t, err)
			assert.NoError(t, Compare(fromONNX, tc.t, Tolerance{}))
		})
	}
}

func mustAny(dt DType, shape Shape, data any) *Tensor {
	t, err := FromAny(dt, shape, data)
	if err != nil {
		panic(err)
	}
	return t
}

func anyValues(t *Tensor) []any { return t.Data().([]any) }

func shapeProto(dims ...int64) *tfpb.TensorShapeProto {
	s := &tfpb.TensorShapeProto{}
	for _, d := range dims {
		s.Dim = append(s.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
	}
	return s
}

func TestFromTFProtoEncodings(t *testing.T) {
	cases := []struct {
		name string
		p    *tfpb.TensorProto
		want *Tensor
	}{
		{"float_val exact", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(2), FloatVal: []float32{1, 2}},
			MustFromSlice(Shape{2}, []float32{1, 2})},
		{"one value broadcast", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(2, 2), FloatVal: []float32{7}},
			MustFromSlice(Shape{2, 2}, []float32{7, 7, 7, 7})},
		{"last value repeats", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT32, TensorShape: shapeProto(4), IntVal: []int32{1, 2}},
			MustFromSlice(Shape{4}, []int32{1, 2, 2, 2})},
		{"no values are zeros", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT64, TensorShape: shapeProto(3)},
			MustFromSlice(Shape{3}, []int64{0, 0, 0})},
		{"scalar without shape", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_DOUBLE, DoubleVal: []float64{2.5}},
			Scalar(2.5)},
		{"half_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_HALF, TensorShape: shapeProto(2), HalfVal: []int32{0x3c00, 0xc000}},
			MustFromSlice(Shape{2}, []F16{NewF16(1), NewF16(-2)})},
		{"bfloat16 in half_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_BFLOAT16, TensorShape: shapeProto(1), HalfVal: []int32{0x3f80}},
			MustFromSlice(Shape{1}, []BF16{NewBF16(1)})},
		{"uint8 in int_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_UINT8, TensorShape: shapeProto(2), IntVal: []int32{255, 3}},
			MustFromSlice(Shape{2}, []uint8{255, 3})},
		{"bool_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_BOOL, TensorShape: shapeProto(2), BoolVal: []bool{true}},
			MustFromSlice(Shape{2}, []bool{true, true})},
		{"string_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_STRING, StringVal: [][]byte{[]byte("RIFF\x00")}},
			Scalar("RIFF\x00")},
		{"scomplex_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_COMPLEX64, TensorShape: shapeProto(1), ScomplexVal: []float32{1, -1}},
			MustFromSlice(Shape{1}, []complex64{complex(1, -1)})},
		{"uint64_val", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_UINT64, TensorShape: shapeProto(1), Uint64Val: []uint64{1 << 63}},
			MustFromSlice(Shape{1}, []uint64{1 << 63})},
		{"tensor_content", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_INT16, TensorShape: shapeProto(2), TensorContent: []byte{1, 0, 0xff, 0x7f}},
			MustFromSlice(Shape{2}, []int16{1, 32767})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromTFProto(tc.p)
			require.NoError(t, err)
			assert.NoError(t, Compare(got, tc.want, Tolerance{}))
		})
	}
}

func TestFromTFProtoMalformed(t *testing.T) {
	cases := []struct {
		name string
		p    *tfpb.TensorProto
		want string
	}{
		{"unknown dtype", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT8_E5M2}, "unsupported dtype"},
		{"unknown rank", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: &tfpb.TensorShapeProto{UnknownRank: true}}, "unknown rank"},
		{"negative dim", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(-1)}, "dimension 0 is -1"},
		{"short content", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(2), TensorContent: []byte{0, 0, 0}}, "needs 8 bytes"},
		{"too many values", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(1), FloatVal: []float32{1, 2}}, "2 values for 1 elements"},
		{"string content", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_STRING, TensorContent: []byte("x")}, "tensor_content"},
		{"huge fill", &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: shapeProto(1e9, 1e9), FloatVal: []float32{0}}, "more than"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromTFProto(tc.p)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrProto)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestFromONNXProtoTypedFields(t *testing.T) {
	i32 := func(v onnxpb.TensorProto_DataType) *int32 { x := int32(v); return &x }
	cases := []struct {
		name string
		p    *onnxpb.TensorProto
		want *Tensor
	}{
		{"float_data", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT), Dims: []int64{2}, FloatData: []float32{1, 2}}, MustFromSlice(Shape{2}, []float32{1, 2})},
		{"int32_data int8", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_INT8), Dims: []int64{2}, Int32Data: []int32{-1, 5}}, MustFromSlice(Shape{2}, []int8{-1, 5})},
		{"int32_data float16", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT16), Int32Data: []int32{0x3c00}}, Scalar(NewF16(1))},
		{"int32_data bool", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_BOOL), Dims: []int64{2}, Int32Data: []int32{1, 0}}, MustFromSlice(Shape{2}, []bool{true, false})},
		{"uint64_data uint32", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_UINT32), Dims: []int64{1}, Uint64Data: []uint64{7}}, MustFromSlice(Shape{1}, []uint32{7})},
		{"double_data complex128", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_COMPLEX128), Dims: []int64{1}, DoubleData: []float64{1, 2}}, MustFromSlice(Shape{1}, []complex128{complex(1, 2)})},
		{"string_data", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_STRING), Dims: []int64{1}, StringData: [][]byte{[]byte("a")}}, MustFromSlice(Shape{1}, []string{"a"})},
		{"raw empty", &onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT), Dims: []int64{0, 2}, RawData: []byte{}}, MustFromSlice(Shape{0, 2}, []float32{})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromONNXProto(tc.p)
			require.NoError(t, err)
			assert.NoError(t, Compare(got, tc.want, Tolerance{}))
		})
	}
	_, err := FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT), Dims: []int64{3}, FloatData: []float32{1}})
	assert.ErrorIs(t, err, ErrProto)
	_, err = FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT8E5M2), Dims: []int64{1}})
	assert.ErrorIs(t, err, ErrProto)
	loc := onnxpb.TensorProto_EXTERNAL
	_, err = FromONNXProto(&onnxpb.TensorProto{DataType: i32(onnxpb.TensorProto_FLOAT), DataLocation: &loc})
	assert.ErrorContains(t, err, "external")
}

// TestTFProtoQuantized reads the quantized types from int_val, where
// tensor.proto keeps "DT_INT32, DT_INT16, DT_UINT16, DT_INT8, DT_UINT8"
// and their quantized twins, and from tensor_content, and writes them back.
func TestTFProtoQuantized(t *testing.T) {
	for _, c := range []struct {
		dt   tfpb.DataType
		vals []int32
		want *Tensor
	}{
		{tfpb.DataType_DT_QINT8, []int32{-128, 127}, mustAny(Qint8, Shape{2}, []int8{-128, 127})},
		{tfpb.DataType_DT_QUINT8, []int32{255, 7}, mustAny(Quint8, Shape{2}, []uint8{255, 7})},
		{tfpb.DataType_DT_QINT16, []int32{-32768, 1}, mustAny(Qint16, Shape{2}, []int16{-32768, 1})},
		{tfpb.DataType_DT_QUINT16, []int32{65535, 0}, mustAny(Quint16, Shape{2}, []uint16{65535, 0})},
		{tfpb.DataType_DT_QINT32, []int32{math.MinInt32, 5}, mustAny(Qint32, Shape{2}, []int32{math.MinInt32, 5})},
	} {
		t.Run(c.want.DType().String(), func(t *testing.T) {
			got, err := FromTFProto(&tfpb.TensorProto{Dtype: c.dt, TensorShape: shapeProto(2), IntVal: c.vals})
			require.NoError(t, err)
			assert.NoError(t, Compare(got, c.want, Tolerance{}))

			p, err := ToTFProto(got)
			require.NoError(t, err)
			assert.Equal(t, c.dt, p.GetDtype())
			back, err := FromTFProto(p)
			require.NoError(t, err)
			assert.NoError(t, Compare(back, c.want, Tolerance{}))

			// NumPy has no plain quantized dtype: .npy holds the integers.
			var buf bytes.Buffer
			require.NoError(t, WriteNPY(&buf, got))
			fromNPY, err := ReadNPY(&buf)
			require.NoError(t, err)
			assert.Equal(t, c.want.DType().Storage(), fromNPY.DType())
			assert.Equal(t, c.want.Data(), fromNPY.Data())
		})
	}
}
