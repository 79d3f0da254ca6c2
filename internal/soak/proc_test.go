package soak

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before, err := RSS()
	require.NoError(t, err)
	assert.Greater(t, before, int64(1<<20), "a Go test binary holds more than 1 MiB")
	block := make([]byte, 64<<20)
	for i := range block {
		block[i] = 1
	}
	after, err := RSS()
	require.NoError(t, err)
	assert.Greater(t, after-before, int64(48<<20), "64 MiB touched")
	runtime.KeepAlive(block)
}

func TestOpenFDs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before, err := OpenFDs()
	require.NoError(t, err)
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	during, err := OpenFDs()
	require.NoError(t, err)
	require.NoError(t, f.Close())
	after, err := OpenFDs()
	require.NoError(t, err)
	assert.Equal(t, before+1, during)
	assert.Equal(t, before, after)
}
