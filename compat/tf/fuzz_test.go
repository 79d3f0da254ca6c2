package tensorflow

import (
	"bytes"
	"errors"
	"flag"
	"path/filepath"
	"testing"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

var updateFuzz = flag.Bool("update", false, "rewrite the fuzz seed corpora in testdata/fuzz")

// importSeeds are FuzzImport's seeds: a small graph of Const,
// Placeholder, AddV2 and Reshape, with and without a prefix, and a
// one-node GraphDef.
func importSeeds(t testing.TB) [][]any {
	g := NewGraph()
	x, _ := NewTensor([][]float32{{1, 2}})
	c, _ := g.AddOperation(OpSpec{Type: "Const", Name: "c", Attrs: map[string]any{"dtype": Float, "value": x}})
	p, _ := g.AddOperation(OpSpec{Type: "Placeholder", Name: "p", Attrs: map[string]any{"dtype": Float, "shape": MakeShape(-1, 2)}})
	s, _ := g.AddOperation(OpSpec{Type: "AddV2", Name: "s", Input: []Input{c.Output(0), p.Output(0)}})
	dims, _ := NewTensor([]int32{2, 1})
	d, _ := g.AddOperation(OpSpec{Type: "Const", Name: "d", Attrs: map[string]any{"dtype": Int32, "value": dims}})
	if _, err := g.AddOperation(OpSpec{Type: "Reshape", Name: "r", Input: []Input{s.Output(0), d.Output(0)}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return [][]any{{buf.Bytes(), ""}, {buf.Bytes(), "prefix"}, {[]byte{0x0a, 0x03, 0x0a, 0x01, 0x78}, ""}}
}

// readTensorSeeds are FuzzReadTensor's seeds: float, bool, string and
// half tensors, a negative dimension.
func readTensorSeeds() [][]any {
	return [][]any{
		{byte(Float), int64(2), int64(2), make([]byte, 16)},
		{byte(Bool), int64(3), int64(1), []byte{0, 1, 2}},
		{byte(String), int64(1), int64(1), []byte("s")},
		{byte(Half), int64(-1), int64(4), []byte{}},
	}
}

// TestFuzzSeedCorpora: the committed seed corpora are the seeds above
// (go test ./compat/tf -run TestFuzzSeedCorpora -update rewrites them).
func TestFuzzSeedCorpora(t *testing.T) {
	hint := "go test ./compat/tf -run TestFuzzSeedCorpora -update"
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzImport"), importSeeds(t), *updateFuzz, hint)
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzReadTensor"), readTensorSeeds(), *updateFuzz, hint)
}

// FuzzImport: any bytes given to Graph.Import either fail with an error
// or give a graph whose operations, dtypes, shapes and consumers can be
// asked for without a panic.
func FuzzImport(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzImport (importSeeds, and inputs that
	// once failed).
	f.Fuzz(func(t *testing.T, def []byte, prefix string) {
		g := NewGraph()
		if err := g.Import(def, prefix); err != nil {
			return
		}
		for _, op := range g.Operations() {
			_ = op.Type()
			_ = op.NumInputs()
			for i := range op.NumOutputs() {
				out := op.Output(i)
				_ = out.DataType()
				_ = out.Shape().String()
				for _, c := range out.Consumers() {
					_ = c.Producer()
				}
			}
		}
		var w bytes.Buffer
		if _, err := g.WriteTo(&w); err != nil {
			t.Fatalf("an imported graph does not serialize: %v", err)
		}
	})
}

// FuzzReadTensor: ReadTensor of any bytes with any small shape either
// fails or gives a tensor that writes back the same bytes.
func FuzzReadTensor(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzReadTensor (readTensorSeeds).
	f.Fuzz(func(t *testing.T, dt byte, d0, d1 int64, data []byte) {
		if d0 > 64 || d1 > 64 {
			return
		}
		x, err := ReadTensor(DataType(dt), []int64{d0, d1}, bytes.NewReader(data))
		if err != nil {
			return
		}
		var w bytes.Buffer
		n, err := x.WriteContentsTo(&w)
		if err != nil {
			t.Fatalf("a tensor ReadTensor made does not write: %v", err)
		}
		if DataType(dt) != Bool && !bytes.Equal(w.Bytes(), data[:n]) {
			t.Fatalf("round trip changed the bytes")
		}
	})
}

// FuzzSessionConfig: any SessionOptions.Config bytes either make a
// session or are refused with ErrInvalidConfig; a session that takes
// them never asks for a non-positive intra-op pool.
func FuzzSessionConfig(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzSessionConfig (a marshalled ConfigProto,
	// hand-written wire bytes, a truncated message).
	g := NewGraph()
	f.Fuzz(func(t *testing.T, config []byte) {
		s, err := NewSession(g, &SessionOptions{Config: config})
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error without ErrInvalidConfig: %v", err)
			}
			return
		}
		if s.engine != nil && s.engine.IntraOpThreads <= 0 {
			t.Fatalf("intra-op threads %d from %x", s.engine.IntraOpThreads, config)
		}
	})
}
