package quant_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfops"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

// TestCorpus runs the op corpus's fake-quantization graphs on the executor
// and compares with TensorFlow's outputs to the 8 decimals the corpus
// prints, more tightly than tfexec's corpus test does.
func TestCorpus(t *testing.T) {
	root := filepath.Join(testutil.SharedModels(t), "tfops")
	names, err := tfops.Find(filepath.Join(root, "fake_quant"))
	require.NoError(t, err)
	// Args, args per channel and vars: a drop means the corpus moved.
	require.Len(t, names, 8)
	printed := tensor.Tolerance{ATol: 5.01e-9}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c, err := tfops.Load(root, "fake_quant/"+name)
			require.NoError(t, err)
			e, err := tfexec.New(c.Graph)
			require.NoError(t, err)
			got, err := e.Run(t.Context(), c.Feeds, c.Fetches())
			require.NoError(t, err)
			kerneltest.AssertFloatOutputs(t, c, got, printed)
		})
	}
}
