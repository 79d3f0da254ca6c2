package bridge

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// readFileGraph is a frozen graph whose ReadFile node reads the path fed
// to "filename", or held by a constant when held is not empty.
func readFileGraph(held string) *tfpb.GraphDef {
	var b graph.Builder
	if held != "" {
		b.Const("filename", tensor.Scalar(held))
	} else {
		b.Placeholder("filename", tensor.String, graph.ShapeAttr{})
	}
	b.Add("read", "ReadFile", []string{"filename"}, nil)
	return b.Graph()
}

// writeGraph writes g as dir/model.pb and returns its path.
func writeGraph(t *testing.T, dir string, g *tfpb.GraphDef) string {
	t.Helper()
	data, err := proto.Marshal(g)
	require.NoError(t, err)
	pb := filepath.Join(dir, "model.pb")
	require.NoError(t, os.WriteFile(pb, data, 0o644))
	return pb
}

// fileAccessTree makes dir/model (a model folder holding in.txt and a
// symbolic link escape to dir/outside), dir/outside and dir/extra/x.txt.
func fileAccessTree(t *testing.T) (dir, model string) {
	dir = t.TempDir()
	model = filepath.Join(dir, "model")
	require.NoError(t, os.MkdirAll(model, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "extra"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(model, "in.txt"), []byte("inside"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "outside"), []byte("secret"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "extra", "x.txt"), []byte("extra"), 0o644))
	require.NoError(t, os.Symlink(filepath.Join(dir, "outside"), filepath.Join(model, "escape")))
	return dir, model
}

// TestLoadedModelFileAccess: a model loaded from disk reads only inside
// its folder unless the caller widens its access, whether the path is fed
// or held in the graph.
func TestLoadedModelFileAccess(t *testing.T) {
	dir, model := fileAccessTree(t)
	pb := writeGraph(t, model, readFileGraph(""))
	outside := filepath.Join(dir, "outside")
	cases := []struct {
		name string
		opts []Option
		path string
		want string // "" when refused
	}{
		{"inside", nil, filepath.Join(model, "in.txt"), "inside"},
		{"dot-dot", nil, model + "/../outside", ""},
		{"relative dot-dot", nil, "../outside", ""},
		{"absolute outside", nil, outside, ""},
		{"system file", nil, "/etc/passwd", ""},
		{"symlink escape", nil, filepath.Join(model, "escape"), ""},
		{"widened", []Option{WithFileAccess(filepath.Join(dir, "extra"))}, filepath.Join(dir, "extra", "x.txt"), "extra"},
		{"widened keeps the folder", []Option{WithFileAccess(filepath.Join(dir, "extra"))}, filepath.Join(model, "in.txt"), "inside"},
		{"widened elsewhere", []Option{WithFileAccess(filepath.Join(dir, "extra"))}, outside, ""},
		{"any file", []Option{WithAnyFileAccess()}, outside, "secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadSession(pb, append([]Option{WithOffload(false)}, tc.opts...)...)
			require.NoError(t, err)
			defer s.Close()
			out, err := s.Run(context.Background(), map[string]*tensor.Tensor{"filename:0": tensor.Scalar(tc.path)}, []string{"read:0"})
			if tc.want == "" {
				require.ErrorIs(t, err, ErrFileAccess)
				assert.Contains(t, err.Error(), `"read"`, "the error names the node")
				assert.Contains(t, err.Error(), tc.path)
				assert.Contains(t, err.Error(), "WithFileAccess")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, tensor.Values[string](out[0])[0])
		})
	}

	t.Run("held in the graph", func(t *testing.T) {
		pb := writeGraph(t, t.TempDir(), readFileGraph(outside))
		for _, on := range []bool{false, true} {
			s, err := LoadSession(pb, WithOffload(on))
			require.NoError(t, err)
			_, err = s.Run(context.Background(), nil, []string{"read:0"})
			assert.ErrorIs(t, err, ErrFileAccess, "offload %v", on)
			require.NoError(t, s.Close())
		}
	})
}

// TestBuiltModelFileAccess: a model built in code has no folder, so it
// reads nothing unless the program opts in.
func TestBuiltModelFileAccess(t *testing.T) {
	dir, _ := fileAccessTree(t)
	m := &graph.Model{Path: "built", Format: graph.FormatFrozen, Graph: readFileGraph(filepath.Join(dir, "outside"))}
	s, err := NewSession(m, WithOffload(false))
	require.NoError(t, err)
	_, err = s.Run(context.Background(), nil, []string{"read:0"})
	assert.ErrorIs(t, err, ErrFileAccess)
	require.NoError(t, s.Close())

	s, err = NewSession(m, WithOffload(false), WithAnyFileAccess())
	require.NoError(t, err)
	defer s.Close()
	out, err := s.Run(context.Background(), nil, []string{"read:0"})
	require.NoError(t, err)
	assert.Equal(t, "secret", tensor.Values[string](out[0])[0])
}
