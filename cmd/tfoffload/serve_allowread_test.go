package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/serve"
)

// TestServeAllowRead: a served model's ReadFile reads outside its
// version's folder only where --allow_read says.
func TestServeAllowRead(t *testing.T) {
	dir := t.TempDir()
	base, outside := filepath.Join(dir, "base"), filepath.Join(dir, "outside")
	require.NoError(t, os.MkdirAll(filepath.Join(base, "1"), 0o755))
	require.NoError(t, os.Mkdir(outside, 0o755))
	secret := filepath.Join(outside, "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(base, "1", "model.pbtxt"), []byte(`
node { name: "filename" op: "Placeholder" attr { key: "dtype" value { type: DT_STRING } }
  attr { key: "shape" value { shape {} } } }
node { name: "read" op: "ReadFile" input: "filename" }
`), 0o644))
	body, err := json.Marshal(map[string]any{"inputs": map[string]string{"filename": secret}})
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		allow []string
		code  int
		want  string
	}{
		{"folder only", nil, http.StatusForbidden, "file access refused"},
		{"allowed", []string{outside}, http.StatusOK, `"outputs":"secret"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := newServeCmd()
			cmd.SetErr(io.Discard)
			o := serveOptions{modelName: "reader", modelBasePath: base, port: 1, restPort: 2, maxRequestBytes: 1 << 20, allowRead: tc.allow}
			cfg, err := o.config(cmd)
			require.NoError(t, err)
			srv, err := serve.New(cfg)
			require.NoError(t, err)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { done <- srv.Serve(nil, l) }()
			defer func() {
				require.NoError(t, srv.Shutdown(context.Background()))
				require.NoError(t, <-done)
			}()
			resp, err := http.Post("http://"+l.Addr().String()+"/v1/models/reader:predict", "application/json", strings.NewReader(string(body)))
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, tc.code, resp.StatusCode, string(got))
			assert.Contains(t, string(got), tc.want)
		})
	}
}
