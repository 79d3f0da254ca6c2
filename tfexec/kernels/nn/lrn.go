package nn

import (
	"fmt"
	"math"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// lrnParams are LRN's attributes, rounded to float32 as TensorFlow's
// float kernel holds them.
type lrnParams struct {
	radius            int
	bias, alpha, beta float32
}

// lrnDirectRadius is the widest depth radius summed directly.
const lrnDirectRadius = 32

var lrnTypes = []tensor.DType{tensor.Float32, tensor.Float16, tensor.BFloat16}

func newLRN(n *kernel.Node) (kernel.Kernel, error) {
	if err := checkTypeAttr(n, "T", lrnTypes); err != nil {
		return nil, err
	}
	r, err := n.Attrs.Int("depth_radius", 5)
	if err != nil {
		return nil, err
	}
	if r < 0 || r >= math.MaxInt32 {
		return nil, fmt.Errorf("attribute \"depth_radius\" = %d must be in [0, %d)", r, math.MaxInt32)
	}
	p := lrnParams{radius: int(r)}
	if p.bias, err = n.Attrs.Float("bias", 1); err != nil {
		return nil, err
	}
	if p.alpha, err = n.Attrs.Float("alpha", 1); err != nil {
		return nil, err
	}
	if p.beta, err = n.Attrs.Float("beta", 0.5); err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		x := in[0]
		if x.Rank() != 4 {
			return nil, fmt.Errorf("input must be 4-dimensional, got shape %v", x.Shape())
		}
		if err := checkDType(x, lrnTypes); err != nil {
			return nil, err
		}
		if x.NumElements() > math.MaxInt32 {
			return nil, fmt.Errorf("argument to LRN too large: shape %v", x.Shape())
		}
		v, err := kernel.Float32s(x)
		if err != nil {
			return nil, err
		}
		out := make([]float32, len(v))
		lrn(v, out, x.Shape()[3], p)
		t, err := kernel.FromFloat32s(x.DType(), x.Shape(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}

// lrn normalises each depth vector: out = x / (bias + alpha·Σ x²)^beta,
// the sum running over [d−radius, d+radius] clipped to the depth, in
// float32 like TensorFlow's band-matrix product. TensorFlow's vectorised
// rsqrt, exp and log are approximations; a correctly rounded power keeps
// results within an ulp or two of them.
func lrn(x, out []float32, depth int, p lrnParams) {
	if len(x) == 0 || depth == 0 {
		return
	}
	rows := len(x) / depth
	kernel.ParallelFor(rows, depth*30, func(lo, hi int) {
		// Wide windows use float64 prefix sums of the squares; narrow ones
		// sum directly.
		var prefix []float64
		if p.radius > lrnDirectRadius {
			prefix = make([]float64, depth+1)
		}
		for r := lo; r < hi; r++ {
			src := x[r*depth : (r+1)*depth]
			dst := out[r*depth : (r+1)*depth]
			if prefix != nil {
				for d, v := range src {
					prefix[d+1] = prefix[d] + float64(v*v)
				}
			}
			for d, v := range src {
				begin := max(d-p.radius, 0)
				end := min(d+p.radius+1, depth)
				var sum float32
				if prefix != nil {
					sum = float32(prefix[end] - prefix[begin])
				} else {
					for _, w := range src[begin:end] {
						sum += float32(w * w) // no fused multiply-add
					}
				}
				scale := float32(sum*p.alpha) + p.bias
				var f float32
				switch p.beta {
				case 1:
					f = 1 / scale
				case 0.5:
					f = float32(1 / math.Sqrt(float64(scale)))
				default:
					f = float32(math.Pow(float64(scale), -float64(p.beta)))
				}
				dst[d] = v * f
			}
		}
	})
}
