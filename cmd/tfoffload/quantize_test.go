package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
)

const mlpModel = "../../testdata/models/mlp.pb"

// npyInputs writes n random [1,width] inputs into dir (under class/ when
// class is set).
func npyInputs(t *testing.T, dir, class string, seed uint64, n, width int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 5))
	sub := filepath.Join(dir, class)
	require.NoError(t, os.MkdirAll(sub, 0o755))
	for i := range n {
		x := make([]float32, width)
		for j := range x {
			x[j] = rng.Float32()*2 - 1
		}
		writeNPY(t, sub, fmt.Sprintf("%03d.npy", i), tensor.MustFromSlice(tensor.Shape{1, width}, x))
	}
	return dir
}

// trapModel is x [N,8] → MatMul (the only layer) → logits, whose int8
// weights lose every value but one huge one its input never uses: no
// bound on the drop can be met without reverting it.
func trapModel(t *testing.T, dir string) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	w := make([]float32, 8*4)
	for i := range w {
		w[i] = (rng.Float32()*2 - 1) * 0.05
	}
	for j := range 4 {
		w[j] = 1000
	}
	var b graph.Builder
	b.Placeholder("x", tensor.Float32, graph.ShapeAttr{-1, 8})
	b.Const("w", tensor.MustFromSlice(tensor.Shape{8, 4}, w))
	b.Add("mm", "MatMul", []string{"x", "w"}, map[string]any{"T": tensor.Float32})
	b.Add("logits", "Identity", []string{"mm"}, map[string]any{"T": tensor.Float32})
	data, err := proto.Marshal(b.Graph())
	require.NoError(t, err)
	p := filepath.Join(dir, "trap.pb")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

func TestQuantizeCommand(t *testing.T) {
	enginetest.Require(t)
	t.Setenv(envconfig.MinNontrivialNodes, "1")
	dir := t.TempDir()
	calib := npyInputs(t, filepath.Join(dir, "calib"), "", 1, 16, 4)
	data := npyInputs(t, filepath.Join(dir, "data"), "", 2, 16, 4)

	var manifests []string
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("int8-%d", i))
		code, stdout, stderr := runCLI("quantize", mlpModel, out, "--calib", calib, "--data", data, "--max-drop", "1%", "--calib-method", "percentile")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "layers quantized in 1 cluster(s), calibration percentile, weights of 2 layers rounded by gptq")
		assert.Contains(t, stdout, "top-1 agreement on 16 inputs: float32 100.00%")
		manifest, err := os.ReadFile(filepath.Join(out, quantize.ManifestName))
		require.NoError(t, err)
		manifests = append(manifests, string(manifest))
		assert.FileExists(t, filepath.Join(out, "model", "mlp.pb"))
		assert.FileExists(t, filepath.Join(out, "onnx", "cluster_0.onnx"))
	}
	assert.Equal(t, manifests[0], manifests[1], "same inputs, same plan")
	one, err := os.ReadFile(filepath.Join(dir, "int8-0", "onnx", "cluster_0.onnx"))
	require.NoError(t, err)
	two, err := os.ReadFile(filepath.Join(dir, "int8-1", "onnx", "cluster_0.onnx"))
	require.NoError(t, err)
	assert.Equal(t, one, two, "same inputs, same ONNX bytes")

	t.Run("run loads the folder", func(t *testing.T) {
		x := writeNPY(t, dir, "x.npy", tensor.MustFromSlice(tensor.Shape{2, 4}, []float32{0.1, 0.2, 0.3, 0.4, -0.5, 0.6, -0.7, 0.8}))
		code, stdout, stderr := runCLI("run", filepath.Join(dir, "int8-0"), "--input", "x="+x, "--backend", "CPU")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "probs:0")
	})
	t.Run("accuracy compares the folder", func(t *testing.T) {
		code, stdout, stderr := runCLI("accuracy", mlpModel, "--data", data, "--compare", filepath.Join(dir, "int8-0"), "--json")
		require.Equal(t, exitOK, code, stderr)
		var rep struct {
			Results []struct {
				Model, Backend string
				Agree          int
			}
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &rep), stdout)
		require.Len(t, rep.Results, 3) // the model on none and CPU, the quantized folder on CPU only
		assert.Equal(t, "int8-0", filepath.Base(rep.Results[2].Model))
		assert.Equal(t, "CPU", rep.Results[2].Backend)
		assert.Equal(t, 16, rep.Results[2].Agree, "the max-drop run kept every top-1")
	})
	t.Run("labelled data is measured for accuracy", func(t *testing.T) {
		labelled := filepath.Join(dir, "labelled")
		npyInputs(t, labelled, "0", 6, 4, 4)
		npyInputs(t, labelled, "2", 7, 4, 4)
		code, stdout, stderr := runCLI("quantize", mlpModel, filepath.Join(dir, "measured"), "--calib", calib, "--data", labelled)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "accuracy on 8 inputs: float32 ")
		assert.NotContains(t, stdout, "reverted", "without --max-drop nothing is reverted")
	})
	t.Run("weights round to nearest on request", func(t *testing.T) {
		out := filepath.Join(dir, "nearest")
		code, stdout, stderr := runCLI("quantize", mlpModel, out, "--calib", calib, "--rounding", "nearest")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "weights rounded to nearest")
		nearest, _, err := quantize.Open(out)
		require.NoError(t, err)
		gptq, _, err := quantize.Open(filepath.Join(dir, "int8-0"))
		require.NoError(t, err)
		assert.Empty(t, nearest.Clusters[0].Weights)
		assert.Len(t, gptq.Clusters[0].Weights, 2, "both MatMuls rounded by GPTQ")
	})
	t.Run("dynamic needs no calibration", func(t *testing.T) {
		code, stdout, stderr := runCLI("quantize", mlpModel, filepath.Join(dir, "dyn"), "--mode", "int8-dynamic")
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, stdout, "int8-dynamic, 2 layers quantized")
	})
}

func TestQuantizeCommandRefuses(t *testing.T) {
	enginetest.Require(t)
	t.Setenv(envconfig.MinNontrivialNodes, "1")
	dir := t.TempDir()
	calib := npyInputs(t, filepath.Join(dir, "calib"), "", 1, 4, 4)
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.MkdirAll(empty, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("not an input"), 0o644))
	broken := filepath.Join(dir, "broken")
	require.NoError(t, os.MkdirAll(broken, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(broken, "photo.jpg"), []byte("not a JPEG"), 0o644))
	trap := trapModel(t, dir)
	trapCalib := npyInputs(t, filepath.Join(dir, "trapcalib"), "", 3, 16, 8)
	trapData := npyInputs(t, filepath.Join(dir, "trapdata"), "", 4, 32, 8)
	existing := filepath.Join(dir, "existing")
	require.NoError(t, os.MkdirAll(existing, 0o755))

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in the one stderr line
	}{
		{"no usable calibration files", []string{mlpModel, "OUT", "--calib", empty}, exitError, "no usable files"},
		{"unreadable calibration file", []string{mlpModel, "OUT", "--calib", broken}, exitError, "photo.jpg"},
		{"missing calibration folder", []string{mlpModel, "OUT", "--calib", filepath.Join(dir, "nope")}, exitError, "nope"},
		{"int8 without calibration", []string{mlpModel, "OUT"}, exitUsage, "--calib"},
		{"max-drop without data", []string{mlpModel, "OUT", "--calib", calib, "--max-drop", "1%"}, exitUsage, "--max-drop needs --data"},
		{"bad max-drop", []string{mlpModel, "OUT", "--calib", calib, "--data", calib, "--max-drop", "lots"}, exitUsage, "--max-drop"},
		{"bad mode", []string{mlpModel, "OUT", "--mode", "int4"}, exitUsage, "--mode"},
		{"bad method", []string{mlpModel, "OUT", "--calib", calib, "--calib-method", "median"}, exitUsage, "--calib-method"},
		{"bad rounding", []string{mlpModel, "OUT", "--calib", calib, "--rounding", "stochastic"}, exitUsage, "--rounding"},
		{"max-drop cannot be met", []string{trap, "OUT", "--calib", trapCalib, "--data", trapData, "--max-drop", "0.5%"}, exitError, "cannot be met"},
		{"existing output", []string{mlpModel, existing, "--mode", "fp16"}, exitError, "already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := append([]string{"quantize"}, tc.args...)
			for i, a := range args {
				if a == "OUT" {
					args[i] = out
				}
			}
			code, stdout, stderr := runCLI(args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.NoDirExists(t, out, "nothing written")
			entries, err := os.ReadDir(filepath.Dir(out))
			require.NoError(t, err)
			assert.Empty(t, entries, "no temporary folder left")
		})
	}
}
