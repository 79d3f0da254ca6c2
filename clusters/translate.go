package clusters

import (
	"fmt"
	"strings"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// Model is a translated cluster.
type Model struct {
	Proto *onnxpb.ModelProto
	// Inputs lists, in ONNX input order, the cluster inputs (indices into
	// Cluster.Inputs) fed at run time. Static cluster inputs are not among
	// them: their values are baked into the model.
	Inputs []int
}

// TranslateError reports the node a translation failed on.
type TranslateError struct {
	Node, Op string
	Err      error
}

func (e *TranslateError) Error() string {
	return fmt.Sprintf("translating node %q (%s): %v", e.Node, e.Op, e.Err)
}

func (e *TranslateError) Unwrap() error { return e.Err }

// Translate builds the ONNX model of a cluster. info must describe every
// tensor the cluster's nodes read or produce; a cluster input with a Value
// becomes a constant of the model.
func Translate(cl *Cluster, info map[string]TensorInfo) (*Model, error) {
	b := newBuilder(cl.Name(), info)
	m := &Model{}
	for i, name := range cl.Inputs {
		inf, ok := info[name]
		if !ok {
			return nil, fmt.Errorf("cluster %s: nothing is known about input %s", cl.Name(), name)
		}
		if inf.Value != nil {
			b.lazy[name] = inf.Value
			continue
		}
		typ, err := tensorType(inf.DType, inf.Shape, sanitize(name))
		if err != nil {
			return nil, fmt.Errorf("cluster %s input %s: %w", cl.Name(), name, err)
		}
		onnxName := b.unique(name)
		b.g.Input = append(b.g.Input, &onnxpb.ValueInfoProto{Name: &onnxName, Type: typ})
		b.vals[name] = Value{Name: onnxName}
		m.Inputs = append(m.Inputs, i)
	}
	for _, n := range cl.Nodes {
		if err := translateNode(b, n); err != nil {
			return nil, err
		}
	}
	for _, name := range cl.Outputs {
		v, err := b.value(name)
		if err != nil {
			return nil, fmt.Errorf("cluster %s output %s: %w", cl.Name(), name, err)
		}
		inf := info[name]
		rank := inf.Rank()
		if rank < 0 {
			rank = len(v.Perm)
		}
		src, err := b.as(v, nil, rank)
		if err != nil {
			return nil, fmt.Errorf("cluster %s output %s: %w", cl.Name(), name, err)
		}
		outName := b.unique(name + "/output")
		id := "Identity"
		b.g.Node = append(b.g.Node, &onnxpb.NodeProto{OpType: &id, Name: &outName, Input: []string{src}, Output: []string{outName}})
		typ, err := tensorType(inf.DType, nil, "")
		if err != nil {
			return nil, fmt.Errorf("cluster %s output %s: %w", cl.Name(), name, err)
		}
		b.g.Output = append(b.g.Output, &onnxpb.ValueInfoProto{Name: &outName, Type: typ})
	}
	ir, producer, domain, opset := int64(8), "tfoffload", "", int64(Opset)
	m.Proto = &onnxpb.ModelProto{
		IrVersion:    &ir,
		ProducerName: &producer,
		OpsetImport:  []*onnxpb.OperatorSetIdProto{{Domain: &domain, Version: &opset}},
		Graph:        b.g,
	}
	return m, nil
}

func translateNode(b *builder, n *tfpb.NodeDef) error {
	fail := func(err error) error { return &TranslateError{Node: n.GetName(), Op: n.GetOp(), Err: err} }
	e, ok := table[n.GetOp()]
	if !ok {
		return fail(untranslatable("no translator"))
	}
	c := &Ctx{b: b, Node: n, Attrs: graph.AttrsOf(n), set: map[int]bool{}}
	for _, in := range n.GetInput() {
		if strings.HasPrefix(in, "^") {
			continue // ordering inside one ONNX model is dataflow's job
		}
		t, err := graph.ParseTensorName(in)
		if err != nil {
			return fail(err)
		}
		c.in = append(c.in, t.Canonical())
	}
	if err := e.Translate(c); err != nil {
		return fail(err)
	}
	return nil
}
