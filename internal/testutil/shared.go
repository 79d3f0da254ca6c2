package testutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Environment variables that turn a missing shared-models folder from a
// skip into a failure.
const (
	// EnvRequireShared set to "1" makes missing shared data fail tests.
	EnvRequireShared = "TFOFFLOAD_REQUIRE_SHARED"
	// EnvCI set to any non-empty value does the same; CI systems set it.
	EnvCI = "CI"
)

// Required reports whether tests must fail, rather than skip, when shared
// test data is missing: CI is set or TFOFFLOAD_REQUIRE_SHARED=1.
func Required() bool {
	return os.Getenv(EnvCI) != "" || os.Getenv(EnvRequireShared) == "1"
}

// RepoRoot returns the absolute path of the repository: the directory
// holding tfoffload's go.mod, found by walking up from the working
// directory past the go.mod of any module nested inside it (beam/,
// examples/beam), whose tests share the same ../shared/models.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && !nestedModule(data) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testutil: no tfoffload go.mod in the working directory or above it")
		}
		dir = parent
	}
}

// nestedModule reports a go.mod whose module path lies under
// tfoffload's, such as github.com/tfoffload/tfoffload/beam.
func nestedModule(gomod []byte) bool {
	for line := range strings.Lines(string(gomod)) {
		if path, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.HasPrefix(strings.Trim(strings.TrimSpace(path), `"`), modulePath+"/")
		}
	}
	return false
}

// modulePath is tfoffload's module path.
const modulePath = "github.com/tfoffload/tfoffload"

// SharedModelsDir returns the absolute path of <repo>/../shared/models and
// an error when it is not a directory. Tests use [SharedModels]; this is
// for code that is not a test, such as a fuzz seed generator.
func SharedModelsDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "models")
	fi, err := os.Stat(dir)
	if err != nil {
		return dir, fmt.Errorf("shared models folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return dir, fmt.Errorf("shared models folder %s is not a directory", dir)
	}
	return dir, nil
}

// SharedModels returns the absolute path of the shared models folder
// (<repo>/../shared/models). When the folder is missing it skips the test,
// or fails it when [Required] says skipping is not allowed.
func SharedModels(t testing.TB) string {
	t.Helper()
	dir, err := SharedModelsDir()
	RequireOrSkip(t, "shared models (../shared/models)", err)
	return dir
}

// SharedModel returns the absolute path of rel (slash-separated) inside
// the shared models folder, skipping or failing as [SharedModels] does when
// the folder or the file is missing.
func SharedModel(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(SharedModels(t), filepath.FromSlash(rel))
	_, err := os.Stat(p)
	RequireOrSkip(t, "shared model "+rel, err)
	return p
}

// RequireOrSkip does nothing when err is nil. Otherwise it skips the test
// with a message naming what is unavailable, or fails it when [Required]
// says the data must be there.
func RequireOrSkip(t testing.TB, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if Required() {
		t.Fatalf("%s is required (%s=1 or %s set) but unavailable: %v", what, EnvRequireShared, EnvCI, err)
		return
	}
	t.Skipf("skipping: %s unavailable: %v (set %s=1 to fail instead)", what, err, EnvRequireShared)
}
