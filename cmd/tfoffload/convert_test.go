package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestConvertIsDeterministic: converting the same model with the same
// flags writes the same bytes every time, for one input and for two.
func TestConvertIsDeterministic(t *testing.T) {
	enginetest.Require(t)
	models := map[string][]string{
		"mlp":      {"../../testdata/models/mlp.pb", "--input-shape", "x=2,4"},
		"addition": {sharedRel(t, "frozen/tiny/addition.pb")},
	}
	for name, args := range models {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var first []byte
			for i := range 3 {
				out := filepath.Join(dir, name+string(rune('a'+i))+".onnx")
				code, _, stderr := runCLI(append([]string{"convert", args[0], out}, args[1:]...)...)
				require.Equal(t, exitOK, code, stderr)
				data, err := os.ReadFile(out)
				require.NoError(t, err)
				require.NotEmpty(t, data)
				if first == nil {
					first = data
					continue
				}
				assert.True(t, bytes.Equal(first, data), "run %d wrote different bytes", i+1)
			}
			entries, err := os.ReadDir(dir)
			require.NoError(t, err)
			assert.Len(t, entries, 3, "no temporary files left")
		})
	}
}

// TestCompareConverted: float outputs agree within rtol 1e-3/atol 1e-4,
// integer outputs exactly; otherwise the error names the output.
func TestCompareConverted(t *testing.T) {
	f := func(v ...float32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }
	i := func(v ...int64) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }
	want := []*tensor.Tensor{f(1, 100, 0), i(3, 4)}
	tests := []struct {
		name  string
		got   []*tensor.Tensor
		bad   string // output named in the error; "" when it passes
		worst float64
	}{
		{"equal", []*tensor.Tensor{f(1, 100, 0), i(3, 4)}, "", 0},
		{"within tolerance", []*tensor.Tensor{f(1.0005, 100.05, 5e-5), i(3, 4)}, "", 0.05},
		{"float beyond rtol", []*tensor.Tensor{f(1, 100.2, 0), i(3, 4)}, "probs:0", 0},
		{"float beyond atol", []*tensor.Tensor{f(1, 100, 3e-4), i(3, 4)}, "probs:0", 0},
		{"integer off by one", []*tensor.Tensor{f(1, 100, 0), i(3, 5)}, "argmax:0", 0},
		{"shape", []*tensor.Tensor{f(1, 100), i(3, 4)}, "probs:0", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			worst, err := compareConverted(tc.got, want, []string{"probs:0", "argmax:0"})
			if tc.bad == "" {
				require.NoError(t, err)
				assert.InDelta(t, tc.worst, worst, 1e-5)
				return
			}
			assert.ErrorIs(t, err, ErrConvertedDiffers)
			assert.ErrorContains(t, err, tc.bad)
		})
	}
}

// TestConvertFreezesVariables converts a TF1 SavedModel whose weights are
// variables: convert freezes it first, and the ONNX model alone computes
// 0.5·x+2 on ONNX Runtime.
func TestConvertFreezesVariables(t *testing.T) {
	enginetest.Require(t)
	out := filepath.Join(t.TempDir(), "half_plus_two.onnx")
	code, _, stderr := runCLI("convert", "--input-shape", "x=4,1", sharedRel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu"), out)
	require.Equal(t, exitOK, code, stderr)
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, engine.Init())
	sess, err := engine.NewSession(data, engine.SessionOptions{})
	require.NoError(t, err)
	defer sess.Close()
	got, err := sess.Run(t.Context(), []*tensor.Tensor{tensor.MustFromSlice(tensor.Shape{4, 1}, []float32{-2, 0, 1, 7.5})})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, []float32{1, 2, 2.5, 5.75}, tensor.Values[float32](got[0]))
}
