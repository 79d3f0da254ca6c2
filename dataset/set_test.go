package dataset

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFiles creates each file (slash paths relative to dir) with data.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
}

func TestOpenFolders(t *testing.T) {
	t.Run("a folder per class", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"dog/b.JPG": "", "dog/a.png": "", "cat/z.wav": "", "cat/notes.txt": "",
			"cat/.hidden.png": "", "README.md": ""})
		set, err := Open(dir)
		require.NoError(t, err)
		assert.Equal(t, []Sample{{filepath.Join(dir, "cat/z.wav"), "cat"}, {filepath.Join(dir, "dog/a.png"), "dog"},
			{filepath.Join(dir, "dog/b.JPG"), "dog"}}, set.Samples)
		assert.Equal(t, 3, set.Labelled())
	})
	t.Run("files without classes", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"1.jpeg": "", "2.npy": ""})
		set, err := Open(dir)
		require.NoError(t, err)
		assert.Len(t, set.Samples, 2)
		assert.Zero(t, set.Labelled())
	})
	t.Run("no usable file", func(t *testing.T) {
		dir := t.TempDir()
		writeFiles(t, dir, map[string]string{"cls/readme.txt": ""})
		_, err := Open(dir)
		require.ErrorIs(t, err, ErrEmpty)
		assert.Contains(t, err.Error(), dir)
	})
	t.Run("missing", func(t *testing.T) {
		_, err := Open(filepath.Join(t.TempDir(), "nope"))
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

func TestParseCSV(t *testing.T) {
	good := "file,label\n# a comment\nimgs/a.png, cat\n/abs/b.jpg,dog\nc.wav\nd.npy,\n"
	set, err := ParseCSV(strings.NewReader(good), "/data/set.csv")
	require.NoError(t, err)
	assert.Equal(t, []Sample{{"/data/imgs/a.png", "cat"}, {"/abs/b.jpg", "dog"}, {"/data/c.wav", ""}, {"/data/d.npy", ""}}, set.Samples)

	for _, tc := range []struct{ name, csv, want string }{
		{"three fields", "a.png,cat\nb.png,dog,extra\n", "set.csv:2: 3 fields"},
		{"empty file", "a.png,cat\n,dog\n", "set.csv:2: empty file name"},
		{"unknown extension", "a.gif,cat\n", `set.csv:1: "a.gif" is not`},
		{"bad quoting", "\"a.png,cat\n", "set.csv:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCSV(strings.NewReader(tc.csv), "set.csv")
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
	t.Run("empty through Open", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "set.csv")
		require.NoError(t, os.WriteFile(p, []byte("file,label\n"), 0o644))
		_, err := Open(p)
		require.ErrorIs(t, err, ErrEmpty)
	})
}

func TestParseLabels(t *testing.T) {
	labels, err := ParseLabels("_silence_\n_unknown_\r\n yes \n\n\n")
	require.NoError(t, err)
	assert.Equal(t, []string{"_silence_", "_unknown_", "yes"}, labels)
	for _, tc := range []struct{ text, want string }{
		{"", "1: no labels"},
		{"a\n\nb\n", "2: blank line"},
		{"a\nb\na\n", `3: "a" repeats line 1`},
	} {
		_, err := ParseLabels(tc.text)
		require.Error(t, err, tc.text)
		assert.Contains(t, err.Error(), tc.want)
	}
	p := filepath.Join(t.TempDir(), "labels.txt")
	require.NoError(t, os.WriteFile(p, []byte("a\na\n"), 0o644))
	_, err = ReadLabels(p)
	require.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), p+":2:")
}

func TestClasses(t *testing.T) {
	set := &Set{Samples: []Sample{{"a.png", "cat"}, {"b.png", ""}, {"c.png", "dog"}}}
	got, err := set.Classes([]string{"dog", "cat"}, 0)
	require.NoError(t, err)
	assert.Equal(t, []int{1, -1, 0}, got)

	_, err = set.Classes([]string{"cat"}, 0)
	var ule *UnknownLabelError
	require.ErrorAs(t, err, &ule)
	assert.Equal(t, "c.png", ule.File)
	assert.Contains(t, err.Error(), `c.png: label "dog" is not one of the 1 labels`)

	_, err = set.Classes(nil, 0)
	require.ErrorAs(t, err, &ule)
	assert.True(t, ule.ByIndex)
	assert.Contains(t, err.Error(), "give a labels file")

	byIndex := &Set{Samples: []Sample{{"a.png", "3"}, {"b.png", "0"}}}
	got, err = byIndex.Classes(nil, 4)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 0}, got)
	_, err = byIndex.Classes(nil, 3)
	require.True(t, errors.As(err, &ule), "index 3 of 3 classes")
}
