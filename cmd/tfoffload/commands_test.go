package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

func writeNPY(t *testing.T, dir, name string, x *tensor.Tensor) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, tensor.WriteNPYFile(p, x))
	return p
}

func TestRunCommand(t *testing.T) {
	enginetest.Require(t)
	model := sharedRel(t, "frozen/tiny/addition.pb")
	dir := t.TempDir()
	x := writeNPY(t, dir, "x.npy", tensor.Scalar(int32(40)))
	y := writeNPY(t, dir, "y.npy", tensor.Scalar(int32(2)))
	for _, backend := range []string{"none", "CPU"} {
		t.Run(backend, func(t *testing.T) {
			out := filepath.Join(dir, backend)
			code, stdout, stderr := runCLI("run", model, "--input", "x="+x, "--input", "y:0="+y, "--out-dir", out, "--backend", backend, "--json")
			require.Equal(t, exitOK, code, stderr)
			var sum runSummary
			require.NoError(t, json.Unmarshal([]byte(stdout), &sum))
			assert.Equal(t, backend, sum.Backend)
			require.Len(t, sum.Outputs, 1)
			assert.Equal(t, "z:0", sum.Outputs[0].Name)
			assert.Equal(t, "0.npy", sum.Outputs[0].File)
			got, err := tensor.ReadNPYFile(filepath.Join(out, "0.npy"))
			require.NoError(t, err)
			assert.Equal(t, []int32{42}, tensor.Values[int32](got))
			listing, err := os.ReadFile(filepath.Join(out, "outputs.json"))
			require.NoError(t, err)
			var outs []runOutput
			require.NoError(t, json.Unmarshal(listing, &outs))
			assert.Equal(t, []runOutput{{Name: "z:0", DType: "int32", Shape: []int{}, File: "0.npy"}}, outs)
		})
	}
}

func TestRunCommandErrors(t *testing.T) {
	model := sharedRel(t, "frozen/tiny/addition.pb")
	dir := t.TempDir()
	f := writeNPY(t, dir, "f.npy", tensor.Scalar(float32(1)))
	i := writeNPY(t, dir, "i.npy", tensor.Scalar(int32(1)))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"wrong dtype", []string{"--input", "x=" + f, "--input", "y=" + i}, "the input is int32, the file holds float32"},
		{"missing input", []string{"--input", "x=" + i}, "placeholder(s) y must be fed"},
		{"unknown name", []string{"--input", "nope=" + i}, `the model has no tensor "nope"`},
		{"bad spec", []string{"--input", "x"}, "want NAME=FILE.npy"},
		{"missing file", []string{"--input", "x=" + filepath.Join(dir, "absent.npy")}, "no such file"},
		{"unknown backend", []string{"--input", "x=" + i, "--input", "y=" + i, "--backend", "TPU"}, "unknown backend"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(append([]string{"run", model, "--backend", "none"}, tc.args...)...)
			if tc.name == "unknown backend" {
				code, _, stderr = runCLI(append([]string{"run", model}, tc.args...)...)
			}
			assert.Equal(t, exitError, code)
			assert.Contains(t, stderr, tc.want)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
		})
	}
}

// TestRunKeywordSpotting feeds a WAV file's bytes as a string scalar.
func TestRunKeywordSpotting(t *testing.T) {
	model := sharedRel(t, "frozen/kws/DS_CNN_S.pb")
	wav := sharedRel(t, "frozen/kws/wav/yes_1000ms.wav")
	out := t.TempDir()
	code, _, stderr := runCLI("run", model, "--input", "wav_data=@"+wav, "--out-dir", out, "--backend", "none")
	require.Equal(t, exitOK, code, stderr)
	probs, err := tensor.ReadNPYFile(filepath.Join(out, "0.npy"))
	require.NoError(t, err)
	p := tensor.Values[float32](probs)
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	assert.Equal(t, 2, best, "label 2 is \"yes\": %v", p)
}

func TestPartitionCommand(t *testing.T) {
	model := sharedRel(t, "frozen/lenet/lenet_frozen.pb")
	dot := filepath.Join(t.TempDir(), "plan.dot")
	code, stdout, stderr := runCLI("partition", model, "--json", "--dot", dot)
	require.Equal(t, exitOK, code, stderr)
	var p planJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &p))
	assert.Len(t, p.Clusters, 1)
	assert.Equal(t, 100.0, p.PercentOffloaded)
	assert.Equal(t, "default formula", p.MinSource)
	assert.NotEmpty(t, p.Fallback, "the placeholder stays on the executor")
	data, err := os.ReadFile(dot)
	require.NoError(t, err)
	assert.Contains(t, string(data), "subgraph cluster_0")

	code, stdout, _ = runCLI("partition", model, "--min-nontrivial-nodes", "1000")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "0 cluster(s); 0 of 23 non-trivial nodes offloaded")
	assert.Contains(t, stdout, "MIN_NONTRIVIAL_NODES=1000 (session option)")

	code, stdout, _ = runCLI("partition", model, "--disable-ops", "Conv2D")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "fallback Lenet/conv1_1/Conv2D (Conv2D): disabled by the user")
}

func TestConvertCommand(t *testing.T) {
	enginetest.Require(t)
	dir := t.TempDir()
	onnx := filepath.Join(dir, "lenet.onnx")
	code, stdout, stderr := runCLI("convert", sharedRel(t, "frozen/lenet/lenet_frozen.pb"), onnx, "--input-shape", "input=2,784")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "largest difference from the Go executor")
	info, err := os.Stat(onnx)
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(200_000), "the weights are in the model")

	// Audio preprocessing has no ONNX form: the whole model cannot convert.
	kws := sharedRel(t, "frozen/kws/DS_CNN_S.pb")
	wav := sharedRel(t, "frozen/kws/wav/no_1000ms.wav")
	code, _, stderr = runCLI("convert", kws, filepath.Join(dir, "kws.onnx"), "--input", "wav_data=@"+wav)
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "DecodeWav")
	assert.Contains(t, stderr, "--clusters")

	clusters := filepath.Join(dir, "clusters")
	code, stdout, _ = runCLI("convert", kws, filepath.Join(dir, "kws.onnx"), "--input", "wav_data=@"+wav, "--clusters", clusters)
	assert.Equal(t, exitError, code, "OUT.onnx still cannot be written")
	assert.Contains(t, stdout, "cluster model(s)")
	entries, err := os.ReadDir(clusters)
	require.NoError(t, err)
	var onnxFiles int
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".onnx") {
			onnxFiles++
		}
	}
	assert.Positive(t, onnxFiles)
}

func TestBenchCommand(t *testing.T) {
	enginetest.Require(t)
	code, stdout, stderr := runCLI("bench", sharedRel(t, "frozen/tf2onnx/fc-layers/frozen.pb"), "--iterations", "3", "--warmup", "1", "--batch", "1,4", "--json")
	require.Equal(t, exitOK, code, stderr)
	var results []benchResult
	require.NoError(t, json.Unmarshal([]byte(stdout), &results))
	require.Len(t, results, 4, "two backends × two batch sizes")
	for _, r := range results {
		assert.Positive(t, r.MedianMS)
		assert.Positive(t, r.FPS)
		assert.Less(t, r.MaxDiff, 1e-4)
	}
	assert.Equal(t, 1.0, results[0].Speedup)
	assert.Equal(t, "CPU", results[1].Backend)
	assert.Equal(t, 8, results[1].Offloaded)

	code, _, stderr = runCLI("bench", "x.pb", "--iterations", "0")
	assert.Equal(t, exitUsage, code, stderr)
}

func TestBackendsCommand(t *testing.T) {
	enginetest.Require(t)
	code, stdout, stderr := runCLI("backends", "--json")
	require.Equal(t, exitOK, code, stderr)
	var list []struct {
		Name   string `json:"name"`
		Usable bool   `json:"usable"`
		Reason string `json:"reason"`
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &list))
	found := false
	for _, b := range list {
		if b.Name == "CPU" {
			found = true
			assert.True(t, b.Usable)
		} else if !b.Usable {
			assert.NotEmpty(t, b.Reason, b.Name)
		}
	}
	assert.True(t, found)
	code, stdout, _ = runCLI("backends")
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "ONNX Runtime 1.30.0")
}

func TestRunCommandHonoursEnvironment(t *testing.T) {
	enginetest.Require(t)
	model := sharedRel(t, "frozen/tiny/addition.pb")
	dir := t.TempDir()
	x := writeNPY(t, dir, "x.npy", tensor.Scalar(int32(1)))
	t.Setenv("TFOFFLOAD_DISABLE", "1")
	code, stdout, stderr := runCLI("run", model, "--input", "x="+x, "--input", "y="+x, "--json")
	require.Equal(t, exitOK, code, stderr)
	var sum runSummary
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum))
	assert.Equal(t, "none", sum.Backend, "TFOFFLOAD_DISABLE=1 runs on the executor")
	code, stdout, stderr = runCLI("run", model, "--input", "x="+x, "--input", "y="+x, "--json", "--backend", "cpu")
	require.Equal(t, exitOK, code, stderr)
	require.NoError(t, json.Unmarshal([]byte(stdout), &sum))
	assert.Equal(t, "CPU", sum.Backend, "the flag beats the environment")
}

// TestRunAllowRead: a model's ReadFile reads outside its folder only
// where --allow-read says.
func TestRunAllowRead(t *testing.T) {
	dir := t.TempDir()
	model, outside := filepath.Join(dir, "model"), filepath.Join(dir, "outside")
	require.NoError(t, os.Mkdir(model, 0o755))
	require.NoError(t, os.Mkdir(outside, 0o755))
	secret := filepath.Join(outside, "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o644))
	pb := filepath.Join(model, "model.pbtxt")
	require.NoError(t, os.WriteFile(pb, []byte(`
node { name: "filename" op: "Const" attr { key: "dtype" value { type: DT_STRING } }
  attr { key: "value" value { tensor { dtype: DT_STRING tensor_shape {} string_val: "`+secret+`" } } } }
node { name: "read" op: "ReadFile" input: "filename" }
`), 0o644))

	code, _, stderr := runCLI("run", pb, "--output", "read:0", "--backend", "none")
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "file access refused")
	assert.Contains(t, stderr, "--allow-read")

	out := filepath.Join(dir, "out")
	code, _, stderr = runCLI("run", pb, "--output", "read:0", "--backend", "none", "--allow-read", outside, "--out-dir", out)
	require.Equal(t, exitOK, code, stderr)
	got, err := tensor.ReadNPYFile(filepath.Join(out, "0.npy"))
	require.NoError(t, err)
	assert.Equal(t, []string{"secret"}, tensor.Values[string](got))
}
