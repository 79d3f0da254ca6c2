package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil/enginetest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/tensor"
)

// batchModel is a GraphDef whose input x has shape [-1,784] and whose
// input u has unknown rank.
const batchModel = `
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { dim { size: -1 } dim { size: 784 } } } } }
node { name: "u" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } }
  attr { key: "shape" value { shape { unknown_rank: true } } } }
node { name: "y" op: "Relu" input: "x" attr { key: "T" value { type: DT_FLOAT } } }
node { name: "v" op: "Relu" input: "u" attr { key: "T" value { type: DT_FLOAT } } }
`

func writeModel(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "model.pbtxt")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	return p
}

// TestBenchFlagValues checks that bad sizes are usage errors naming the
// flag, found before anything is allocated or compiled: a billion-row
// batch used to panic in makeslice, a billion-row --input-shape to exhaust
// memory, and --batch 0 or -1 to run silently as batch 1.
func TestBenchFlagValues(t *testing.T) {
	defer tensor.SetMaxTensorBytes(tensor.SetMaxTensorBytes(1 << 30))
	model := writeModel(t, batchModel)
	tests := []struct {
		name string
		args []string
		want string // the whole stderr line after "tfoffload: "
	}{
		{"batch 0", []string{"--batch", "0", "--input-shape", "u=1"},
			"--batch 0: a batch size must be at least 1 (see 'tfoffload bench --help')"},
		{"negative batch", []string{"--batch", "4,-1", "--input-shape", "u=1"},
			"--batch -1: a batch size must be at least 1 (see 'tfoffload bench --help')"},
		{"huge batch", []string{"--batch", "1,1000000000", "--input-shape", "u=1"},
			"--batch 1000000000: generated input x:0 too large: float32[1000000000,784] needs 2.9 TiB, over the limit of 1 GiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)"},
		{"huge shape", []string{"--input-shape", "u=1000000000,784"},
			"--input-shape u=1000000000,784: generated input u:0 too large: float32[1000000000,784] needs 2.9 TiB, over the limit of 1 GiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)"},
		{"overflowing shape", []string{"--input-shape", "u:0=4294967296,4294967296,4294967296"},
			"--input-shape u:0=4294967296,4294967296,4294967296: generated input u:0 too large: float32[4294967296,4294967296,4294967296] needs more than 8 EiB, over the limit of 1 GiB for one tensor (TFOFFLOAD_MAX_TENSOR_BYTES)"},
		{"zero dimension", []string{"--input-shape", "u=0,784"},
			`--input-shape "u=0,784": dimension "0" is not a positive integer (see 'tfoffload bench --help')`},
		{"negative dimension", []string{"--input-shape", "u=-3"},
			`--input-shape "u=-3": dimension "-3" is not a positive integer (see 'tfoffload bench --help')`},
		{"no name", []string{"--input-shape", "=3"},
			`--input-shape "=3": want NAME=D0,D1,... (see 'tfoffload bench --help')`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(append([]string{"bench", model, "--iterations", "1", "--warmup", "0"}, tc.args...)...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			assert.Equal(t, "tfoffload: "+tc.want+"\n", stderr)
		})
	}
}

func TestCheckInputSize(t *testing.T) {
	const limit = 1 << 30
	defer tensor.SetMaxTensorBytes(tensor.SetMaxTensorBytes(limit))
	tests := []struct {
		name  string
		dt    tensor.DType
		shape []int
		ok    bool
	}{
		{"scalar", tensor.Float32, nil, true},
		{"staged as float64 at the limit", tensor.Float32, []int{limit / 8}, true},
		{"one past the limit", tensor.Float32, []int{limit/8 + 1}, false},
		{"bytes count, not elements", tensor.Int8, []int{limit/8 + 1}, false},
		{"empty", tensor.Float32, []int{0, 1 << 40}, true},
		{"overflow", tensor.Int8, []int{1 << 62, 1 << 62}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkInputSize("x:0", tc.dt, tc.shape)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, errInputTooLarge)
			}
		})
	}
}

// TestRunFlagErrors checks that run's errors about --input, --output and
// --out-dir name the flag.
func TestRunFlagErrors(t *testing.T) {
	model := sharedRel(t, "frozen/tiny/addition.pb")
	dir := t.TempDir()
	x := writeNPY(t, dir, "x.npy", tensor.Scalar(int32(40)))
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no inputs", nil,
			"--input: tfexec: bad feed: placeholder(s) x, y must be fed (feed each input with --input NAME=FILE.npy)"},
		{"output index past a placeholder's", []string{"--input", "x:1=" + x, "--input", "y=" + x},
			`--input x:1: the model has no tensor "x:1": node "x" (Placeholder) has 1 output(s)`},
		{"fetch index past a placeholder's", []string{"--input", "x=" + x, "--input", "y=" + x, "--output", "y:2"},
			`--output y:2: the model has no tensor "y:2": node "y" (Placeholder) has 1 output(s)`},
		{"out-dir under a file", []string{"--input", "x=" + x, "--input", "y=" + x, "--out-dir", filepath.Join(file, "out")},
			"--out-dir " + filepath.Join(file, "out") + ": mkdir " + file + ": not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(append([]string{"run", model, "--backend", "none"}, tc.args...)...)
			assert.Equal(t, exitError, code)
			assert.Equal(t, "tfoffload: "+tc.want+"\n", stderr)
		})
	}
}

// TestBackendsDamagedLibrary runs `tfoffload backends` in a child process
// whose ONNX Runtime library is a copy of the real one cut in half: it
// used to die of SIGBUS inside dlopen.
func TestBackendsDamagedLibrary(t *testing.T) {
	if args := os.Getenv("TFOFFLOAD_CLI_CHILD_ARGS"); args != "" {
		code, stdout, stderr := runCLI(strings.Fields(args)...)
		t.Logf("child: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
		return
	}
	enginetest.Require(t)
	real, err := engine.LibraryPath()
	require.NoError(t, err)
	if !filepath.IsAbs(real) {
		t.Skipf("ONNX Runtime comes from the system loader (%s), not a file", real)
	}
	in, err := os.Open(real)
	require.NoError(t, err)
	defer in.Close()
	st, err := in.Stat()
	require.NoError(t, err)
	cut := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	out, err := os.Create(cut)
	require.NoError(t, err)
	_, err = io.CopyN(out, in, st.Size()/2)
	require.NoError(t, err)
	require.NoError(t, out.Close())

	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestBackendsDamagedLibrary$", "-test.v")
	cmd.Env = append(os.Environ(), "TFOFFLOAD_CLI_CHILD_ARGS=backends", engine.LibraryPathEnv+"="+cut)
	got, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	require.False(t, errors.As(err, &ee), "child process failed:\n%s", got)
	require.NoError(t, err)
	assert.Contains(t, string(got), "child: exit 1\n")
	assert.Regexp(t, `stderr: tfoffload: engine: no usable ONNX Runtime library \(tried: \$`+engine.LibraryPathEnv+` `+cut+`: truncated: [0-9]+ bytes, needs [0-9]+\); install it with scripts/install-onnxruntime.sh`, string(got))
}
