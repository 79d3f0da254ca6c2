package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(root))
	assert.FileExists(t, filepath.Join(root, "go.mod"))
}

// TestRepoRootFromNestedModule: the tests of a module nested in the
// repository (beam/) find the repository, not their own go.mod.
func TestRepoRootFromNestedModule(t *testing.T) {
	root := t.TempDir()
	nested := filepath.Join(root, "beam", "tfrecord")
	require.NoError(t, os.MkdirAll(nested, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module github.com/tfoffload/tfoffload\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "beam", "go.mod"), []byte("// nested\nmodule github.com/tfoffload/tfoffload/beam\n"), 0o644))
	t.Chdir(nested)
	got, err := RepoRoot()
	require.NoError(t, err)
	want, err := filepath.EvalSymlinks(root)
	require.NoError(t, err)
	got, err = filepath.EvalSymlinks(got)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestRequired(t *testing.T) {
	tests := []struct {
		name        string
		ci, require string
		want        bool
	}{
		{name: "neither", want: false},
		{name: "CI set", ci: "true", want: true},
		{name: "require 1", require: "1", want: true},
		{name: "require 0", require: "0", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvCI, tc.ci)
			t.Setenv(EnvRequireShared, tc.require)
			assert.Equal(t, tc.want, Required())
		})
	}
}

// recorder is a testing.TB that records Skip and Fatal instead of stopping
// the real test.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestRequireOrSkip(t *testing.T) {
	tests := []struct {
		name         string
		require      string
		err          error
		skip, failed bool
	}{
		{name: "no error", err: nil},
		{name: "missing, optional", err: os.ErrNotExist, skip: true},
		{name: "missing, required", require: "1", err: os.ErrNotExist, failed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvCI, "")
			t.Setenv(EnvRequireShared, tc.require)
			r := &recorder{TB: t}
			RequireOrSkip(r, "thing", tc.err)
			assert.Equal(t, tc.skip, r.skipped)
			assert.Equal(t, tc.failed, r.failed)
		})
	}
}

func TestSharedModels(t *testing.T) {
	dir := SharedModels(t)
	assert.True(t, filepath.IsAbs(dir))
	assert.DirExists(t, dir)
}
