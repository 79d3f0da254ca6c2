package nn

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/internal/tfshape"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// maxPool3DTypes are the dtypes TensorFlow registers MaxPool3D for on the
// CPU (AvgPool3D adds float64).
var maxPool3DTypes = []tensor.DType{tensor.Float16, tensor.BFloat16, tensor.Float32}

// The permutations between the channels-first and channels-last 5-D
// layouts.
var (
	ncdhwToNDHWC = []int{0, 2, 3, 4, 1}
	ndhwcToNCDHW = []int{0, 4, 1, 2, 3}
)

// newPool3D makes AvgPool3D (avg) or MaxPool3D. Both pool over depth,
// rows and columns only; the average counts only the window's elements
// inside the input, and the maximum starts from the dtype's lowest finite
// value and skips NaN, as Eigen's cuboid pooling in TensorFlow does.
func newPool3D(avg bool) kernel.Factory {
	return func(n *kernel.Node) (kernel.Kernel, error) {
		types := maxPool3DTypes
		if avg {
			types = floatTypes
		}
		if err := kernel.CheckTypeAttr(n, "T", types); err != nil {
			return nil, err
		}
		w, err := tfshape.ReadPool3D(n.Attrs)
		if err != nil {
			return nil, err
		}
		return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
			if err := kernel.CheckInputs(in, 1); err != nil {
				return nil, err
			}
			if err := checkDType(in[0], types); err != nil {
				return nil, err
			}
			out, err := pool3D(w, avg, in[0])
			if err != nil {
				return nil, err
			}
			return []*tensor.Tensor{out}, nil
		}, nil
	}
}

// pool3DGeom is a 3-D pooling's shape in channels-last terms.
type pool3DGeom struct {
	n, c    int
	in, out [3]int
	k, s    [3]int
	pad     [3]int // padding before each spatial dimension
}

// window returns the input range [lo, hi) of spatial dimension d under
// output position o, clipped to the input.
func (g *pool3DGeom) window(d, o int) (int, int) {
	lo := o*g.s[d] - g.pad[d]
	return max(lo, 0), min(lo+g.k[d], g.in[d])
}

func pool3D(w tfshape.Window3D, avg bool, x *tensor.Tensor) (*tensor.Tensor, error) {
	xs := x.Shape()
	if len(xs) != 5 {
		return nil, fmt.Errorf("input must be 5-dimensional, got shape %v", xs)
	}
	g := pool3DGeom{k: w.Ksize, s: w.Strides}
	g.n, g.in, g.c = w.Dims(xs)
	var err error
	if g.out, g.pad, _, err = w.Output(g.in, g.k); err != nil {
		return nil, err
	}
	outShape := tensor.Shape(w.Shape(g.n, g.out, g.c))
	if err := tensor.CheckAlloc(x.DType(), outShape); err != nil {
		return nil, err
	}
	if outShape.NumElements() == 0 {
		return tensor.New(x.DType(), outShape)
	}
	if w.NCDHW {
		if x, err = tensor.Transpose(x, ncdhwToNDHWC); err != nil {
			return nil, err
		}
	}
	st, err := stage(x)
	if err != nil {
		return nil, err
	}
	shape := tensor.Shape{g.n, g.out[0], g.out[1], g.out[2], g.c}
	var out *tensor.Tensor
	switch {
	case st.wide:
		o := make([]float64, shape.NumElements())
		pool3DInto(&g, avg, st.f64, o, -math.MaxFloat64)
		out, err = tensor.FromSlice(shape, o)
	default:
		o := make([]float32, shape.NumElements())
		pool3DInto(&g, avg, st.f32, o, lowestFloat32(x.DType()))
		out, err = kernel.FromFloat32s(x.DType(), shape, o)
	}
	if err != nil || !w.NCDHW {
		return out, err
	}
	return tensor.Transpose(out, ndhwcToNCDHW)
}

// lowestFloat32 is the lowest finite value of a float dtype staged in
// float32.
func lowestFloat32(dt tensor.DType) float32 {
	switch dt {
	case tensor.Float16:
		return tensor.F16(0xfbff).Float32()
	case tensor.BFloat16:
		return tensor.BF16(0xff7f).Float32()
	}
	return -math.MaxFloat32
}

// pool3DInto averages or takes the maximum of each NDHWC window, over its
// elements inside the input, summing in window order.
func pool3DInto[F float](g *pool3DGeom, avg bool, x, out []F, lowest F) {
	c := g.c
	rows := g.n * g.out[0] * g.out[1]
	kernel.ParallelFor(rows, g.out[2]*c*g.k[0]*g.k[1]*g.k[2], func(lo, hi int) {
		for r := lo; r < hi; r++ {
			oh := r % g.out[1]
			od := r / g.out[1] % g.out[0]
			b := r / g.out[1] / g.out[0]
			d0, d1 := g.window(0, od)
			h0, h1 := g.window(1, oh)
			for ow := 0; ow < g.out[2]; ow++ {
				w0, w1 := g.window(2, ow)
				dst := out[(r*g.out[2]+ow)*c:][:c]
				if !avg {
					for i := range dst {
						dst[i] = lowest
					}
				}
				for d := d0; d < d1; d++ {
					for h := h0; h < h1; h++ {
						for w := w0; w < w1; w++ {
							at := (((b*g.in[0]+d)*g.in[1]+h)*g.in[2] + w) * c
							src := x[at : at+c]
							if avg {
								addInto(dst, src)
								continue
							}
							for i, v := range src {
								if v == v { // skip NaN
									dst[i] = max(dst[i], v)
								}
							}
						}
					}
				}
				if avg {
					count := F((d1 - d0) * (h1 - h0) * (w1 - w0))
					for i := range dst {
						dst[i] /= count
					}
				}
			}
		}
	})
}
