package bridge

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
)

// WithPrecision quantizes every offloaded cluster as plan says when it
// compiles: Int8 with the plan's calibrated ranges, Int8Dynamic or FP16
// (which need no calibration: &quantize.Plan{Format: quantize.Format,
// Mode: quantize.FP16}). A nil plan keeps float32. LoadSession sets it
// from a quantized model's folder; an explicit option overrides that.
func WithPrecision(plan *quantize.Plan) Option {
	return func(c *config) { c.precision = plan }
}

// WithClusterHooks sets hooks on every cluster's compile and run, for
// package quantize/ptq: rewrite changes each translated ONNX model
// before its ONNX Runtime session is built; tap receives every output of
// the model after each run, the cluster's own first, then those rewrite
// added. They replace WithPrecision's rewrite.
func WithClusterHooks(rewrite func(cluster int, m *onnxpb.ModelProto) error, tap func(cluster int, outputs []*tensor.Tensor)) Option {
	return func(c *config) { c.rewrite, c.tap = rewrite, tap }
}

// clusterRewrite returns the rewrite the options ask for, or nil.
func (c *config) clusterRewrite() func(int, *onnxpb.ModelProto) error {
	switch {
	case c.rewrite != nil:
		return c.rewrite
	case c.precision != nil:
		return c.precision.Rewrite
	}
	return nil
}

// OpenModel loads the model at path as LoadSession does and returns the
// options its form implies, for NewSession before the caller's own: a
// quantized model's folder (see package quantize) gives its original
// model and WithPrecision with its plan; any other model gives none.
func OpenModel(path string, opts ...Option) (*graph.Model, []Option, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	var implied []Option
	if quantize.IsQuantized(path) {
		plan, model, err := quantize.Open(path)
		if err != nil {
			return nil, nil, err
		}
		path = model
		implied = append(implied, WithPrecision(plan))
	}
	var lopts []graph.Option
	if cfg.tags != nil {
		lopts = append(lopts, graph.WithTags(cfg.tags...))
	}
	m, err := graph.Load(path, lopts...)
	if err != nil {
		return nil, nil, err
	}
	return m, implied, nil
}
