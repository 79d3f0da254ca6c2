package serve

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// readFileBase makes a base path whose version 1 is a frozen graph that
// returns the file named by its "filename" input (ReadFile), next to a
// file inside the version's folder; it returns the base, that file and
// a file outside the base.
func readFileBase(t *testing.T) (base, inside, outside string) {
	t.Helper()
	dir := t.TempDir()
	base = filepath.Join(dir, "base")
	version := filepath.Join(base, "1")
	require.NoError(t, os.MkdirAll(version, 0o755))
	var b graph.Builder
	b.Placeholder("filename", tensor.String, graph.ShapeAttr{})
	b.Add("read", "ReadFile", []string{"filename"}, nil)
	data, err := proto.Marshal(b.Graph())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(version, "model.pb"), data, 0o644))
	inside = filepath.Join(version, "in.txt")
	require.NoError(t, os.WriteFile(inside, []byte("inside"), 0o644))
	outside = filepath.Join(dir, "secret.txt")
	require.NoError(t, os.WriteFile(outside, []byte("secret"), 0o644))
	return base, inside, outside
}

// TestRESTReadFileAccess: a served model's ReadFile cannot return a file
// outside the model's folder to a client, unless the server's session
// options widen it.
func TestRESTReadFileAccess(t *testing.T) {
	base, inside, outside := readFileBase(t)
	predict := func(r *running, path string) (int, string) {
		body, err := json.Marshal(map[string]any{"inputs": map[string]string{"filename": path}})
		require.NoError(t, err)
		return r.do(t, "POST", "/v1/models/reader:predict", string(body))
	}

	r := start(t, Config{Models: []ModelConfig{{Name: "reader", BasePath: base}}, SessionOptions: []bridge.Option{bridge.WithOffload(false)}})
	code, body := predict(r, inside)
	require.Equal(t, 200, code, body)
	assert.JSONEq(t, `{"outputs":"inside"}`, body)
	for _, path := range []string{outside, "/etc/passwd", filepath.Dir(inside) + "/../../secret.txt"} {
		code, body = predict(r, path)
		assert.Equal(t, 403, code, body) // PERMISSION_DENIED, as TensorFlow Serving maps it
		var resp struct{ Error string }
		require.NoError(t, json.Unmarshal([]byte(body), &resp), body)
		assert.Contains(t, resp.Error, "file access refused")
		assert.NotContains(t, body, "secret\"")
		assert.NotContains(t, body, "root:")
	}

	wide := start(t, Config{Models: []ModelConfig{{Name: "reader", BasePath: base}},
		SessionOptions: []bridge.Option{bridge.WithOffload(false), bridge.WithFileAccess(filepath.Dir(outside))}})
	code, body = predict(wide, outside)
	require.Equal(t, 200, code, body)
	assert.JSONEq(t, `{"outputs":"secret"}`, body)
}
