package freeze_test

import (
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/checkpoint"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/tensor"
)

// The LSTM reference: a seeded input and the output NumPy computes for
// it from the checkpoint's weights (testdata/lstm_reference.py).
const (
	lstmInput    = "testdata/lstm_input.npy"
	lstmExpected = "testdata/lstm_expected.npy"
)

// lstmWeights maps the names the reference script reads to the variables'
// names in the Keras model, which the checkpoint's object graph records.
var lstmWeights = map[string]string{
	"lstm_kernel":           "lstm/lstm_cell/kernel",
	"lstm_recurrent_kernel": "lstm/lstm_cell/recurrent_kernel",
	"lstm_bias":             "lstm/lstm_cell/bias",
	"dense_kernel":          "dense/kernel",
	"dense_bias":            "dense/bias",
}

// TestKerasLSTMAgreesWithNumPy runs the Keras LSTM SavedModel through
// bridge — frozen, the loop a StatelessWhile over TensorLists on the
// executor — on the executor alone and offloaded, and compares it with an
// LSTM NumPy computes from the checkpoint's weights. With -update it
// exports the weights to a temporary directory, runs the script and
// rewrites the input and expected output in testdata (the weights
// themselves stay out of the repository).
func TestKerasLSTMAgreesWithNumPy(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/freeze/tfnet_keras_lstm")
	if flag.Lookup("update").Value.(flag.Getter).Get().(bool) {
		writeLSTMReference(t, dir)
	}
	x, err := tensor.ReadNPYFile(lstmInput)
	require.NoError(t, err)
	want, err := tensor.ReadNPYFile(lstmExpected)
	require.NoError(t, err)

	for _, offload := range []bool{false, true} {
		if offload {
			enginetest.Require(t)
		}
		s, err := bridge.LoadSession(dir, bridge.WithOffload(offload), bridge.WithBackend("CPU"), bridge.WithDynamicFallback(false))
		require.NoError(t, err)
		sig := s.Model().Signature("serving_default")
		require.NotNil(t, sig)
		require.Len(t, sig.Inputs, 1)
		require.Len(t, sig.Outputs, 1)
		got, err := s.Run(t.Context(), map[string]*tensor.Tensor{sig.Inputs[0].Name: x}, []string{sig.Outputs[0].Name})
		require.NoError(t, err)
		assert.NoError(t, tensor.Compare(got[0], want, tensor.Tolerance{RTol: 1e-5, ATol: 1e-6}), "offload %v", offload)
		maxDiff := 0.0
		for i, v := range tensor.Values[float32](got[0]) {
			maxDiff = max(maxDiff, abs(float64(v)-float64(tensor.Values[float32](want)[i])))
		}
		st := s.Stats()
		t.Logf("offload %v: max |bridge - NumPy| = %.3g; %d of %d non-trivial nodes offloaded in %d cluster(s)",
			offload, maxDiff, st.NonTrivialOffloaded, st.NonTrivial, len(st.Clusters))
		require.NoError(t, s.Close())
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// writeLSTMReference exports the model's weights from its checkpoint,
// writes a seeded input and runs the reference script for the expected
// output.
func writeLSTMReference(t *testing.T, dir string) {
	r, err := checkpoint.Open(dir)
	require.NoError(t, err)
	defer r.Close()
	values, err := r.ObjectValues()
	require.NoError(t, err)
	keys := map[string]string{}
	for _, v := range values {
		if v.Name == "VARIABLE_VALUE" {
			keys[v.FullName] = v.Key
		}
	}
	weights := t.TempDir()
	for file, name := range lstmWeights {
		key, ok := keys[name]
		require.True(t, ok, "variable %s in the object graph", name)
		w, err := r.Tensor(key)
		require.NoError(t, err)
		require.NoError(t, tensor.WriteNPYFile(filepath.Join(weights, file+".npy"), w))
	}

	x := tensor.MustNew(tensor.Float32, tensor.Shape{4, 5, 3})
	rng := rand.New(rand.NewPCG(9, 5))
	for i := range tensor.Values[float32](x) {
		tensor.Values[float32](x)[i] = float32(rng.NormFloat64())
	}
	require.NoError(t, tensor.WriteNPYFile(lstmInput, x))
	cmd := exec.Command("/usr/bin/python3", "testdata/lstm_reference.py", weights, lstmInput, lstmExpected)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run())
}
