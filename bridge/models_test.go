package bridge

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testmodels"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// modelTol is the agreement required between offloaded and executor-only
// runs of whole models.
var modelTol = tensor.Tolerance{RTol: 1e-3, ATol: 1e-4}

// TestRealModelsOffloaded runs each real model offloaded to the CPU
// backend and on the executor alone: outputs agree, top-1 matches, and the
// CNN classifiers offload at least 99% of their non-trivial nodes in one
// cluster.
func TestRealModelsOffloaded(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	for _, spec := range testmodels.Models {
		t.Run(spec.Name, func(t *testing.T) {
			m, err := graph.Load(filepath.Join(shared, spec.Path))
			require.NoError(t, err)
			off, err := NewSession(m, WithBackend("CPU"), WithOffload(true), WithDynamicFallback(false))
			require.NoError(t, err)
			defer off.Close()
			ref, err := NewSession(m, WithOffload(false))
			require.NoError(t, err)
			defer ref.Close()
			output := spec.Output
			if output == "" {
				output = m.Outputs()[0].Name
			}
			for _, in := range sampleInputs(t, shared, spec) {
				feeds := map[string]*tensor.Tensor{spec.Input: in.t}
				got, err := off.Run(context.Background(), feeds, []string{output})
				require.NoError(t, err)
				want, err := ref.Run(context.Background(), feeds, []string{output})
				require.NoError(t, err)
				assert.NoError(t, tensor.Compare(got[0], want[0], modelTol), "%s", in.name)
				if spec.Softmax {
					assert.Equal(t, testmodels.Argmax(want[0]), testmodels.Argmax(got[0]), "%s: top-1", in.name)
				}
			}
			st := off.Stats()
			t.Logf("%s: %d of %d non-trivial nodes offloaded in %d cluster(s); min %d", spec.Name,
				st.NonTrivialOffloaded, st.NonTrivial, len(st.Clusters), st.MinNontrivialNodes)
			for _, c := range st.Clusters {
				assert.False(t, c.FellBack, "cluster %d fell back", c.ID)
				assert.Positive(t, c.Runs, "cluster %d never ran on the engine", c.ID)
			}
			if spec.CNN {
				require.NotEmpty(t, st.Clusters)
				largest := 0
				for _, c := range off.Plan().Clusters {
					largest = max(largest, c.NonTrivial())
				}
				assert.GreaterOrEqual(t, float64(largest), 0.99*float64(st.NonTrivial),
					"%d of %d non-trivial nodes in the largest cluster", largest, st.NonTrivial)
			}
		})
	}
}

// TestLeNetMatchesEngine checks every LeNet layer offloaded (minimum
// cluster size 1) against the executor: the two engines agree on the
// model's low accuracy (see tfexec's TestLeNetAccuracy).
func TestLeNetMatchesEngine(t *testing.T) {
	enginetest.Require(t)
	shared := testutil.SharedModels(t)
	layers := []string{"Lenet/conv1_1/Relu", "Lenet/pool2_1/MaxPool", "Lenet/conv3_1/Relu", "Lenet/conv5_1/Relu",
		"Lenet/fc7_1/Relu", "Lenet/fc9_1/Relu", "output"}
	path := filepath.Join(shared, "frozen/lenet/lenet_frozen.pb")
	off, err := LoadSession(path, WithMinNontrivialNodes(1), WithOutputs(layers...), WithDynamicFallback(false))
	require.NoError(t, err)
	defer off.Close()
	ref, err := LoadSession(path, WithOffload(false))
	require.NoError(t, err)
	x, _, err := testmodels.MNIST(shared)
	require.NoError(t, err)
	feeds := map[string]*tensor.Tensor{"input": x}
	got, err := off.Run(context.Background(), feeds, layers)
	require.NoError(t, err)
	want, err := ref.Run(context.Background(), feeds, layers)
	require.NoError(t, err)
	for i, l := range layers {
		assert.NoError(t, tensor.Compare(got[i], want[i], tensor.Tolerance{RTol: 1e-4, ATol: 1e-5}), l)
	}
	off2, total := off.Plan().NonTrivial()
	assert.Equal(t, total, off2, "every LeNet node offloads with minimum 1:\n%s", off.Plan())
}

type sample struct {
	name string
	t    *tensor.Tensor
}

// sampleInputs returns the photos for image models, else a random input.
func sampleInputs(t *testing.T, shared string, spec testmodels.Model) []sample {
	if spec.Name == "lenet" {
		x, _, err := testmodels.MNIST(shared)
		require.NoError(t, err)
		return []sample{{"mnist", x}}
	}
	if spec.Image != nil {
		var out []sample
		for _, p := range testmodels.Photos[:3] {
			img, err := testmodels.LoadImage(filepath.Join(shared, "images", p), spec.Image, spec.DType)
			require.NoError(t, err)
			out = append(out, sample{p, img})
		}
		return out
	}
	vals := make([]float64, spec.Shape.NumElements())
	for i := range vals {
		vals[i] = float64(i%97) / 97
	}
	x, err := tensor.FromFloat64s(spec.DType, spec.Shape, vals)
	require.NoError(t, err)
	return []sample{{"ramp", x}}
}
