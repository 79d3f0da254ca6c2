package quantize

import (
	"fmt"

	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// applyDynamic rewrites each MatMul with a 2-D float weight initializer
// (not reverted) into ONNX Runtime's dynamic quantization form, which it
// fuses into DynamicQuantizeMatMul:
//
//	DynamicQuantizeLinear(A) → a, a_scale, a_zero
//	MatMulInteger(a, B_int8, a_zero, 0) → Cast(float) → Mul(a_scale·B_scale)
//
// with B int8, symmetric per column. It returns the rewritten nodes'
// names.
func applyDynamic(m *onnxpb.ModelProto, reverted map[string]bool) ([]string, error) {
	ix := newIndex(m.GetGraph())
	var names []string
	var nodes []*onnxpb.NodeProto
	for _, n := range m.GetGraph().GetNode() {
		l, ok := layerRules["MatMul"](ix, n)
		if n.GetOpType() != "MatMul" || !ok || reverted[n.GetName()] {
			nodes = append(nodes, n)
			continue
		}
		ns, err := dynamicMatMul(ix, l)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, ns...)
		names = append(names, n.GetName())
	}
	m.Graph.Node = nodes
	dropUnusedInits(m.Graph)
	return names, nil
}

func dynamicMatMul(ix *index, l layer) ([]*onnxpb.NodeProto, error) {
	name := l.n.GetName()
	wq, ws, wz, _, err := int8Weight(ix, name, l.n.Input[1], 1, nil)
	if err != nil {
		return nil, err
	}
	a, as, az := ix.fresh(name+"/input_quantized"), ix.fresh(name+"/input_scale"), ix.fresh(name+"/input_zero_point")
	acc, accf, scale := ix.fresh(name+"/accumulated"), ix.fresh(name+"/accumulated_float"), ix.fresh(name+"/output_scale")
	return []*onnxpb.NodeProto{
		node("DynamicQuantizeLinear", ix.fresh(name+"/DynamicQuantizeLinear"), []string{l.n.Input[0]}, []string{a, as, az}),
		node("MatMulInteger", ix.fresh(name+"/MatMulInteger"), []string{a, wq, az, wz}, []string{acc}),
		node("Cast", ix.fresh(name+"/Cast"), []string{acc}, []string{accf}, intAttr("to", int64(onnxpb.TensorProto_FLOAT))),
		node("Mul", ix.fresh(name+"/ScaleMul"), []string{as, ws}, []string{scale}),
		node("Mul", ix.fresh(name+"/Mul"), []string{accf, scale}, []string{l.n.GetOutput()[0]}),
	}, nil
}

// minFP16Elements is the smallest initializer FP16 mode converts: scalars
// and tiny vectors save nothing and are often shapes or bounds.
const minFP16Elements = 16

// applyFP16 stores each float32 initializer of at least minFP16Elements
// values as float16, read through a Cast back to float32, and returns
// the converted initializers' names.
func applyFP16(m *onnxpb.ModelProto) ([]string, error) {
	g := m.GetGraph()
	ix := newIndex(g)
	var names []string
	var casts []*onnxpb.NodeProto
	var kept []*onnxpb.TensorProto
	for _, p := range g.GetInitializer() {
		vals, shape, ok := ix.floatInit(p.GetName())
		if !ok || len(vals) < minFP16Elements || ix.outputs[p.GetName()] {
			kept = append(kept, p)
			continue
		}
		half := make([]tensor.F16, len(vals))
		for i, v := range vals {
			half[i] = tensor.NewF16(v)
		}
		hp, err := tensor.ToONNXProto(tensor.MustFromSlice(shape, half), ix.fresh(p.GetName()+"/fp16"))
		if err != nil {
			return nil, fmt.Errorf("quantize: initializer %s: %w", p.GetName(), err)
		}
		kept = append(kept, hp)
		casts = append(casts, node("Cast", ix.fresh(p.GetName()+"/Cast"), []string{hp.GetName()}, []string{p.GetName()}, intAttr("to", int64(onnxpb.TensorProto_FLOAT))))
		names = append(names, p.GetName())
	}
	g.Initializer = kept
	g.Node = append(casts, g.Node...)
	return names, nil
}
