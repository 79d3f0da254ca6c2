package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// outputsOnlyModel is the fixture (testdata/gen) whose model.json
// signature names its output and no input.
const outputsOnlyModel = "../../testdata/models/outputs_only_tfjs"

// TestSignatureWithOnlyOutputs: when a signature lists no inputs, inspect,
// run and bench take them from the graph's placeholders.
func TestSignatureWithOnlyOutputs(t *testing.T) {
	t.Run("inspect", func(t *testing.T) {
		code, stdout, stderr := runCLI("inspect", outputsOnlyModel, "--json")
		require.Equal(t, exitOK, code, stderr)
		var r inspectReport
		require.NoError(t, json.Unmarshal([]byte(stdout), &r))
		want := []tensorReport{{Name: "x:0", DType: "float32", Shape: []int64{-1, 4}}}
		assert.Equal(t, want, r.Inputs)
		require.Len(t, r.Signatures, 1)
		assert.Equal(t, want, r.Signatures[0].Inputs, "the signature's inputs include the placeholder it needs")

		code, stdout, stderr = runCLI("inspect", outputsOnlyModel)
		require.Equal(t, exitOK, code, stderr)
		assert.Regexp(t, `Inputs:\n  x:0 +float32 +\[-1,4\]`, stdout)
		assert.NotContains(t, stdout, "(none)")
	})
	t.Run("run", func(t *testing.T) {
		x := writeNPY(t, t.TempDir(), "x.npy", tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{1, 2, 3, 4}))
		code, stdout, stderr := runCLI("run", outputsOnlyModel, "--input", "x="+x, "--backend", "none", "--json")
		require.Equal(t, exitOK, code, stderr)
		var sum runSummary
		require.NoError(t, json.Unmarshal([]byte(stdout), &sum))
		require.Len(t, sum.Outputs, 1)
		assert.Equal(t, []int{1, 3}, sum.Outputs[0].Shape)

		// The placeholder's dtype is known: a file of another is refused.
		i := writeNPY(t, t.TempDir(), "i.npy", tensor.MustFromSlice(tensor.Shape{1, 4}, []int32{1, 2, 3, 4}))
		code, _, stderr = runCLI("run", outputsOnlyModel, "--input", "x="+i, "--backend", "none")
		assert.Equal(t, exitError, code)
		assert.Contains(t, stderr, "the input is float32, the file holds int32")
	})
	t.Run("bench", func(t *testing.T) {
		code, stdout, stderr := runCLI("bench", outputsOnlyModel, "--backends", "none", "--iterations", "1", "--warmup", "0", "--batch", "2", "--json")
		require.Equal(t, exitOK, code, stderr)
		var results []benchResult
		require.NoError(t, json.Unmarshal([]byte(stdout), &results))
		require.Len(t, results, 1)
		assert.Equal(t, 2, results[0].Batch, "the placeholder's unknown batch dimension took --batch")
	})
}
