package conv

import (
	"errors"
	"fmt"

	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// conv3DTypes are the dtypes TensorFlow registers Conv3D for on the CPU.
var conv3DTypes = kernel.FloatTypes()

// The permutations between the channels-first and channels-last 5-D
// layouts.
var (
	ncdhwToNDHWC = []int{0, 2, 3, 4, 1}
	ndhwcToNCDHW = []int{0, 4, 1, 2, 3}
)

func newConv3D(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", conv3DTypes); err != nil {
		return nil, err
	}
	w, err := tfshape.ReadConv3D(n.Attrs)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		out, err := conv3D(w, in)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{out}, nil
	}, nil
}

// geometry3D is a 3-D convolution's shape in channels-last terms.
type geometry3D struct {
	n, c         int
	in, k, out   [3]int // input, filter window and output sizes (D, H, W)
	pad          [3]int // padding before each spatial dimension
	stride, dil  [3]int
	cin, coutAll int // filter input channels (per group) and output channels
	groups       int
}

// conv3D runs a Conv3D on its inputs, with TensorFlow's checks.
func conv3D(w tfshape.Window3D, in []*tensor.Tensor) (*tensor.Tensor, error) {
	if err := kernel.CheckInputs(in, 2); err != nil {
		return nil, err
	}
	x, filter := in[0], in[1]
	dt, err := operandDType(conv3DTypes, in...)
	if err != nil {
		return nil, err
	}
	xs, fs := x.Shape(), filter.Shape()
	if len(xs) != 5 {
		return nil, fmt.Errorf("input must be 5-dimensional, got shape %v", xs)
	}
	if len(fs) != 5 {
		return nil, fmt.Errorf("filter must be 5-dimensional, got shape %v", fs)
	}
	g := geometry3D{stride: w.Strides, dil: w.Dilations}
	g.n, g.in, g.c = w.Dims(xs)
	g.k = [3]int{fs[0], fs[1], fs[2]}
	g.cin, g.coutAll = fs[3], fs[4]
	if g.cin <= 0 {
		return nil, fmt.Errorf("filter depth must be strictly positive, got %d", g.cin)
	}
	if g.c%g.cin != 0 {
		return nil, fmt.Errorf("input depth must be evenly divisible by filter depth: %d vs %d", g.c, g.cin)
	}
	g.groups = g.c / g.cin
	if g.groups > 0 && g.coutAll%g.groups != 0 {
		return nil, fmt.Errorf("output depth must be evenly divisible by number of groups: %d vs %d", g.coutAll, g.groups)
	}
	if g.out, g.pad, _, err = w.Output(g.in, g.k); err != nil {
		return nil, err
	}
	outShape := tensor.Shape(w.Shape(g.n, g.out, g.coutAll))
	if err := tensor.CheckAlloc(dt, outShape); err != nil {
		return nil, err
	}
	if outShape.NumElements() == 0 || x.NumElements() == 0 {
		return tensor.New(dt, outShape)
	}
	if filter.NumElements() == 0 {
		return nil, errors.New("filter must not have zero elements (i.e. all dimensions must be non-zero)")
	}
	if w.NCDHW {
		if x, err = tensor.Transpose(x, ncdhwToNDHWC); err != nil {
			return nil, err
		}
	}
	var out *tensor.Tensor
	if dt == tensor.Float64 {
		out, err = conv3DFloat[float64](g, x, filter)
	} else {
		out, err = conv3DFloat[float32](g, x, filter)
	}
	if err != nil || !w.NCDHW {
		return out, err
	}
	return tensor.Transpose(out, ndhwcToNCDHW)
}

// conv3DFloat computes an NDHWC convolution in T (float32 for float32,
// half and bfloat16) and returns it in x's dtype.
func conv3DFloat[T float](g geometry3D, x, filter *tensor.Tensor) (*tensor.Tensor, error) {
	xs, err := floats[T](x)
	if err != nil {
		return nil, err
	}
	fs, err := floats[T](filter)
	if err != nil {
		return nil, err
	}
	shape := tensor.Shape{g.n, g.out[0], g.out[1], g.out[2], g.coutAll}
	out := make([]T, shape.NumElements())
	coutG := g.coutAll / g.groups
	taps := g.k[0] * g.k[1] * g.k[2] * g.cin
	rows := g.n * g.out[0] * g.out[1]
	kernel.ParallelFor(rows, g.out[2]*taps*g.coutAll, func(lo, hi int) {
		for row := lo; row < hi; row++ {
			oh := row % g.out[1]
			od := row / g.out[1] % g.out[0]
			b := row / g.out[1] / g.out[0]
			for ow := 0; ow < g.out[2]; ow++ {
				acc := out[(row*g.out[2]+ow)*g.coutAll:][:g.coutAll]
				for kd := 0; kd < g.k[0]; kd++ {
					id := od*g.stride[0] - g.pad[0] + kd*g.dil[0]
					if id < 0 || id >= g.in[0] {
						continue
					}
					for kh := 0; kh < g.k[1]; kh++ {
						ih := oh*g.stride[1] - g.pad[1] + kh*g.dil[1]
						if ih < 0 || ih >= g.in[1] {
							continue
						}
						for kw := 0; kw < g.k[2]; kw++ {
							iw := ow*g.stride[2] - g.pad[2] + kw*g.dil[2]
							if iw < 0 || iw >= g.in[2] {
								continue
							}
							px := xs[(((b*g.in[0]+id)*g.in[1]+ih)*g.in[2]+iw)*g.c:][:g.c]
							tap := ((kd*g.k[1]+kh)*g.k[2] + kw) * g.cin
							for ci := 0; ci < g.cin; ci++ {
								frow := fs[(tap+ci)*g.coutAll:][:g.coutAll]
								for gi := 0; gi < g.groups; gi++ {
									v := px[gi*g.cin+ci]
									for co := gi * coutG; co < (gi+1)*coutG; co++ {
										acc[co] += v * frow[co]
									}
								}
							}
						}
					}
				}
			}
		}
	})
	return fromFloats(x.DType(), shape, out)
}
