package sparse

import (
	"fmt"
	"sort"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newBucketize prepares BoostedTreesBucketize (inputs num_features
// float_values then num_features bucket_boundaries; outputs num_features
// buckets), as boosted_trees/quantile_ops.cc: value v of feature f goes
// to the number of boundaries of f that are <= v (std::upper_bound).
func newBucketize(n *kernel.Node) (kernel.Kernel, error) {
	features, err := n.Attrs.Int("num_features", 0)
	if err != nil {
		return nil, n.AttrError("num_features", err)
	}
	if features < 0 {
		return nil, n.AttrError("num_features", fmt.Errorf("%d is negative", features))
	}
	nf := int(features)
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 2*nf); err != nil {
			return nil, err
		}
		out := make([]*tensor.Tensor, nf)
		for f := range nf {
			values, bounds := in[f], in[nf+f]
			if values.DType() != tensor.Float32 || bounds.DType() != tensor.Float32 {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("feature %d: inputs must be float32", f))
			}
			if bounds.Rank() != 1 {
				return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("Bucket boundaries for each feature must be a vector, got shape %v", bounds.Shape()))
			}
			b := bounds.Data().([]float32)
			v := values.Data().([]float32)
			buckets := make([]int32, len(v))
			for i, x := range v {
				buckets[i] = int32(sort.Search(len(b), func(j int) bool { return b[j] > x }))
			}
			t, err := tensor.FromSlice(values.Shape().Clone(), buckets)
			if err != nil {
				return nil, err
			}
			out[f] = t
		}
		return out, nil
	}, nil
}
