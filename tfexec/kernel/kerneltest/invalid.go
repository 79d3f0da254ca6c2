package kerneltest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// InvalidCase is a node's attributes and inputs that its kernel must
// refuse with kernel.ErrInvalidArgument.
type InvalidCase struct {
	Name  string
	Attrs map[string]any
	In    []*tensor.Tensor
}

// RunInvalid runs op on each case, one subtest each, and checks that the
// kernel refuses it with kernel.ErrInvalidArgument.
func RunInvalid(t *testing.T, op string, cases []InvalidCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			_, err := Call(graph.NewNode("n", op, nil, tc.Attrs), tc.In...)
			require.Error(t, err)
			assert.ErrorIs(t, err, kernel.ErrInvalidArgument)
		})
	}
}
