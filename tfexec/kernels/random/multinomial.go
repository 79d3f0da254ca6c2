package random

import (
	"fmt"
	"math"
	"sort"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// multinomialOutputTypes are Multinomial's output_dtype values.
var multinomialOutputTypes = []tensor.DType{tensor.Int32, tensor.Int64}

// newMultinomial prepares Multinomial as multinomial_op.cc: for each row
// of logits [batch, classes], num_samples class indices drawn with
// probabilities softmax(logits); non-finite logits have probability 0.
// Like the other random ops here, the draws follow TensorFlow's
// distribution but not its Philox stream.
func newMultinomial(n *kernel.Node) (kernel.Kernel, error) {
	if err := kernel.CheckTypeAttr(n, "T", kernel.RealTypes()); err != nil {
		return nil, err
	}
	outType, err := n.Attrs.Type("output_dtype", tensor.Int64)
	if err != nil {
		return nil, n.AttrError("output_dtype", err)
	}
	if outType != tensor.Int32 && outType != tensor.Int64 {
		return nil, n.AttrError("output_dtype", fmt.Errorf("%w: %v is not int32 or int64", kernel.ErrInvalidArgument, outType))
	}
	src, err := stream(n)
	if err != nil {
		return nil, err
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2); err != nil {
			return nil, err
		}
		logits := in[0]
		if logits.Rank() != 2 {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("logits should be a matrix, got shape %v", logits.Shape()))
		}
		if in[1].Rank() != 0 {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("num_samples should be a scalar, got shape %v", in[1].Shape()))
		}
		samples, err := kernel.Int(in[1])
		if err != nil || samples < 0 {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("num_samples should be nonnegative, got %v", in[1]))
		}
		batch, classes := logits.Shape()[0], logits.Shape()[1]
		if classes <= 0 {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("num_classes should be positive, got %d", classes))
		}
		shape := tensor.Shape{batch, samples}
		if err := tensor.CheckAlloc(tensor.Int64, shape); err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		x, err := tensor.Float64s(logits)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), err)
		}
		r := src()
		out := make([]int, batch*samples)
		cdf := make([]float64, classes)
		for b := range batch {
			row := x[b*classes : (b+1)*classes]
			best := -math.MaxFloat64
			for _, v := range row {
				if !math.IsInf(v, 0) && !math.IsNaN(v) {
					best = max(best, v)
				}
			}
			total := 0.0
			for j, v := range row {
				if !math.IsInf(v, 0) && !math.IsNaN(v) {
					total += math.Exp(v - best)
				}
				cdf[j] = total
			}
			for s := range samples {
				find := r.Float64() * total
				out[b*samples+s] = sort.Search(classes, func(j int) bool { return cdf[j] > find })
			}
		}
		t, err := intsOf(outType, shape, out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}
