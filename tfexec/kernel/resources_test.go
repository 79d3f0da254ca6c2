package kernel

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
)

func TestResourcesLookupOrCreate(t *testing.T) {
	r := NewResources("", FileAccess{})
	var made atomic.Int32
	var wg sync.WaitGroup
	got := make([]any, 8)
	for i := range got {
		wg.Go(func() {
			v, err := r.LookupOrCreate("k", func() (any, error) { made.Add(1); return new(int), nil })
			assert.NoError(t, err)
			got[i] = v
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), made.Load(), "created once")
	for _, v := range got {
		assert.Same(t, got[0], v)
	}

	boom := errors.New("boom")
	_, err := r.LookupOrCreate("bad", func() (any, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	v, err := r.LookupOrCreate("bad", func() (any, error) { return "ok", nil })
	require.NoError(t, err)
	assert.Equal(t, "ok", v, "a failed create stores nothing")

	_, err = (*Resources)(nil).LookupOrCreate("k", func() (any, error) { return 1, nil })
	assert.Error(t, err)
}

func TestResourcesOpenModelFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vocab"), []byte("a\nb\n"), 0o600))
	f, size, err := NewResources(dir, FileAccess{}).OpenModelFile("vocab", -1)
	require.NoError(t, err)
	assert.Equal(t, int64(4), size)
	require.NoError(t, f.Close())

	_, _, err = NewResources(dir, FileAccess{}).OpenModelFile("vocab", 3)
	assert.ErrorIs(t, err, graph.ErrTooLarge)
	_, _, err = NewResources(dir, FileAccess{}).OpenModelFile("../vocab", -1)
	assert.ErrorIs(t, err, graph.ErrUnsafePath)
	_, _, err = NewResources("", FileAccess{}).OpenModelFile(filepath.Join(dir, "vocab"), -1)
	assert.ErrorIs(t, err, ErrNoModelFiles)
	assert.ErrorContains(t, err, "vocab")
	_, _, err = (*Resources)(nil).OpenModelFile("vocab", -1)
	assert.ErrorIs(t, err, ErrNoModelFiles)
}
