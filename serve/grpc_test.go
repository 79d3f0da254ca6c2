package serve

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/tfoffload/tfoffload/internal/servingpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// rawCodec sends pre-encoded bytes, to put malformed messages on the wire.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }
func (rawCodec) Unmarshal([]byte, any) error   { return nil }
func (rawCodec) Name() string                  { return "proto" }
func invoke(t *testing.T, r *running, method string, req, resp proto.Message) error {
	t.Helper()
	return r.grpc.Invoke(context.Background(), method, req, resp)
}

func floatExample(x float32) *tfpb.Example {
	return &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
		"x": {Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{x}}}},
	}}}
}

// TestGRPCHalfPlusTwo calls the gRPC services as TensorFlow Serving's
// clients do (same method names, same wire messages).
func TestGRPCHalfPlusTwo(t *testing.T) {
	r := start(t, Config{Models: []ModelConfig{{Name: "half_plus_two", BasePath: modelBase(t, halfPlusTwo)}}, MaxBodyBytes: 1 << 16})
	const predict = "/tensorflow.serving.PredictionService/Predict"
	x := tensor.MustFromSlice(tensor.Shape{3}, []float32{1, 2, 5})
	packed, err := tensor.ToTFProto(x)
	require.NoError(t, err)
	typed := &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: tensor.TFShapeProto(tensor.Shape{2, 1}), FloatVal: []float32{1, 2}}

	t.Run("predict", func(t *testing.T) {
		for name, c := range map[string]struct {
			in   *tfpb.TensorProto
			want []float32
		}{"tensor_content": {packed, []float32{2.5, 3, 4.5}}, "float_val": {typed, []float32{2.5, 3}}} {
			t.Run(name, func(t *testing.T) {
				var resp servingpb.PredictResponse
				require.NoError(t, invoke(t, r, predict, &servingpb.PredictRequest{
					ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"},
					Inputs:    map[string]*tfpb.TensorProto{"x": c.in},
				}, &resp))
				assert.Equal(t, int64(1), resp.GetModelSpec().GetVersion().GetValue())
				assert.Equal(t, "serving_default", resp.GetModelSpec().GetSignatureName())
				y, err := tensor.FromTFProto(resp.GetOutputs()["y"])
				require.NoError(t, err)
				assert.Equal(t, c.want, tensor.Values[float32](y))
			})
		}
	})

	t.Run("errors", func(t *testing.T) {
		cases := []struct {
			name string
			req  *servingpb.PredictRequest
			code codes.Code
			msg  string
		}{
			{"unknown model", &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "nope"}}, codes.NotFound, "not served"},
			{"unknown version", &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two", VersionChoice: &servingpb.ModelSpec_Version{Version: wrapperspb.Int64(9)}}, Inputs: map[string]*tfpb.TensorProto{"x": packed}}, codes.NotFound, "Specific(half_plus_two, 9)"},
			{"output filter", &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}, Inputs: map[string]*tfpb.TensorProto{"x": packed}, OutputFilter: []string{"z"}}, codes.InvalidArgument, "output tensor alias not found in signature: z"},
			{"missing input", &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}}, codes.InvalidArgument, "missing input x"},
			{"wrong dtype", &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}, Inputs: map[string]*tfpb.TensorProto{"x": {Dtype: tfpb.DataType_DT_INT32, IntVal: []int32{1}}}}, codes.InvalidArgument, "expects float32 but int32 is provided"},
			{"lying tensor_content", &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}, Inputs: map[string]*tfpb.TensorProto{"x": {Dtype: tfpb.DataType_DT_FLOAT, TensorShape: tensor.TFShapeProto(tensor.Shape{1000}), TensorContent: []byte{1, 2, 3, 4}}}}, codes.InvalidArgument, "input x"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := invoke(t, r, predict, c.req, &servingpb.PredictResponse{})
				st, _ := status.FromError(err)
				assert.Equal(t, c.code, st.Code(), "%v", err)
				assert.Contains(t, st.Message(), c.msg)
			})
		}
	})

	t.Run("truncated message", func(t *testing.T) {
		whole, err := proto.Marshal(&servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}, Inputs: map[string]*tfpb.TensorProto{"x": packed}})
		require.NoError(t, err)
		var out []byte
		err = r.grpc.Invoke(context.Background(), predict, whole[:len(whole)-3], &out, grpc.ForceCodec(rawCodec{}))
		st, _ := status.FromError(err)
		assert.Equal(t, codes.InvalidArgument, st.Code(), "%v", err)
		assert.Contains(t, st.Message(), "does not decode")
	})

	t.Run("too large", func(t *testing.T) {
		huge := &tfpb.TensorProto{Dtype: tfpb.DataType_DT_FLOAT, TensorShape: tensor.TFShapeProto(tensor.Shape{1 << 15}), FloatVal: make([]float32, 1<<15)}
		err := invoke(t, r, predict, &servingpb.PredictRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}, Inputs: map[string]*tfpb.TensorProto{"x": huge}}, &servingpb.PredictResponse{})
		assert.Equal(t, codes.ResourceExhausted, status.Code(err), "%v", err)
	})

	t.Run("classify and regress", func(t *testing.T) {
		in := &servingpb.Input{Kind: &servingpb.Input_ExampleList{ExampleList: &servingpb.ExampleList{Examples: []*tfpb.Example{floatExample(1), floatExample(2)}}}}
		var cr servingpb.ClassificationResponse
		require.NoError(t, invoke(t, r, "/tensorflow.serving.PredictionService/Classify",
			&servingpb.ClassificationRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two", SignatureName: "classify_x_to_y"}, Input: in}, &cr))
		require.Len(t, cr.GetResult().GetClassifications(), 2)
		assert.Equal(t, float32(3), cr.GetResult().GetClassifications()[1].GetClasses()[0].GetScore())

		withCtx := &servingpb.Input{Kind: &servingpb.Input_ExampleListWithContext{ExampleListWithContext: &servingpb.ExampleListWithContext{
			Examples: []*tfpb.Example{{}, floatExample(6)}, Context: floatExample(4)}}}
		var rr servingpb.RegressionResponse
		require.NoError(t, invoke(t, r, "/tensorflow.serving.PredictionService/Regress",
			&servingpb.RegressionRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two", SignatureName: "regress_x_to_y"}, Input: withCtx}, &rr))
		var got []float32
		for _, g := range rr.GetResult().GetRegressions() {
			got = append(got, g.GetValue())
		}
		assert.Equal(t, []float32{4, 5}, got)
	})

	t.Run("metadata", func(t *testing.T) {
		var resp servingpb.GetModelMetadataResponse
		require.NoError(t, invoke(t, r, "/tensorflow.serving.PredictionService/GetModelMetadata",
			&servingpb.GetModelMetadataRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}, MetadataField: []string{"signature_def"}}, &resp))
		a := resp.GetMetadata()["signature_def"]
		require.NotNil(t, a)
		assert.Equal(t, "type.googleapis.com/tensorflow.serving.SignatureDefMap", a.GetTypeUrl())
		var sigs servingpb.SignatureDefMap
		require.NoError(t, proto.Unmarshal(a.GetValue(), &sigs))
		assert.Equal(t, "y:0", sigs.GetSignatureDef()["serving_default"].GetOutputs()["y"].GetName())
		assert.Equal(t, "tensorflow/serving/regress", sigs.GetSignatureDef()["regress_x_to_y"].GetMethodName())

		err := invoke(t, r, "/tensorflow.serving.PredictionService/GetModelMetadata",
			&servingpb.GetModelMetadataRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}}, &resp)
		assert.Equal(t, codes.InvalidArgument, status.Code(err))
	})

	t.Run("status", func(t *testing.T) {
		var resp servingpb.GetModelStatusResponse
		require.NoError(t, invoke(t, r, "/tensorflow.serving.ModelService/GetModelStatus",
			&servingpb.GetModelStatusRequest{ModelSpec: &servingpb.ModelSpec{Name: "half_plus_two"}}, &resp))
		require.Len(t, resp.GetModelVersionStatus(), 1)
		assert.Equal(t, servingpb.ModelVersionStatus_AVAILABLE, resp.GetModelVersionStatus()[0].GetState())
		assert.Equal(t, servingpb.ErrorCode_OK, resp.GetModelVersionStatus()[0].GetStatus().GetErrorCode())
	})

	t.Run("unimplemented", func(t *testing.T) {
		err := invoke(t, r, "/tensorflow.serving.PredictionService/MultiInference", &servingpb.PredictRequest{}, &servingpb.PredictResponse{})
		assert.Equal(t, codes.Unimplemented, status.Code(err))
	})
}
