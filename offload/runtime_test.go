package offload

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/clusters"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// tanhCluster is x → Tanh → Square, a cluster every engine translates.
func tanhCluster(op string) *clusters.Cluster {
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, nil)
	b.Add("t", op, []string{"x"}, map[string]any{"T": tensor.Float32})
	b.Add("sq", "Square", []string{"t"}, map[string]any{"T": tensor.Float32})
	return &clusters.Cluster{ID: 3, Nodes: b.Graph().Node[1:], Inputs: []string{"x:0"}, Outputs: []string{"sq:0"}}
}

func ramp(n int) *tensor.Tensor {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i)/float32(n) - 0.5
	}
	return tensor.MustFromSlice(tensor.Shape{n}, v)
}

// TestRuntimeCompilesOncePerSignature runs a cluster from many goroutines
// on three input shapes: each shape compiles once, every result equals the
// executor's.
func TestRuntimeCompilesOncePerSignature(t *testing.T) {
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
	cl := tanhCluster("Tanh")
	rt, err := New(cl, Options{CacheSize: 4, Fallback: false})
	require.NoError(t, err)
	defer rt.Close()
	ref, err := NewRunner(cl)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for g := 0; g < 24; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := ramp(5 + g%3)
			got, err := rt.Run(context.Background(), []*tensor.Tensor{x})
			if err != nil {
				errs <- err
				return
			}
			want, err := ref.Run(context.Background(), []*tensor.Tensor{x})
			if err != nil {
				errs <- err
				return
			}
			if err := tensor.Compare(got[0], want[0], tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}); err != nil {
				errs <- fmt.Errorf("shape %v: %w", x.Shape(), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	st := rt.Stats()
	assert.Equal(t, 3, st.Compiles, "one compile per input shape")
	assert.Equal(t, 24, st.Runs)
	assert.False(t, st.FellBack)
	assert.NoError(t, st.FallbackErr)
	assert.Equal(t, cl.ID, st.ID)
}

// TestRuntimeFallback: a cluster that cannot be translated runs on the
// executor when fallback is on, and is an ErrOffload error when it is off.
func TestRuntimeFallback(t *testing.T) {
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
	cl := tanhCluster("Lgamma") // a kernel, no translator
	x := ramp(4)

	on, err := New(cl, Options{CacheSize: 2, Fallback: true})
	require.NoError(t, err)
	defer on.Close()
	for range 2 {
		_, err = on.Run(context.Background(), []*tensor.Tensor{x})
		require.NoError(t, err)
	}
	st := on.Stats()
	assert.True(t, st.FellBack)
	assert.Equal(t, 2, st.FallbackRuns)
	assert.Equal(t, 1, st.Compiles, "a signature that failed is not compiled again")
	assert.ErrorIs(t, st.FallbackErr, clusters.ErrUntranslatable, "the stats say why")

	off, err := New(cl, Options{CacheSize: 2})
	require.NoError(t, err)
	defer off.Close()
	_, err = off.Run(context.Background(), []*tensor.Tensor{x})
	assert.True(t, errors.Is(err, ErrOffload), "got %v", err)
	var te *clusters.TranslateError
	assert.True(t, errors.As(err, &te), "the error names the node: %v", err)
}
