package strings

import (
	"fmt"

	farm "github.com/dgryski/go-farm"

	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// newHashBucketFast prepares StringToHashBucketFast (input a string
// tensor; attribute num_buckets >= 1): each string's farmhash
// Fingerprint64 modulo num_buckets, as int64.
func newHashBucketFast(n *kernel.Node) (kernel.Kernel, error) {
	buckets, err := n.Attrs.Int("num_buckets", 0)
	if err != nil {
		return nil, n.AttrError("num_buckets", err)
	}
	if buckets < 1 {
		return nil, n.AttrError("num_buckets", fmt.Errorf("%d is less than 1", buckets))
	}
	return func(_ *kernel.Context, in []*tensor.Tensor) ([]*tensor.Tensor, error) {
		if err := kernel.CheckInputs(in, 1); err != nil {
			return nil, err
		}
		s, ok := in[0].Data().([]string)
		if !ok {
			return nil, fmt.Errorf("%s %q: %w", n.Op(), n.Name(), kernel.Invalid("input must be a string tensor, not %v", in[0].DType()))
		}
		out := make([]int64, len(s))
		for i, x := range s {
			out[i] = int64(farm.Fingerprint64([]byte(x)) % uint64(buckets))
		}
		t, err := tensor.FromSlice(in[0].Shape().Clone(), out)
		if err != nil {
			return nil, err
		}
		return []*tensor.Tensor{t}, nil
	}, nil
}
