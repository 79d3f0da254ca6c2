package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/beam/tfbeam"
	"github.com/tfoffload/tfoffload/beam/tfrecord"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// The pipeline runs on Beam's Prism runner, in-process and offline.
func TestMain(m *testing.M) {
	os.Exit(testutil.WithTempDir(func() int { return ptest.MainRetWithDefault(m, "prism") }))
}

// tfoffloadCLI builds the tfoffload command from this repository.
func tfoffloadCLI(t *testing.T) string {
	t.Helper()
	root, err := testutil.RepoRoot()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "tfoffload")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tfoffload")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "building tfoffload: %s", out)
	return bin
}

// runCLI runs `tfoffload run MODEL --input … --out-dir dir`.
func runCLI(t *testing.T, bin, model, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"run", model, "--out-dir", dir}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "tfoffload run: %s", out)
}

func runPipeline(t *testing.T, o options) {
	t.Helper()
	require.NoError(t, o.check())
	p, s := beam.NewPipelineWithRoot()
	build(s, o)
	require.NoError(t, ptest.Run(p))
}

// assertSameOutputs compares two `tfoffload run --out-dir` folders: the
// same outputs.json and, value for value, the same arrays.
func assertSameOutputs(t *testing.T, want, got string) {
	t.Helper()
	wantList, err := os.ReadFile(filepath.Join(want, "outputs.json"))
	require.NoError(t, err)
	gotList, err := os.ReadFile(filepath.Join(got, "outputs.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(wantList), string(gotList))
	var outs []struct{ File string }
	require.NoError(t, json.Unmarshal(wantList, &outs))
	require.NotEmpty(t, outs)
	for _, o := range outs {
		w, err := tensor.ReadNPYFile(filepath.Join(want, o.File))
		require.NoError(t, err)
		g, err := tensor.ReadNPYFile(filepath.Join(got, o.File))
		require.NoError(t, err)
		assert.Equal(t, w.Shape(), g.Shape(), o.File)
		assert.Equal(t, w.Data(), g.Data(), "%s/%s", got, o.File)
	}
}

// TestNPYFolderMatchesRun: the pipeline over a folder of .npy files
// writes, for each, what `tfoffload run --out-dir` writes.
func TestNPYFolderMatchesRun(t *testing.T) {
	enginetest.Require(t)
	model := testutil.SharedModel(t, "frozen/tf2onnx/fc-layers/frozen.pb")
	in, out, cli := t.TempDir(), t.TempDir(), t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	names := []string{"a", "b", "c", "d"}
	for i, name := range names {
		vals := make([]float32, (i%2+1)*784) // batches of 1 and 2
		for j := range vals {
			vals[j] = rng.Float32()
		}
		x, err := tensor.FromSlice(tensor.Shape{i%2 + 1, 784}, vals)
		require.NoError(t, err)
		require.NoError(t, tensor.WriteNPYFile(filepath.Join(in, name+".npy"), x))
	}
	runPipeline(t, options{input: filepath.Join(in, "*.npy"), output: out, outputFormat: "npy", cfg: tfbeam.Config{Model: model}})

	bin := tfoffloadCLI(t)
	for _, name := range names {
		runCLI(t, bin, model, filepath.Join(cli, name), "--input", "X:0="+filepath.Join(in, name+".npy"))
		assertSameOutputs(t, filepath.Join(cli, name), filepath.Join(out, name))
	}
	entries, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Len(t, entries, len(names), "one folder per input")
}

// TestTFRecordMatchesRun runs TensorFlow Serving's half_plus_two on
// TFRecord files of tf.Example, through the predict signature (features
// to tensors) and the regress signature (the model's own ParseExample),
// and compares every record's prediction, written as JSON lines, with
// `tfoffload run` fed the same value as a .npy file.
func TestTFRecordMatchesRun(t *testing.T) {
	enginetest.Require(t)
	model := testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu")
	in := t.TempDir()
	xs := map[string][]float32{"first": {1, -3.5, 0.25}, "second": {1e6, 7}}
	records := map[string][][]byte{}
	for name, vals := range xs {
		f, err := os.Create(filepath.Join(in, name+".tfrecord"))
		require.NoError(t, err)
		w := tfrecord.NewWriter(f)
		for _, x := range vals {
			rec, err := proto.Marshal(&tfpb.Example{Features: &tfpb.Features{Feature: map[string]*tfpb.Feature{
				"x": {Kind: &tfpb.Feature_FloatList{FloatList: &tfpb.FloatList{Value: []float32{x}}}},
			}}})
			require.NoError(t, err)
			// .npy byte strings drop trailing NULs, as NumPy does.
			require.NotEqual(t, byte(0), rec[len(rec)-1], "fixture record for %v ends in NUL", x)
			require.NoError(t, w.Write(rec))
			records[name] = append(records[name], rec)
		}
		require.NoError(t, f.Close())
	}

	bin := tfoffloadCLI(t)
	for _, tc := range []struct {
		signature, input string
		value            func(name string, i int) *tensor.Tensor
	}{
		{"serving_default", "x", func(name string, i int) *tensor.Tensor {
			return tensor.MustFromSlice(tensor.Shape{1, 1}, []float32{xs[name][i]})
		}},
		{"regress_x_to_y", "inputs", func(name string, i int) *tensor.Tensor {
			return tensor.MustFromSlice(tensor.Shape{1}, []string{string(records[name][i])})
		}},
	} {
		t.Run(tc.signature, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "predictions.jsonl")
			runPipeline(t, options{input: filepath.Join(in, "*.tfrecord"), output: out, outputFormat: "jsonl",
				cfg: tfbeam.Config{Model: model, Signature: tc.signature}})
			got := readJSONLines(t, out)
			require.Len(t, got, 5)
			for _, g := range got {
				name := strings.TrimSuffix(filepath.Base(g.Path), ".tfrecord")
				require.NotNil(t, g.Record, g.Path)
				dir := t.TempDir()
				feed := filepath.Join(dir, "in.npy")
				require.NoError(t, tensor.WriteNPYFile(feed, tc.value(name, *g.Record)))
				runCLI(t, bin, model, dir, "--signature", tc.signature, "--input", tc.input+"="+feed)
				want, err := tensor.ReadNPYFile(filepath.Join(dir, "0.npy"))
				require.NoError(t, err)
				wantVals, err := tensor.Float64s(want)
				require.NoError(t, err)
				require.Len(t, g.Outputs, 1)
				assert.Equal(t, []int(want.Shape()), g.Outputs[0].Shape)
				assert.Equal(t, wantVals, g.Outputs[0].Values, "%s record %d", name, *g.Record)
				assert.Equal(t, []float64{float64(0.5*xs[name][*g.Record] + 2)}, g.Outputs[0].Values, "y = 0.5x + 2")
			}
		})
	}
}

type jsonLine struct {
	Path    string `json:"path"`
	Record  *int   `json:"record"`
	Outputs []struct {
		Name   string    `json:"name"`
		Shape  []int     `json:"shape"`
		Values []float64 `json:"values"`
	} `json:"outputs"`
}

func readJSONLines(t *testing.T, path string) []jsonLine {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []jsonLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l jsonLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		out = append(out, l)
	}
	require.NoError(t, sc.Err())
	return out
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"complete", []string{"--input", "x/*", "--output", "o", "--model", "m.pb", "--outputs", "a,b", "--tags", "serve,gpu"}, ""},
		{"no input", []string{"--output", "o", "--model", "m.pb"}, "--input"},
		{"no output", []string{"--input", "x/*", "--model", "m.pb"}, "--output"},
		{"no model", []string{"--input", "x/*", "--output", "o"}, "--model"},
		{"bad format", []string{"--input", "x/*", "--output", "o", "--model", "m.pb", "--output_format", "csv"}, "--output_format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o options
			fs := flag.NewFlagSet("beam", flag.ContinueOnError)
			o.register(fs)
			require.NoError(t, fs.Parse(tc.args))
			err := o.check()
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, []string{"a", "b"}, o.cfg.Outputs)
				assert.Equal(t, []string{"serve", "gpu"}, o.cfg.Tags)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}
