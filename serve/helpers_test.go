package serve

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// addVersion puts a copy of the shared model rel under base/num, renamed
// into place in one step so a poll never sees half a version.
func addVersion(t testing.TB, base string, num int, rel string) {
	t.Helper()
	src := testutil.SharedModel(t, rel)
	tmp := filepath.Join(base, ".tmp-"+filepath.Base(rel))
	info, err := os.Stat(src)
	require.NoError(t, err)
	if info.IsDir() {
		testutil.CopyTree(t, src, tmp)
	} else {
		require.NoError(t, os.MkdirAll(tmp, 0o755))
		testutil.CopyTree(t, src, filepath.Join(tmp, filepath.Base(src)))
	}
	require.NoError(t, os.Rename(tmp, filepath.Join(base, strconv.Itoa(num))))
}

const halfPlusTwo = "savedmodel/tfserving/saved_model_half_plus_two_cpu"

// testLogger discards logs unless -v.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// running is a server on loopback ports.
type running struct {
	srv  *Server
	rest string // http://127.0.0.1:PORT
	grpc *grpc.ClientConn
	done chan error
}

// start serves cfg on loopback until the test ends.
func start(t testing.TB, cfg Config) *running {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	rl, gl := listen(t), listen(t)
	r := &running{srv: srv, rest: "http://" + rl.Addr().String(), done: make(chan error, 1)}
	go func() { r.done <- srv.Serve(gl, rl) }()
	r.grpc, err = grpc.NewClient(gl.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = r.grpc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, srv.Shutdown(ctx))
		require.NoError(t, <-r.done)
	})
	return r
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return l
}

// do sends a REST request and returns the status and body.
func (r *running) do(t testing.TB, method, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, r.rest+path, bytes.NewBufferString(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// modelBase makes a base path holding the shared model rel as version 1.
func modelBase(t testing.TB, rel string) string {
	t.Helper()
	base := t.TempDir()
	addVersion(t, base, 1, rel)
	return base
}
