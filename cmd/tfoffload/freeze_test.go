package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// runExecutor runs path on the executor alone.
func runExecutor(t *testing.T, path string, feeds map[string]*tensor.Tensor, fetches []string) []*tensor.Tensor {
	t.Helper()
	s, err := bridge.LoadSession(path, bridge.WithOffload(false))
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	return out
}

func TestFreezeCommand(t *testing.T) {
	model := sharedRel(t, "savedmodel/tfrust/keras_multiple_inputs_saved_model")
	x := tensor.MustFromSlice(tensor.Shape{2, 5}, []float32{1, 2, 3, 4, 5, -1, -2, -3, -4, -5})
	feeds := map[string]*tensor.Tensor{"serving_default_test_in1:0": x, "serving_default_test_in2:0": x}
	fetches := []string{"StatefulPartitionedCall:0"}
	want := runExecutor(t, model, feeds, fetches)
	for _, format := range []string{"pb", "pbtxt"} {
		t.Run(format, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "frozen."+format)
			args := []string{"freeze", model, out}
			if format == "pbtxt" {
				args = append(args, "--pbtxt")
			}
			code, stdout, stderr := runCLI(args...)
			require.Equal(t, exitOK, code, stderr)
			assert.Contains(t, stdout, "wrote "+out+": signature serving_default")
			assert.Contains(t, stdout, "in  test_in1 serving_default_test_in1:0 float32 [-1,5]")
			assert.Contains(t, stdout, "out test_out StatefulPartitionedCall:0 float32 [-1,1]")
			m, err := graph.Load(out)
			require.NoError(t, err)
			assert.Empty(t, m.Variables)
			got := runExecutor(t, out, feeds, fetches)
			assert.NoError(t, tensor.Compare(got[0], want[0], tensor.Tolerance{}), "the frozen file runs identically")
			entries, err := os.ReadDir(filepath.Dir(out))
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file left behind")
		})
	}
}

func TestFreezeCheckpoint(t *testing.T) {
	meta := sharedRel(t, "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt.meta")
	out := filepath.Join(t.TempDir(), "frozen.pb")
	code, stdout, stderr := runCLI("freeze", "--output", "Output", meta, out)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "outputs Output")
	assert.Contains(t, stdout, "in  Input:0 float32 [-1,32,32,3]")
	x := tensor.MustNew(tensor.Float32, tensor.Shape{1, 32, 32, 3})
	feeds := map[string]*tensor.Tensor{"Input:0": x}
	got := runExecutor(t, out, feeds, []string{"Output:0"})
	want := runExecutor(t, filepath.Join(filepath.Dir(meta), "frozen_model.pb"), feeds, []string{"Output:0"})
	assert.NoError(t, tensor.Compare(got[0], want[0], tensor.Tolerance{}))
}

func TestFreezeErrors(t *testing.T) {
	counter := sharedRel(t, "savedmodel/tfserving/saved_model_counter")
	meta := sharedRel(t, "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt.meta")
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.pb")
	require.NoError(t, os.WriteFile(existing, []byte("old"), 0o644))
	tests := []struct {
		name       string
		args       []string
		code       int
		stderrLine string
	}{
		{"stateful signature", []string{"freeze", "--signature", "incr_counter", counter, existing}, exitError,
			`tfoffload: freeze: no signature could be frozen: signature "incr_counter" changes state: node "incr_counter_op/AssignAdd" (AssignAdd)`},
		{"unknown signature", []string{"freeze", "--signature", "nope", counter, existing}, exitError, `tfoffload: freeze: no such signature "nope"`},
		{"meta without outputs", []string{"freeze", meta, existing}, exitError, "tfoffload: " + meta + " has no default signature"},
		{"signature and output", []string{"freeze", "--signature", "a", "--output", "b", counter, existing}, exitUsage, "tfoffload: --signature and --output exclude each other"},
		{"one argument", []string{"freeze", counter}, exitUsage, "tfoffload: freeze needs MODEL OUT.pb, got 1 argument(s)"},
		{"output directory missing", []string{"freeze", "--signature", "get_counter", counter, filepath.Join(dir, "no", "such", "out.pb")}, exitError, "tfoffload: open " + filepath.Join(dir, "no", "such")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(tc.args...)
			assert.Equal(t, tc.code, code)
			assert.True(t, strings.HasPrefix(stderr, tc.stderrLine), "stderr: %q", stderr)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			data, err := os.ReadFile(existing)
			require.NoError(t, err)
			assert.Equal(t, "old", string(data), "a failed freeze leaves OUT.pb as it was")
		})
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")
}
