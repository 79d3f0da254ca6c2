//go:build unix

package graph

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/tfoffload/tfoffload/internal/tfpb"
)

// The targets here load from a directory, as Load does in real use, so
// they reach OpenModelFile and the directory's special files. Each fuzz
// worker plants, once, neighbours a mutated model may name: a FIFO,
// symbolic links out of the folder and to the zero device, a directory.

// plantNeighbours creates dir/<sub>{pipe,escape,zero,sub/}.
func plantNeighbours(f *testing.F, dir, sub string) {
	mkfifo(f, dir, filepath.Join(sub, "pipe"))
	symlink(f, "/etc/passwd", dir, filepath.Join(sub, "escape"))
	symlink(f, "/dev/zero", dir, filepath.Join(sub, "zero"))
	writeFile(f, dir, filepath.Join(sub, "sub", "f.bin"), []byte{1, 2, 3, 4})
}

// checkLoadResult checks what every Load must guarantee: an error is one
// *LoadError wrapping a sentinel; a model is self-consistent.
func checkLoadResult(t *testing.T, m *Model, err error) {
	if err != nil {
		var le *LoadError
		if !errors.As(err, &le) || !wrapsSentinel(err) && !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("error is not a LoadError wrapping a sentinel: %v", err)
		}
		return
	}
	checkModel(t, m)
}

// FuzzLoadGraphDefText loads mutated protobuf text (GraphDef, SavedModel,
// MetaGraphDef) from a .pbtxt file.
func FuzzLoadGraphDefText(f *testing.F) {
	text, err := prototext.Marshal(tf1Loop())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(text)
	f.Add([]byte("node { name: \"a\" op: \"Const\" attr { key: \"value\" value { tensor { dtype: DT_FLOAT tensor_shape { dim { size: 2 } } float_val: 1 } } } }"))
	dir := f.TempDir()
	path := filepath.Join(dir, "m.pbtxt")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(path)
		checkLoadResult(t, m, err)
	})
}

// FuzzLoadSavedModel loads a mutated saved_model.pb (or .pbtxt when text
// is set) from a directory holding variables/ and assets/, with special
// files among the assets.
func FuzzLoadSavedModel(f *testing.F) {
	dir := f.TempDir()
	writeFile(f, dir, "variables/variables.index", []byte("index"))
	writeFile(f, dir, "variables/variables.data-00000-of-00001", make([]byte, 64))
	writeFile(f, dir, "assets/vocab.txt", []byte("a\nb\n"))
	plantNeighbours(f, dir, "assets")
	f.Fuzz(func(t *testing.T, data []byte, text bool) {
		name, other := savedModelPB, savedModelPBTxt
		if text {
			name, other = other, name
		}
		if err := os.Remove(filepath.Join(dir, other)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		m, err := Load(dir)
		checkLoadResult(t, m, err)
		if err == nil && m.Format == FormatSavedModel && m.CheckpointPrefix != filepath.Join(dir, "variables", "variables") {
			t.Fatalf("checkpoint prefix %q", m.CheckpointPrefix)
		}
	})
}

// FuzzLoadTFJS loads a mutated model.json and shard (fused ops and their
// fused_ops lists among the seeds) from a directory. Whatever loads has
// a value in every Const: a weight the manifest lacks never becomes
// zeros.
func FuzzLoadTFJS(f *testing.F) {
	dir := f.TempDir()
	plantNeighbours(f, dir, "")
	f.Fuzz(func(t *testing.T, modelJSON, shard []byte) {
		writeFile(t, dir, tfjsModelJSON, modelJSON)
		writeFile(t, dir, "group1-shard1of1.bin", shard)
		m, err := Load(filepath.Join(dir, tfjsModelJSON))
		checkLoadResult(t, m, err)
		if err != nil {
			return
		}
		eachNode(m.Graph, m.Initializer, func(n *tfpb.NodeDef) {
			if isConstOp(n.GetOp()) && !holdsValues(n.GetAttr()["value"].GetTensor()) {
				t.Fatalf("Const %q loaded without a value", n.GetName())
			}
		})
	})
}
