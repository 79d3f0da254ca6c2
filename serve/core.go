package serve

import (
	"context"
	"maps"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// ModelSpec selects what a request runs, as TensorFlow Serving's
// ModelSpec: a model, optionally a version or a version label (never
// both), and a signature.
type ModelSpec struct {
	Name string
	// Version selects a version; nil serves the newest available one.
	Version *int64
	// Label selects a version through the model's version labels.
	Label string
	// Signature is the signature key; empty means "serving_default".
	Signature string
}

// Signature method names, as SignatureDef.method_name holds them.
const (
	methodPredict  = "tensorflow/serving/predict"
	methodClassify = "tensorflow/serving/classify"
	methodRegress  = "tensorflow/serving/regress"
)

// acquire returns the version spec names, held until release.
func (s *Server) acquire(spec ModelSpec) (*version, error) {
	if spec.Name == "" {
		return nil, errorf(ErrInvalidArgument, "missing model name in request")
	}
	if spec.Version != nil && spec.Label != "" {
		return nil, errorf(ErrInvalidArgument, "model %s: a request may name a version or a version label, not both", spec.Name)
	}
	num := int64(-1)
	if spec.Version != nil {
		if *spec.Version < 0 {
			return nil, errorf(ErrInvalidArgument, "model %s: version %d is negative", spec.Name, *spec.Version)
		}
		num = *spec.Version
	}
	return s.mgr.acquire(spec.Name, num, spec.Label)
}

// Predict runs a signature of a served model, as TensorFlow Serving's
// PredictionService.Predict: inputs by signature key, all of the
// signature's inputs required; outputFilter names the outputs to compute
// (empty: all). It returns the outputs by key and the version that ran.
// Errors are *StatusError values wrapping ErrInvalidArgument, ErrNotFound,
// ErrUnavailable, ErrResourceExhausted or ErrDeadlineExceeded.
func (s *Server) Predict(ctx context.Context, spec ModelSpec, inputs map[string]*tensor.Tensor, outputFilter []string) (map[string]*tensor.Tensor, int64, error) {
	var (
		outs map[string]*tensor.Tensor
		num  int64
	)
	err := s.observe(ctx, spec.Name, "predict", func(ctx context.Context) error {
		v, err := s.acquire(spec)
		if err != nil {
			return err
		}
		defer v.release()
		num = v.num
		sig, err := v.signature(spec.Signature)
		if err != nil {
			return err
		}
		outs, err = s.runSignature(ctx, v, sig, inputs, outputFilter)
		return err
	})
	return outs, num, err
}

// wrapRun, when set (by tests), wraps every model run: the load
// benchmark measures the CPU time the runs take.
var wrapRun func(runFunc) runFunc

// runSignature checks inputs against sig, runs it (through the batcher
// when batching is on) and returns the chosen outputs by key.
func (s *Server) runSignature(ctx context.Context, v *version, sig *graph.Signature, inputs map[string]*tensor.Tensor, outputFilter []string) (map[string]*tensor.Tensor, error) {
	feeds, err := checkInputs(v, sig, inputs)
	if err != nil {
		return nil, err
	}
	outs, err := pickOutputs(v, sig, outputFilter)
	if err != nil {
		return nil, err
	}
	fetches := make([]string, len(outs))
	for i, o := range outs {
		fetches[i] = o.Name
	}
	run := func(ctx context.Context, feeds []*tensor.Tensor) ([]*tensor.Tensor, error) {
		m := make(map[string]*tensor.Tensor, len(feeds))
		for i, in := range sig.Inputs {
			m[in.Name] = feeds[i]
		}
		return v.sess.Run(ctx, m, fetches)
	}
	if wrapRun != nil {
		run = wrapRun(run)
	}
	var res []*tensor.Tensor
	if s.cfg.Batching != nil && batchable(feeds) {
		res, err = v.batcher(sig.Key+"\x00"+strings.Join(fetches, "\x00"), *s.cfg.Batching, run, s.metrics.batchSize(v.model)).submit(ctx, feeds)
	} else {
		res, err = run(ctx, feeds)
	}
	if err != nil {
		if _, ok := err.(*StatusError); ok {
			return nil, err
		}
		return nil, runError(v.model, err)
	}
	out := make(map[string]*tensor.Tensor, len(outs))
	for i, o := range outs {
		out[o.Key] = res[i]
	}
	return out, nil
}

// checkInputs returns the feeds in sig's input order after checking that
// inputs has exactly sig's keys, each with its dtype. Shapes are the
// graph's to check (its placeholders' declared shapes), as in TensorFlow
// Serving: a signature's shape is documentation.
func checkInputs(v *version, sig *graph.Signature, inputs map[string]*tensor.Tensor) ([]*tensor.Tensor, error) {
	keys := make([]string, len(sig.Inputs))
	for i, in := range sig.Inputs {
		keys[i] = in.Key
	}
	for _, k := range slices.Sorted(maps.Keys(inputs)) {
		if !slices.Contains(keys, k) {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: input tensor alias not found in signature: %s. Inputs expected to be in the set {%s}",
				v.model, sig.Key, k, strings.Join(keys, ","))
		}
	}
	feeds := make([]*tensor.Tensor, len(sig.Inputs))
	for i, in := range sig.Inputs {
		t, ok := inputs[in.Key]
		if !ok || t == nil {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: missing input %s; the signature expects {%s}", v.model, sig.Key, in.Key, strings.Join(keys, ","))
		}
		if in.DType != tensor.Invalid && t.DType() != in.DType {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: input %s: expects %v but %v is provided", v.model, sig.Key, in.Key, in.DType, t.DType())
		}
		feeds[i] = t
	}
	return feeds, nil
}

// pickOutputs returns the signature outputs a filter names (all of them,
// sorted by key, for an empty filter).
func pickOutputs(v *version, sig *graph.Signature, filter []string) ([]graph.TensorInfo, error) {
	if len(filter) == 0 {
		return sig.Outputs, nil
	}
	var out []graph.TensorInfo
	for _, k := range filter {
		i := slices.IndexFunc(sig.Outputs, func(o graph.TensorInfo) bool { return o.Key == k })
		if i < 0 {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: output tensor alias not found in signature: %s", v.model, sig.Key, k)
		}
		if slices.ContainsFunc(out, func(o graph.TensorInfo) bool { return o.Key == k }) {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: duplicate output tensor alias in output_filter: %s", v.model, sig.Key, k)
		}
		out = append(out, sig.Outputs[i])
	}
	return out, nil
}

// Class is one label and its score in a classification result.
type Class struct {
	Label string
	Score float32
}

// examplesTensor serializes tf.Examples, merging context's features into
// each (an example's own value wins), into the string batch that
// classify and regress signatures parse.
func examplesTensor(model string, examples []*tfpb.Example, exCtx *tfpb.Example) (*tensor.Tensor, error) {
	if len(examples) == 0 {
		return nil, errorf(ErrInvalidArgument, "model %s: the request holds no example", model)
	}
	ser := make([]string, len(examples))
	for i, ex := range examples {
		if ctx := exCtx.GetFeatures().GetFeature(); len(ctx) > 0 {
			merged := &tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{}}}
			for k, f := range ctx {
				merged.Features.Feature[k] = f
			}
			for k, f := range ex.GetFeatures().GetFeature() {
				merged.Features.Feature[k] = f
			}
			ex = merged
		}
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(ex)
		if err != nil {
			return nil, errorf(ErrInvalidArgument, "model %s: example %d: %w", model, i, err)
		}
		ser[i] = string(b)
	}
	return tensor.FromSlice(tensor.Shape{len(ser)}, ser)
}

// exampleSignature returns the version's signature for Classify or
// Regress after checking its method and its single string input.
func exampleSignature(v *version, name, method string) (*graph.Signature, error) {
	sig, err := v.signature(name)
	if err != nil {
		return nil, err
	}
	if sig.Method != method {
		return nil, errorf(ErrInvalidArgument, "model %s signature %s: expected %s signature method_name to be %s. Was: %s", v.model, sig.Key, strings.TrimPrefix(method, "tensorflow/serving/"), method, sig.Method)
	}
	if len(sig.Inputs) != 1 || sig.Inputs[0].DType != tensor.String {
		return nil, errorf(ErrInvalidArgument, "model %s signature %s: expected one string input (serialized tf.Example), found %d inputs", v.model, sig.Key, len(sig.Inputs))
	}
	return sig, nil
}

// Classify runs a classify signature on tf.Examples, as TensorFlow
// Serving's PredictionService.Classify: one list of classes per example,
// from the signature's "classes" (labels) and "scores" outputs.
func (s *Server) Classify(ctx context.Context, spec ModelSpec, examples []*tfpb.Example, exCtx *tfpb.Example) ([][]Class, int64, error) {
	var (
		res [][]Class
		num int64
	)
	err := s.observe(ctx, spec.Name, "classify", func(ctx context.Context) error {
		v, err := s.acquire(spec)
		if err != nil {
			return err
		}
		defer v.release()
		num = v.num
		sig, err := exampleSignature(v, spec.Signature, methodClassify)
		if err != nil {
			return err
		}
		in, err := examplesTensor(v.model, examples, exCtx)
		if err != nil {
			return err
		}
		var filter []string
		for _, o := range sig.Outputs {
			if o.Key == "classes" || o.Key == "scores" {
				filter = append(filter, o.Key)
			}
		}
		if len(filter) == 0 {
			return errorf(ErrInvalidArgument, "model %s signature %s: expected classes and/or scores outputs", v.model, sig.Key)
		}
		outs, err := s.runSignature(ctx, v, sig, map[string]*tensor.Tensor{sig.Inputs[0].Key: in}, filter)
		if err != nil {
			return err
		}
		res, err = classes(v, sig, len(examples), outs["classes"], outs["scores"])
		return err
	})
	return res, num, err
}

// classes turns the classes and scores outputs ([batch, num_classes]; a
// missing one leaves labels empty or scores zero) into one list per
// example.
func classes(v *version, sig *graph.Signature, n int, labels, scores *tensor.Tensor) ([][]Class, error) {
	k := -1
	for _, t := range []*tensor.Tensor{labels, scores} {
		if t == nil {
			continue
		}
		if t.Rank() != 2 || t.Shape()[0] != n || (k >= 0 && t.Shape()[1] != k) {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: classes and scores must be [%d, num_classes], got %v", v.model, sig.Key, n, t.Shape())
		}
		k = t.Shape()[1]
	}
	var lv []string
	if labels != nil {
		if labels.DType() != tensor.String {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: expected classes to be string, got %v", v.model, sig.Key, labels.DType())
		}
		lv = tensor.Values[string](labels)
	}
	var sv []float32
	if scores != nil {
		if scores.DType() != tensor.Float32 {
			return nil, errorf(ErrInvalidArgument, "model %s signature %s: expected scores to be float, got %v", v.model, sig.Key, scores.DType())
		}
		sv = tensor.Values[float32](scores)
	}
	out := make([][]Class, n)
	for i := range out {
		out[i] = make([]Class, k)
		for j := range k {
			if lv != nil {
				out[i][j].Label = lv[i*k+j]
			}
			if sv != nil {
				out[i][j].Score = sv[i*k+j]
			}
		}
	}
	return out, nil
}

// Regress runs a regress signature on tf.Examples, as TensorFlow
// Serving's PredictionService.Regress: one value per example from the
// signature's "outputs" ([batch] or [batch, 1]).
func (s *Server) Regress(ctx context.Context, spec ModelSpec, examples []*tfpb.Example, exCtx *tfpb.Example) ([]float32, int64, error) {
	var (
		res []float32
		num int64
	)
	err := s.observe(ctx, spec.Name, "regress", func(ctx context.Context) error {
		v, err := s.acquire(spec)
		if err != nil {
			return err
		}
		defer v.release()
		num = v.num
		sig, err := exampleSignature(v, spec.Signature, methodRegress)
		if err != nil {
			return err
		}
		in, err := examplesTensor(v.model, examples, exCtx)
		if err != nil {
			return err
		}
		outs, err := s.runSignature(ctx, v, sig, map[string]*tensor.Tensor{sig.Inputs[0].Key: in}, []string{"outputs"})
		if err != nil {
			return err
		}
		o := outs["outputs"]
		if o.DType() != tensor.Float32 || o.NumElements() != len(examples) || o.Rank() == 0 || o.Rank() > 2 {
			return errorf(ErrInvalidArgument, "model %s signature %s: expected outputs to be float [%d] or [%d,1], got %v%v", v.model, sig.Key, len(examples), len(examples), o.DType(), o.Shape())
		}
		res = tensor.Values[float32](o)
		return nil
	})
	return res, num, err
}
