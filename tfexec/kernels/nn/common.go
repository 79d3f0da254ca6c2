package nn

import (
	"fmt"
	"slices"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// float is the set of types the float kernels compute in: float32 (also
// for half and bfloat16, which are staged through it) and float64.
type float interface{ ~float32 | ~float64 }

// Dtype sets, as TensorFlow's CPU kernels register them.
var (
	floatTypes  = kernel.FloatTypes()
	numberTypes = kernel.NumberTypes()
)

// checkTypeAttr validates an optional type attribute at prepare time: when
// the node carries it, its value must be one of allowed.
func checkTypeAttr(n *kernel.Node, name string, allowed []tensor.DType) error {
	if !n.Attrs.Has(name) {
		return nil
	}
	dt, err := n.Attrs.Type(name, tensor.Invalid)
	if err != nil {
		return err
	}
	if !slices.Contains(allowed, dt) {
		return kernel.Unsupported("attribute %q = %v for %s", name, dt, n.Op())
	}
	return nil
}

// checkDType reports an unsupported-dtype error unless t's dtype is in
// allowed.
func checkDType(t *tensor.Tensor, allowed []tensor.DType) error {
	if !slices.Contains(allowed, t.DType()) {
		return kernel.Unsupported("dtype %v", t.DType())
	}
	return nil
}

// dataFormat is the layout of an image-like tensor.
type dataFormat uint8

const (
	channelsLast  dataFormat = iota // NHWC, NDHWC, NWC
	channelsFirst                   // NCHW, NCDHW
)

// parseFormat reads the data_format attribute (default def) and maps it to
// a layout; accepted names are listed in allowed.
func parseFormat(n *kernel.Node, def string, allowed ...string) (dataFormat, error) {
	s, err := n.Attrs.String("data_format", def)
	if err != nil {
		return 0, err
	}
	if !slices.Contains(allowed, s) {
		return 0, fmt.Errorf("attribute \"data_format\" = %q: %w (want one of %v)", s, kernel.ErrUnsupported, allowed)
	}
	if len(s) >= 2 && s[1] == 'C' {
		return channelsFirst, nil
	}
	return channelsLast, nil
}

// attrInts reads a list(int) attribute as ints.
func attrInts(n *kernel.Node, name string) ([]int, error) {
	v, err := n.Attrs.Ints(name, nil)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out, nil
}

// staged holds a float tensor's values in the type the kernels compute
// in: float64 data as is, every other float dtype as float32.
type staged struct {
	f32  []float32
	f64  []float64
	wide bool // the values are in f64
}

// stage returns t's values for computing; float32 and float64 data are not
// copied and must not be modified.
func stage(t *tensor.Tensor) (staged, error) {
	if v, ok := t.Data().([]float64); ok {
		return staged{f64: v, wide: true}, nil
	}
	v, err := kernel.Float32s(t)
	return staged{f32: v}, err
}
