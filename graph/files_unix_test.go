//go:build unix

package graph

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// mkfifo makes a FIFO at dir/name; nothing ever writes to it, so a plain
// open or read of it blocks for ever.
func mkfifo(t testing.TB, dir, name string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, syscall.Mkfifo(p, 0o644))
	return p
}

func symlink(t testing.TB, target, dir, name string) {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.Symlink(target, p))
}

func TestOpenModelFile(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, root, outside string)
		open    string
		max     int64
		is      error
		message string
		want    string // content when the open succeeds
	}{
		{name: "plain file", setup: func(t *testing.T, root, _ string) { writeFile(t, root, "a/w.bin", []byte("weights")) }, open: "a/w.bin", max: -1, want: "weights"},
		{name: "symlink inside", setup: func(t *testing.T, root, _ string) {
			writeFile(t, root, "real.bin", []byte("inside"))
			symlink(t, "real.bin", root, "sub/../link.bin")
		}, open: "link.bin", max: -1, want: "inside"},
		{name: "dot-dot", open: "../secret", max: -1, is: ErrUnsafePath, message: `"../secret" is not a relative path inside the model directory`},
		{name: "dot-dot in the middle", open: "a/../../secret", max: -1, is: ErrUnsafePath, message: "not a relative path"},
		{name: "absolute", open: "/etc/passwd", max: -1, is: ErrUnsafePath, message: `"/etc/passwd" is not a relative path`},
		{name: "symlink out", setup: func(t *testing.T, root, outside string) {
			writeFile(t, outside, "secret", []byte("secret"))
			symlink(t, filepath.Join(outside, "secret"), root, "w.bin")
		}, open: "w.bin", max: -1, is: ErrUnsafePath, message: "outside the model directory"},
		{name: "relative symlink out", setup: func(t *testing.T, root, outside string) {
			writeFile(t, outside, "secret", []byte("secret"))
			rel, err := filepath.Rel(filepath.Join(root, "d"), filepath.Join(outside, "secret"))
			require.NoError(t, err)
			symlink(t, rel, root, "d/w.bin")
		}, open: "d/w.bin", max: -1, is: ErrUnsafePath, message: "outside the model directory"},
		{name: "directory symlinked out", setup: func(t *testing.T, root, outside string) {
			writeFile(t, outside, "secret", []byte("secret"))
			symlink(t, outside, root, "variables")
		}, open: "variables/secret", max: -1, is: ErrUnsafePath, message: "outside the model directory"},
		{name: "zero device", setup: func(t *testing.T, root, _ string) { symlink(t, "/dev/zero", root, "zero.bin") }, open: "zero.bin", max: -1, is: ErrUnsafePath, message: "outside the model directory"},
		{name: "FIFO", setup: func(t *testing.T, root, _ string) { mkfifo(t, root, "pipe.bin") }, open: "pipe.bin", max: -1, is: ErrUnsafePath, message: `"pipe.bin" is a FIFO, not a regular file`},
		{name: "directory", setup: func(t *testing.T, root, _ string) { require.NoError(t, os.Mkdir(filepath.Join(root, "d"), 0o755)) }, open: "d", max: -1, is: ErrUnsafePath, message: `"d" is a directory, not a regular file`},
		{name: "the root itself", open: ".", max: -1, is: ErrUnsafePath, message: "is a directory"},
		{name: "too large", setup: func(t *testing.T, root, _ string) { writeFile(t, root, "big", make([]byte, 11)) }, open: "big", max: 10, is: ErrTooLarge, message: `"big" is 11 bytes, more than the 10`},
		{name: "missing", open: "nope.bin", max: -1, is: fs.ErrNotExist},
		{name: "dangling symlink", setup: func(t *testing.T, root, _ string) { symlink(t, "gone", root, "w.bin") }, open: "w.bin", max: -1, is: fs.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root, outside := t.TempDir(), t.TempDir()
			if tc.setup != nil {
				tc.setup(t, root, outside)
			}
			f, size, err := OpenModelFile(root, tc.open, tc.max)
			if tc.is != nil {
				require.Error(t, err)
				assert.Nil(t, f)
				assert.ErrorIs(t, err, tc.is)
				assert.Contains(t, err.Error(), tc.message)
				return
			}
			require.NoError(t, err)
			defer f.Close()
			got, err := io.ReadAll(f)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
			assert.Equal(t, int64(len(tc.want)), size)
		})
	}
}

// tinyTFJS writes a TF.js model.json in dir with one Const "w" of four
// float32 values stored in the shards paths name, and returns its path.
func tinyTFJS(t testing.TB, dir string, paths ...string) string {
	t.Helper()
	f := &tfjsFixture{json: map[string]any{
		"format": "graph-model",
		"modelTopology": topologyJSON(t, graphOf(tfjsConst("w", tensor.Float32, 4),
			&tfpb.NodeDef{Name: "y", Op: "Neg", Input: []string{"w"}})),
		"weightsManifest": []any{map[string]any{
			"paths":   paths,
			"weights": []any{map[string]any{"name": "w", "shape": []int{4}, "dtype": "float32"}},
		}},
	}}
	return writeFile(t, dir, "model.json", f.bytes(t))
}

// The 16 bytes of tinyTFJS's weight: 1, 2, 3, 4.
var tinyWeights = f32bytes(1, 2, 3, 4)

// unsafeModelCases are models whose files break OpenModelFile's rules,
// for every kind of file a loader opens on a model's say-so. Each setup
// writes the model under root (a temp dir; outside is another) and
// returns the path to Load.
var unsafeModelCases = []struct {
	name    string
	setup   func(t testing.TB, root, outside string) string
	is      error
	message string
}{
	{name: "TF.js shard climbs out", setup: func(t testing.TB, root, outside string) string {
		writeFile(t, outside, "secret.bin", tinyWeights)
		rel, err := filepath.Rel(root, filepath.Join(outside, "secret.bin"))
		require.NoError(t, err)
		return tinyTFJS(t, root, filepath.ToSlash(rel))
	}, is: ErrUnsafePath, message: "is not a relative path inside the model directory"},
	{name: "TF.js shard absolute", setup: func(t testing.TB, root, outside string) string {
		return tinyTFJS(t, root, filepath.ToSlash(writeFile(t, outside, "secret.bin", tinyWeights)))
	}, is: ErrUnsafePath, message: "is not a relative path"},
	{name: "TF.js shard symlinked out", setup: func(t testing.TB, root, outside string) string {
		symlink(t, writeFile(t, outside, "secret.bin", tinyWeights), root, "w.bin")
		return tinyTFJS(t, root, "w.bin")
	}, is: ErrUnsafePath, message: `"w.bin" leads to`},
	{name: "TF.js shard is the zero device", setup: func(t testing.TB, root, _ string) string {
		symlink(t, "/dev/zero", root, "w.bin")
		return tinyTFJS(t, root, "w.bin")
	}, is: ErrUnsafePath, message: "outside the model directory"},
	{name: "TF.js shard names the zero device", setup: func(t testing.TB, root, _ string) string {
		return tinyTFJS(t, root, "../../../../../../../../dev/zero")
	}, is: ErrUnsafePath, message: "not a relative path"},
	{name: "TF.js shard is a FIFO", setup: func(t testing.TB, root, _ string) string {
		mkfifo(t, root, "w.bin")
		return tinyTFJS(t, root, "w.bin")
	}, is: ErrUnsafePath, message: `bad TF.js weights: weight group 1: unsafe file in model: "w.bin" is a FIFO, not a regular file`},
	{name: "TF.js shard is a directory", setup: func(t testing.TB, root, _ string) string {
		require.NoError(t, os.Mkdir(filepath.Join(root, "w.bin"), 0o755))
		return tinyTFJS(t, root, "w.bin")
	}, is: ErrUnsafePath, message: `"w.bin" is a directory`},
	{name: "TF.js shard longer than its weights", setup: func(t testing.TB, root, _ string) string {
		writeFile(t, root, "w.bin", append(tinyWeights, 0, 0, 0, 0))
		return tinyTFJS(t, root, "w.bin")
	}, is: ErrTooLarge, message: `weight group 1: model file too large: its shards hold 20 bytes but its weights use 16; the last 4 (shard "w.bin") belong to no weight`},
	{name: "TF.js extra shard", setup: func(t testing.TB, root, _ string) string {
		writeFile(t, root, "w.bin", tinyWeights)
		writeFile(t, root, "w2.bin", []byte{1})
		return tinyTFJS(t, root, "w.bin", "w2.bin")
	}, is: ErrTooLarge, message: `the last 1 (shard "w2.bin") belong to no weight`},
	{name: "model JSON in a folder is a FIFO", setup: func(t testing.TB, root, _ string) string {
		mkfifo(t, root, "face.json")
		return root
	}, is: ErrUnsafePath, message: `"face.json" is a FIFO`},
	{name: "model.json symlinked out", setup: func(t testing.TB, root, outside string) string {
		symlink(t, tinyTFJS(t, outside, "w.bin"), root, "model.json")
		return root
	}, is: ErrUnsafePath, message: `"model.json" leads to`},
	{name: "saved_model.pb is a FIFO", setup: func(t testing.TB, root, _ string) string {
		mkfifo(t, root, "saved_model.pb")
		return root
	}, is: ErrUnsafePath, message: `"saved_model.pb" is a FIFO`},
	{name: "model file named is a FIFO", setup: func(t testing.TB, root, _ string) string {
		return mkfifo(t, root, "frozen.pb")
	}, is: ErrUnsafePath, message: `unsafe file in model: "frozen.pb" is a FIFO`},
	{name: "model file named is the zero device", setup: func(t testing.TB, _, _ string) string {
		return "/dev/zero"
	}, is: ErrUnsafePath, message: `load /dev/zero: unsafe file in model: "zero" is a character device, not a regular file`},
	{name: "SavedModel variables symlinked out", setup: func(t testing.TB, root, outside string) string {
		writeFile(t, outside, "variables.index", []byte("idx"))
		symlink(t, outside, root, "variables")
		writeFile(t, root, "saved_model.pb", marshal(t, savedModel(t, []string{"serve"})))
		return root
	}, is: ErrUnsafePath, message: "variables.index\" leads to"},
	{name: "SavedModel data shard is a FIFO", setup: func(t testing.TB, root, _ string) string {
		writeFile(t, root, "variables/variables.index", []byte("idx"))
		mkfifo(t, root, "variables/variables.data-00000-of-00001")
		writeFile(t, root, "saved_model.pb", marshal(t, savedModel(t, []string{"serve"})))
		return root
	}, is: ErrUnsafePath, message: "variables.data-00000-of-00001\" is a FIFO"},
	{name: "SavedModel asset climbs out", setup: func(t testing.TB, root, _ string) string {
		sm := savedModel(t, []string{"serve"})
		sm.MetaGraphs[0].AssetFileDef = []*tfpb.AssetFileDef{{Filename: "../../etc/passwd"}}
		writeFile(t, root, "saved_model.pb", marshal(t, sm))
		return root
	}, is: ErrUnsafePath, message: `asset "../../etc/passwd": unsafe file in model: not a relative path inside assets/`},
	{name: "SavedModel asset is the zero device", setup: func(t testing.TB, root, _ string) string {
		sm := savedModel(t, []string{"serve"})
		sm.MetaGraphs[0].AssetFileDef = []*tfpb.AssetFileDef{{Filename: "vocab.txt"}}
		symlink(t, "/dev/zero", root, "assets/vocab.txt")
		writeFile(t, root, "saved_model.pb", marshal(t, sm))
		return root
	}, is: ErrUnsafePath, message: "outside the model directory"},
	{name: ".meta checkpoint index symlinked out", setup: func(t testing.TB, root, outside string) string {
		symlink(t, writeFile(t, outside, "x.index", []byte("idx")), root, "model.index")
		return writeFile(t, root, "model.meta", marshal(t, &tfpb.MetaGraphDef{GraphDef: smallGraph(t)}))
	}, is: ErrUnsafePath, message: "model.index\" leads to"},
}

func TestLoadRefusesUnsafeFiles(t *testing.T) {
	for _, tc := range unsafeModelCases {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.setup(t, t.TempDir(), t.TempDir())
			m, err := Load(path)
			require.Error(t, err)
			assert.Nil(t, m)
			assertLoadError(t, err, tc.is, tc.message)
		})
	}
}

// The same models with their files where they belong load, so the cases
// above fail for the reason they name.
func TestLoadSafeCounterparts(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "shards/w.bin", tinyWeights)
	symlink(t, "shards/w.bin", root, "link.bin")
	m, err := Load(tinyTFJS(t, root, "link.bin"))
	require.NoError(t, err)
	assert.Equal(t, []float32{1, 2, 3, 4}, constValue(t, m.Graph, "w").Data())
	assert.Equal(t, root, m.Dir)

	// A model folder reached through a symbolic link is fine: containment
	// is checked after both sides are resolved.
	other := t.TempDir()
	symlink(t, root, other, "model")
	_, err = Load(filepath.Join(other, "model", "model.json"))
	require.NoError(t, err)

	sm := t.TempDir()
	s := savedModel(t, []string{"serve"})
	s.MetaGraphs[0].AssetFileDef = []*tfpb.AssetFileDef{{Filename: "vocab.txt"}, {Filename: "missing.txt"}}
	writeFile(t, sm, "saved_model.pb", marshal(t, s))
	writeFile(t, sm, "assets/vocab.txt", []byte("a\nb\n"))
	writeFile(t, sm, "variables/variables.index", []byte("idx"))
	writeFile(t, sm, "variables/variables.data-00000-of-00001", make([]byte, 7))
	m, err = Load(sm)
	require.NoError(t, err, "a missing asset is left to the initializer that reads it")
	assert.Equal(t, filepath.Join(sm, "variables", "variables"), m.CheckpointPrefix)
	assert.Equal(t, sm, m.Dir)
}

func TestLoadTooLargeJSON(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model.json")
	f, err := os.Create(p)
	require.NoError(t, err)
	// A sparse file: no disk used, but larger than a model.json may be.
	require.NoError(t, f.Truncate(maxJSONFileBytes+1))
	require.NoError(t, f.Close())
	for _, path := range []string{p, dir} {
		_, err := Load(path)
		require.Error(t, err)
		assert.True(t, errors.Is(err, ErrTooLarge), err)
		assert.Contains(t, err.Error(), "model.json\" is 268435457 bytes, more than the 268435456")
	}
}
