package quantize

import (
	"fmt"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
)

// Apply quantizes one cluster's ONNX model in place as p says and
// returns the names of the layers (ONNX nodes) it quantized (for FP16:
// the initializers it converted), in graph order. Layers without every
// range they need, and those p reverts, stay float32. The same model and
// plan give the same bytes.
func (p *Plan) Apply(cluster int, m *onnxpb.ModelProto) ([]string, error) {
	if p == nil || m.GetGraph() == nil {
		return nil, nil
	}
	reverted := make(map[string]bool, len(p.Reverted))
	for _, name := range p.Reverted {
		reverted[name] = true
	}
	var names []string
	var err error
	switch p.Mode {
	case Int8:
		names, err = applyInt8(m, p.Cluster(cluster), reverted)
	case Int8Dynamic:
		names, err = applyDynamic(m, reverted)
	case FP16:
		names, err = applyFP16(m)
	default:
		return nil, fmt.Errorf("%w: mode %q", ErrPlan, p.Mode)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster %d: %w", cluster, err)
	}
	return names, nil
}

// Rewrite is Apply without the names: the form package bridge's
// WithPrecision hooks into each cluster's compile.
func (p *Plan) Rewrite(cluster int, m *onnxpb.ModelProto) error {
	_, err := p.Apply(cluster, m)
	return err
}
