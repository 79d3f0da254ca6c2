package serve

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/servingpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// The gRPC services keep TensorFlow Serving's wire names, so its clients
// (and any generated from its .proto files) call this server unchanged;
// the message types are the project's copies, identical on the wire.
const (
	predictionService = "tensorflow.serving.PredictionService"
	modelService      = "tensorflow.serving.ModelService"
	// signatureDefMapURL is the type URL TensorFlow Serving's clients
	// unpack the "signature_def" metadata with.
	signatureDefMapURL = "type.googleapis.com/tensorflow.serving.SignatureDefMap"
)

// RegisterGRPC registers PredictionService (Predict, Classify, Regress,
// GetModelMetadata) and ModelService (GetModelStatus) on g. MultiInference
// and HandleReloadConfigRequest are not served (Unimplemented). g must be
// built with GRPCOptions: its codec hands the handlers the request bytes
// so that a malformed message is InvalidArgument, and it applies the
// message size limit.
func (s *Server) RegisterGRPC(g *grpc.Server) {
	g.RegisterService(&grpc.ServiceDesc{
		ServiceName: predictionService,
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "Classify", Handler: unary(s, "Classify", func() *servingpb.ClassificationRequest { return new(servingpb.ClassificationRequest) }, (*Server).grpcClassify)},
			{MethodName: "Regress", Handler: unary(s, "Regress", func() *servingpb.RegressionRequest { return new(servingpb.RegressionRequest) }, (*Server).grpcRegress)},
			{MethodName: "Predict", Handler: unary(s, "Predict", func() *servingpb.PredictRequest { return new(servingpb.PredictRequest) }, (*Server).grpcPredict)},
			{MethodName: "GetModelMetadata", Handler: unary(s, "GetModelMetadata", func() *servingpb.GetModelMetadataRequest { return new(servingpb.GetModelMetadataRequest) }, (*Server).grpcMetadata)},
		},
		Metadata: "tensorflow_serving/apis/prediction_service.proto",
	}, s)
	g.RegisterService(&grpc.ServiceDesc{
		ServiceName: modelService,
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{
			{MethodName: "GetModelStatus", Handler: unary(s, "GetModelStatus", func() *servingpb.GetModelStatusRequest { return new(servingpb.GetModelStatusRequest) }, (*Server).grpcStatus)},
		},
		Metadata: "tensorflow_serving/apis/model_service.proto",
	}, s)
}

// unary adapts a typed method to grpc's handler signature. A request that
// does not decode (truncated or not this message) is an invalid argument,
// not grpc-go's default Internal.
func unary[Req any, Resp any](s *Server, method string, newReq func() Req, fn func(*Server, context.Context, Req) (Resp, error)) func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
	full := "/" + predictionService + "/" + method
	if method == "GetModelStatus" {
		full = "/" + modelService + "/" + method
	}
	return func(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		req := newReq()
		raw := &rawMessage{}
		if err := dec(raw); err != nil {
			return nil, err
		}
		if raw.data != nil || raw.received {
			if err := proto.Unmarshal(raw.data, any(req).(proto.Message)); err != nil {
				return nil, &StatusError{Code: codes.InvalidArgument, Msg: fmt.Sprintf("%s: the request message does not decode: %v", method, err), Err: ErrInvalidArgument}
			}
		}
		call := func(ctx context.Context, r any) (any, error) { return fn(s, ctx, r.(Req)) }
		if icpt == nil {
			return call(ctx, req)
		}
		return icpt(ctx, req, &grpc.UnaryServerInfo{Server: s, FullMethod: full}, call)
	}
}

// rawMessage receives a request's bytes undecoded (through serverCodec),
// so that a message that does not decode is answered InvalidArgument:
// grpc-go answers a codec failure with Internal before the handler runs.
type rawMessage struct {
	data     []byte
	received bool
}

// serverCodec is the proto codec, except that it hands rawMessage the
// bytes as they came.
type serverCodec struct{}

func (serverCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("serve: cannot encode %T as a protobuf message", v)
	}
	return proto.Marshal(m)
}

func (serverCodec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case *rawMessage:
		m.data, m.received = slices.Clone(data), true
		return nil
	case proto.Message:
		return proto.Unmarshal(data, m)
	}
	return fmt.Errorf("serve: cannot decode into %T", v)
}

func (serverCodec) Name() string { return "proto" }

// modelSpec converts a request's ModelSpec.
func modelSpec(p *servingpb.ModelSpec) ModelSpec {
	spec := ModelSpec{Name: p.GetName(), Signature: p.GetSignatureName(), Label: p.GetVersionLabel()}
	if v := p.GetVersion(); v != nil {
		n := v.GetValue()
		spec.Version = &n
	}
	return spec
}

func (s *Server) grpcPredict(ctx context.Context, req *servingpb.PredictRequest) (*servingpb.PredictResponse, error) {
	spec := modelSpec(req.GetModelSpec())
	inputs := make(map[string]*tensor.Tensor, len(req.GetInputs()))
	for _, k := range slices.Sorted(maps.Keys(req.GetInputs())) {
		t, err := tensor.FromTFProto(req.GetInputs()[k])
		if err != nil {
			err = errorf(ErrInvalidArgument, "model %s: input %s: %w", spec.Name, k, err)
			s.metrics.request(s.mgr.metricLabel(spec.Name), "predict", servingpb.ErrorCode_INVALID_ARGUMENT.String(), 0)
			return nil, err
		}
		inputs[k] = t
	}
	outs, num, err := s.Predict(ctx, spec, inputs, req.GetOutputFilter())
	if err != nil {
		return nil, err
	}
	resp := &servingpb.PredictResponse{ModelSpec: specProto(spec.Name, num, cmp.Or(spec.Signature, defaultSignature)), Outputs: map[string]*tfpb.TensorProto{}}
	for _, k := range slices.Sorted(maps.Keys(outs)) {
		p, err := tensor.ToTFProto(outs[k])
		if err != nil {
			return nil, errorf(ErrInternal, "model %s: output %s: %w", spec.Name, k, err)
		}
		resp.Outputs[k] = p
	}
	return resp, nil
}

// examplesOf unpacks an Input: the examples and the shared context.
func examplesOf(in *servingpb.Input) ([]*tfpb.Example, *tfpb.Example) {
	if l := in.GetExampleListWithContext(); l != nil {
		return l.GetExamples(), l.GetContext()
	}
	return in.GetExampleList().GetExamples(), nil
}

func (s *Server) grpcClassify(ctx context.Context, req *servingpb.ClassificationRequest) (*servingpb.ClassificationResponse, error) {
	spec := modelSpec(req.GetModelSpec())
	examples, exCtx := examplesOf(req.GetInput())
	res, num, err := s.Classify(ctx, spec, examples, exCtx)
	if err != nil {
		return nil, err
	}
	out := &servingpb.ClassificationResult{}
	for _, cls := range res {
		c := &servingpb.Classifications{}
		for _, x := range cls {
			c.Classes = append(c.Classes, &servingpb.Class{Label: x.Label, Score: x.Score})
		}
		out.Classifications = append(out.Classifications, c)
	}
	return &servingpb.ClassificationResponse{ModelSpec: specProto(spec.Name, num, cmp.Or(spec.Signature, defaultSignature)), Result: out}, nil
}

func (s *Server) grpcRegress(ctx context.Context, req *servingpb.RegressionRequest) (*servingpb.RegressionResponse, error) {
	spec := modelSpec(req.GetModelSpec())
	examples, exCtx := examplesOf(req.GetInput())
	res, num, err := s.Regress(ctx, spec, examples, exCtx)
	if err != nil {
		return nil, err
	}
	out := &servingpb.RegressionResult{}
	for _, v := range res {
		out.Regressions = append(out.Regressions, &servingpb.Regression{Value: v})
	}
	return &servingpb.RegressionResponse{ModelSpec: specProto(spec.Name, num, cmp.Or(spec.Signature, defaultSignature)), Result: out}, nil
}

func (s *Server) grpcMetadata(ctx context.Context, req *servingpb.GetModelMetadataRequest) (*servingpb.GetModelMetadataResponse, error) {
	spec := modelSpec(req.GetModelSpec())
	var resp *servingpb.GetModelMetadataResponse
	err := s.observe(ctx, spec.Name, "metadata", func(context.Context) error {
		fields := req.GetMetadataField()
		if len(fields) == 0 {
			return errorf(ErrInvalidArgument, "model %s: GetModelMetadataRequest must specify at least one metadata_field", spec.Name)
		}
		for _, f := range fields {
			if f != "signature_def" {
				return errorf(ErrInvalidArgument, "model %s: metadata field %s is not supported", spec.Name, f)
			}
		}
		r, sigs, err := s.modelMetadata(spec)
		if err != nil {
			return err
		}
		a, err := anyOf(sigs)
		if err != nil {
			return err
		}
		r.Metadata = map[string]*anypb.Any{"signature_def": a}
		resp = r
		return nil
	})
	return resp, err
}

// anyOf packs a SignatureDefMap under TensorFlow Serving's type URL.
func anyOf(sigs *servingpb.SignatureDefMap) (*anypb.Any, error) {
	a, err := anypb.New(sigs)
	if err != nil {
		return nil, errorf(ErrInternal, "packing signatures: %w", err)
	}
	a.TypeUrl = signatureDefMapURL
	return a, nil
}

func (s *Server) grpcStatus(ctx context.Context, req *servingpb.GetModelStatusRequest) (*servingpb.GetModelStatusResponse, error) {
	spec := modelSpec(req.GetModelSpec())
	var resp *servingpb.GetModelStatusResponse
	err := s.observe(ctx, spec.Name, "status", func(context.Context) error {
		var err error
		resp, err = s.modelStatus(spec)
		return err
	})
	return resp, err
}

// modelStatus returns the states of a model's versions (one version when
// spec names it).
func (s *Server) modelStatus(spec ModelSpec) (*servingpb.GetModelStatusResponse, error) {
	if spec.Name == "" {
		return nil, errorf(ErrInvalidArgument, "missing model name in request")
	}
	sv, err := s.mgr.servable(spec.Name)
	if err != nil {
		return nil, err
	}
	num := int64(-1)
	switch {
	case spec.Version != nil:
		num = *spec.Version
	case spec.Label != "":
		n, ok := sv.cfg.Labels[spec.Label]
		if !ok {
			return nil, errorf(ErrNotFound, "model %s: unrecognized servable version label: %s", spec.Name, spec.Label)
		}
		num = n
	}
	st, err := sv.status(num)
	if err != nil {
		return nil, err
	}
	return &servingpb.GetModelStatusResponse{ModelVersionStatus: st}, nil
}

// modelMetadata returns the response envelope (model spec) and the
// version's signatures as SignatureDefs.
func (s *Server) modelMetadata(spec ModelSpec) (*servingpb.GetModelMetadataResponse, *servingpb.SignatureDefMap, error) {
	v, err := s.acquire(spec)
	if err != nil {
		return nil, nil, err
	}
	defer v.release()
	sigs := &servingpb.SignatureDefMap{SignatureDef: map[string]*tfpb.SignatureDef{}}
	for k, sig := range v.sigs {
		sigs.SignatureDef[k] = signatureDef(sig)
	}
	return &servingpb.GetModelMetadataResponse{ModelSpec: specProto(v.model, v.num, "")}, sigs, nil
}

// signatureDef converts a signature back to its SignatureDef.
func signatureDef(sig *graph.Signature) *tfpb.SignatureDef {
	info := func(ts []graph.TensorInfo) map[string]*tfpb.TensorInfo {
		m := make(map[string]*tfpb.TensorInfo, len(ts))
		for _, t := range ts {
			shape := &tfpb.TensorShapeProto{UnknownRank: !t.RankKnown}
			for _, d := range t.Shape {
				shape.Dim = append(shape.Dim, &tfpb.TensorShapeProto_Dim{Size: d})
			}
			m[t.Key] = &tfpb.TensorInfo{Encoding: &tfpb.TensorInfo_Name{Name: t.Name}, Dtype: tfpb.DataType(t.DType), TensorShape: shape}
		}
		return m
	}
	return &tfpb.SignatureDef{Inputs: info(sig.Inputs), Outputs: info(sig.Outputs), MethodName: sig.Method}
}
