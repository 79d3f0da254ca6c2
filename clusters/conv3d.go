package clusters

import (
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
)

// NCDHW is the layout of a 5-D NDHWC tensor transposed for ONNX's 3-D
// convolutions and pools.
var NCDHW = []int{0, 4, 1, 2, 3}

// The 3-D convolution and pools, channels-first as ONNX wants them: like
// the 2-D ones, NDHWC results stay NCDHW for the next 3-D op.
func init() {
	register(Entry{DTypes: convTypes, Check: window3DCheck(tfshape.ReadConv3D),
		Translate: func(c *Ctx) error { return c.window3D("Conv", kernelTypes{native: convTypes}) }}, "Conv3D")
	// Half and bfloat16 pool in float32, as the kernels do; ONNX
	// Runtime's AveragePool has no double.
	f32 := kernelTypes{native: []tensor.DType{tensor.Float32}}
	register(Entry{DTypes: f32.dtypes(), Check: window3DCheck(tfshape.ReadPool3D),
		Translate: func(c *Ctx) error { return c.window3D("MaxPool", f32) }}, "MaxPool3D")
	register(Entry{DTypes: f32.dtypes(), Check: window3DCheck(tfshape.ReadPool3D),
		Translate: func(c *Ctx) error { return c.window3D("AveragePool", f32) }}, "AvgPool3D")
}

func window3DCheck(read func(graph.Attrs) (tfshape.Window3D, error)) func(*tfpb.NodeDef, graph.Attrs) error {
	return func(_ *tfpb.NodeDef, a graph.Attrs) error {
		if _, err := read(a); err != nil {
			return untranslatable("%v", err)
		}
		return nil
	}
}

// window3D emits Conv, MaxPool or AveragePool over depth, rows and
// columns. SAME padding becomes explicit pads (the odd element after, as
// TensorFlow pads) when the input's spatial size is known.
func (c *Ctx) window3D(op string, k kernelTypes) error {
	read := tfshape.ReadPool3D
	if op == "Conv" {
		read = tfshape.ReadConv3D
	}
	w, err := read(c.Attrs)
	if err != nil {
		return untranslatable("%v", err)
	}
	if c.In(0).Rank() != 5 {
		return c.Fail("input of rank %d", c.In(0).Rank())
	}
	var perm []int
	if !w.NCDHW {
		perm = NCDHW
	}
	x, dt, ct, err := c.poolInput(op, k, perm)
	if err != nil {
		return err
	}
	window := w.Ksize
	ins := []string{x}
	attrs := map[string]any{"strides": w.Strides[:]}
	switch op {
	case "Conv":
		f := c.In(1)
		if len(f.Shape) != 5 || f.Shape[0] < 0 || f.Shape[1] < 0 || f.Shape[2] < 0 {
			return c.Fail("filter of shape %v", f.Shape)
		}
		window = [3]int{f.Shape[0], f.Shape[1], f.Shape[2]}
		filter, err := c.filter3D()
		if err != nil {
			return err
		}
		ins = append(ins, filter)
		attrs["dilations"] = w.Dilations[:]
		_, _, ch := w.Dims(c.In(0).Shape)
		if cin := f.Shape[3]; ch <= 0 || cin <= 0 || ch%cin != 0 {
			return c.Fail("input depth %d and filter depth %d", ch, cin)
		}
		attrs["group"] = ch / f.Shape[3]
	case "AveragePool":
		attrs["count_include_pad"] = 0
		fallthrough
	default:
		attrs["kernel_shape"] = window[:]
		attrs["ceil_mode"] = 0
	}
	if err := c.pads3D(w, window, attrs); err != nil {
		return err
	}
	return c.poolOutput(op, ins, attrs, ct, dt, perm)
}

// pads3D sets the pads attribute of a 3-D window: ONNX wants the three
// pads before, then the three after.
func (c *Ctx) pads3D(w tfshape.Window3D, window [3]int, attrs map[string]any) error {
	if w.Padding == tfshape.PaddingValid {
		attrs["pads"] = make([]int64, 6)
		return nil
	}
	_, in, _ := w.Dims(c.In(0).Shape)
	for _, d := range in {
		if d < 0 {
			// ONNX's SAME_UPPER pads as TensorFlow's SAME does.
			attrs["auto_pad"] = "SAME_UPPER"
			return nil
		}
	}
	_, before, after, err := w.Output(in, window)
	if err != nil {
		return untranslatable("%v", err)
	}
	pads := make([]int64, 6)
	for i := range 3 {
		pads[i], pads[i+3] = int64(before[i]), int64(after[i])
	}
	attrs["pads"] = pads
	return nil
}

// filter3D returns Conv3D's DHWIO filter as ONNX's OIDHW.
func (c *Ctx) filter3D() (string, error) {
	dhwio := []int{4, 3, 0, 1, 2}
	if f := c.In(1); f.Value != nil {
		t, err := tensor.Transpose(f.Value, dhwio)
		if err != nil {
			return "", err
		}
		return c.Const(t)
	}
	name, err := c.Input(1)
	if err != nil {
		return "", err
	}
	return c.Op("Transpose", []string{name}, map[string]any{"perm": dhwio})
}
