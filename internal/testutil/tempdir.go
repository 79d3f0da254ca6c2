package testutil

import (
	"fmt"
	"os"
)

// WithTempDir runs run, a test binary's tests, with TMPDIR set to a fresh
// folder that is removed afterwards, and returns run's exit code. It is
// for TestMain of packages whose dependencies leave files in the temp
// folder: Beam's loopback runner creates an empty beamloopbackworker-*
// file for every pipeline and never removes it (runnerlib/execute.go).
func WithTempDir(run func() int) int {
	dir, err := os.MkdirTemp("", "tfoffload-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testutil:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	old, had := os.LookupEnv("TMPDIR")
	os.Setenv("TMPDIR", dir)
	defer func() {
		if had {
			os.Setenv("TMPDIR", old)
		} else {
			os.Unsetenv("TMPDIR")
		}
	}()
	return run()
}
