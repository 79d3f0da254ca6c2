package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// serveChild, set by TestServeSIGTERM when it re-runs this test binary,
// holds the serve command line the child runs.
var serveChild = flag.String("serve-child", "", "internal: run `tfoffload serve` with these space-separated arguments")

func TestServeFlagErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		line string
	}{
		{"no model", []string{"serve"}, "tfoffload: serve needs --model_base_path or --model_config_file"},
		{"both model sources", []string{"serve", "--model_base_path", "a", "--model_config_file", "b"}, "tfoffload: --model_config_file and --model_base_path exclude each other"},
		{"no port", []string{"serve", "--model_base_path", "a", "--port", "0", "--rest_api_port", "0"}, "tfoffload: --port and --rest_api_port are both 0"},
		{"same port", []string{"serve", "--model_base_path", "a", "--port", "9000", "--rest_api_port", "9000"}, "tfoffload: --port and --rest_api_port must differ"},
		{"argument", []string{"serve", "model"}, `tfoffload: serve takes flags only, got argument "model"`},
		{"negative threads", []string{"serve", "--model_base_path", "a", "--tensorflow_intra_op_parallelism", "-1"}, "tfoffload: --tensorflow_intra_op_parallelism and --tensorflow_inter_op_parallelism must not be negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(c.args...)
			assert.Equal(t, exitUsage, code)
			assert.True(t, strings.HasPrefix(stderr, c.line), "stderr: %q", stderr)
		})
	}
	code, _, stderr := runCLI("serve", "--model_config_file", filepath.Join(t.TempDir(), "none.config"))
	assert.Equal(t, exitError, code)
	assert.Contains(t, stderr, "--model_config_file: open")
}

// TestServeChild is the child process of TestServeSIGTERM; it does nothing
// in a normal run.
func TestServeChild(t *testing.T) {
	if *serveChild == "" {
		t.Skip("run by TestServeSIGTERM")
	}
	os.Exit(run(strings.Fields(*serveChild), os.Stdout, os.Stderr))
}

// TestServeSIGTERM runs `tfoffload serve` in a child process with batching
// (requests wait up to 100 ms in the queue), sends SIGTERM while clients
// keep sending requests, and checks that the process exits 0 and that no
// client got an error response: each request was either answered
// correctly or refused before it was accepted.
func TestServeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	base := t.TempDir()
	testutil.CopyTree(t, testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu"), filepath.Join(base, "1"))
	params := filepath.Join(t.TempDir(), "batching.config")
	require.NoError(t, os.WriteFile(params, []byte("max_batch_size { value: 64 } batch_timeout_micros { value: 100000 }"), 0o644))
	args := fmt.Sprintf("serve --model_name m --model_base_path %s --host 127.0.0.1 --port 0 --rest_api_port 0 --batching_parameters_file %s --file_system_poll_wait_seconds 0 --tensorflow_intra_op_parallelism 1", base, params)
	// --rest_api_port 0 would turn REST off; pick a free port instead.
	port := freePort(t)
	args = strings.Replace(args, "--rest_api_port 0", "--rest_api_port "+port, 1)
	args = strings.Replace(args, "--port 0 ", "--port "+freePort(t)+" ", 1)

	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$", "-serve-child="+args)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var logs bytes.Buffer
	listening := make(chan string, 1)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`msg="REST API listening" addr=(\S+)`)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				listening <- m[1]
			}
		}
	}()
	var addr string
	select {
	case addr = <-listening:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("the server did not start")
	}

	var ok, refused, bad atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range 8 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Post("http://"+addr+"/v1/models/m:predict", "application/json", strings.NewReader(fmt.Sprintf(`{"instances": [%d.0]}`, 2*i)))
				if err != nil {
					refused.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && string(b) == fmt.Sprintf(`{"predictions":[%d.0]}`, i+2) {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	waitErr := cmd.Wait()
	<-logDone
	close(stop)
	wg.Wait()
	assert.NoError(t, waitErr, "exit status; logs:\n%s", logs.String())
	assert.Zero(t, bad.Load(), "error responses")
	assert.Greater(t, ok.Load(), int64(8))
	assert.Contains(t, logs.String(), "signal received")
	assert.Contains(t, logs.String(), "server stopped")
	t.Logf("%d answered, %d refused after SIGTERM", ok.Load(), refused.Load())
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := netListen()
	require.NoError(t, err)
	defer l.Close()
	_, port, _ := strings.Cut(l.Addr().String(), ":")
	return port
}

func netListen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }
