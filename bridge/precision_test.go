package bridge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/quantize"
	"github.com/tfoffload/tfoffload/tensor"
)

// dumpedOps returns the op types of the cluster models a session dumped.
func dumpedOps(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "cluster_*.onnx"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	ops := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var m onnxpb.ModelProto
		require.NoError(t, proto.Unmarshal(data, &m))
		for _, n := range m.GetGraph().GetNode() {
			ops[n.GetOpType()]++
		}
	}
	return ops
}

func TestWithPrecision(t *testing.T) {
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
	m := mlp(t)
	feeds := mlpInput(3)
	fetches := []string{"out:0"}
	ref, err := NewSession(m, WithOffload(false))
	require.NoError(t, err)
	want, err := ref.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	for _, tc := range []struct {
		mode quantize.Mode
		op   string // an op only the quantized model has
	}{{quantize.Int8Dynamic, "MatMulInteger"}, {quantize.FP16, "Cast"}} {
		t.Run(string(tc.mode), func(t *testing.T) {
			dump := t.TempDir()
			s, err := NewSession(m, WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false), WithDumpDir(dump),
				WithPrecision(&quantize.Plan{Format: quantize.Format, Mode: tc.mode}))
			require.NoError(t, err)
			defer s.Close()
			got, err := s.Run(context.Background(), feeds, fetches)
			require.NoError(t, err)
			assert.NoError(t, tensor.Compare(got[0], want[0], tensor.Tolerance{ATol: 0.02}))
			assert.Positive(t, dumpedOps(t, dump)[tc.op])
		})
	}
}

// TestLoadQuantizedFolder: LoadSession runs a folder quantize.Write made
// with its plan, exactly like the model with WithPrecision.
func TestLoadQuantizedFolder(t *testing.T) {
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
	dir := t.TempDir()
	pb := filepath.Join(dir, "mlp.pb")
	data, err := proto.Marshal(mlp(t).Graph)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(pb, data, 0o644))
	plan := &quantize.Plan{Format: quantize.Format, Mode: quantize.Int8Dynamic}
	out := filepath.Join(dir, "mlp-int8")
	require.NoError(t, quantize.Write(out, quantize.Output{Plan: plan, Model: pb}))

	feeds, fetches := mlpInput(2), []string{"out:0"}
	dump := t.TempDir()
	loaded, err := LoadSession(out, WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false), WithDumpDir(dump))
	require.NoError(t, err)
	defer loaded.Close()
	got, err := loaded.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	assert.Positive(t, dumpedOps(t, dump)["MatMulInteger"], "the folder's plan applies")

	direct, err := LoadSession(pb, WithOffload(true), WithMinNontrivialNodes(1), WithDynamicFallback(false), WithPrecision(plan))
	require.NoError(t, err)
	defer direct.Close()
	want, err := direct.Run(context.Background(), feeds, fetches)
	require.NoError(t, err)
	assert.Equal(t, want[0].Bytes(), got[0].Bytes())

	t.Run("explicit precision overrides", func(t *testing.T) {
		dump := t.TempDir()
		s, err := LoadSession(out, WithOffload(true), WithMinNontrivialNodes(1), WithDumpDir(dump), WithPrecision(nil))
		require.NoError(t, err)
		defer s.Close()
		_, err = s.Run(context.Background(), feeds, fetches)
		require.NoError(t, err)
		assert.Zero(t, dumpedOps(t, dump)["MatMulInteger"])
	})
	t.Run("bad manifest", func(t *testing.T) {
		bad := filepath.Join(dir, "bad")
		require.NoError(t, os.MkdirAll(bad, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(bad, quantize.ManifestName), []byte(`{"format":"tfoffload-quantized/1","mode":"int4"}`), 0o644))
		_, err := LoadSession(bad)
		require.ErrorIs(t, err, quantize.ErrPlan)
		assert.False(t, strings.Contains(err.Error(), "\n"))
	})
}
