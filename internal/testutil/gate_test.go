package testutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOnlyTestutilReadsTheGate: whether a missing ONNX Runtime or
// ../shared/models skips or fails is decided here (Required,
// RequireOrSkip) and nowhere else, so CI cannot pass by a test checking
// some other variable and skipping.
func TestOnlyTestutilReadsTheGate(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	gate := regexp.MustCompile(`(Getenv|LookupEnv)\(\s*("(CI|` + EnvRequireShared + `)"|(testutil\.)?Env(CI|RequireShared)\b)`)
	self := filepath.Join(root, "internal", "testutil", "shared.go")
	checked := 0
	nested := map[string]int{"beam": 0, filepath.Join("examples", "beam"): 0} // modules of their own, scanned too
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || path == self {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		rel, _ := filepath.Rel(root, path)
		for mod := range nested {
			if strings.HasPrefix(rel, mod+string(filepath.Separator)) {
				nested[mod]++
			}
		}
		assert.False(t, gate.Match(src), "%s reads CI or %s itself: use testutil.Required or RequireOrSkip", rel, EnvRequireShared)
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 200, "Go files checked")
	for mod, n := range nested {
		assert.Positive(t, n, "Go files checked in the nested module %s", mod)
	}
}
