package testutil

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeFuzzRunsEveryTarget: `make fuzz` lists each fuzz target of the
// repository with its package (nested modules included), so a new target cannot be left out of it.
func TestMakeFuzzRunsEveryTarget(t *testing.T) {
	root, err := RepoRoot()
	require.NoError(t, err)
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	listed := map[string]bool{}
	// A target of a nested module (beam/) runs from its folder:
	// cd beam && $(FUZZ) '^FuzzReader$$' ./tfrecord
	for _, m := range regexp.MustCompile(`(?:cd (\S+) && )?\$\(FUZZ\) '\^(Fuzz\w+)\$\$' (\./\S*)`).FindAllStringSubmatch(string(mk), -1) {
		listed[m[2]+" ./"+path.Join(m[1], m[3])] = true
	}
	decl := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	found := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "examples") && path != root {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			found++
			key := m[1] + " ./" + filepath.ToSlash(rel)
			assert.True(t, listed[key], "make fuzz does not run %s", key)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, len(listed), found, "targets in the Makefile and in the code")
	assert.GreaterOrEqual(t, found, 12)
}
