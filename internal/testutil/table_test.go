package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReadTable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.txt")
	assert.NoError(t, os.WriteFile(p, []byte("# a comment\n\na 1 x\n  b 2 y  \n"), 0o644))
	assert.Equal(t, [][]string{{"a", "1", "x"}, {"b", "2", "y"}}, ReadTable(t, p, 3))

	r := &recorder{}
	assert.NoError(t, os.WriteFile(p, []byte("a 1\n"), 0o644))
	ReadTable(r, p, 3)
	assert.True(t, r.failed, "a short row fails the test")
}
