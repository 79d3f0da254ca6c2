package linalg

import (
	"errors"
	"flag"
	"path/filepath"
	"testing"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel/kerneltest"
)

var update = flag.Bool("update", false, "rewrite testdata/fuzz/FuzzEinsum")

// einsumSeeds are equations and operand shapes, each dimension a byte
// (the shapes of a and b, 0xff ending a's), valid and not.
func einsumSeeds() [][]any {
	return [][]any{
		{"ij,jk->ik", []byte{2, 3, 0xff, 3, 4}},
		{"bhqd,bhkd->bhqk", []byte{1, 2, 3, 4, 0xff, 1, 2, 5, 4}},
		{"...ij,...jk->...ik", []byte{2, 3, 4, 5, 0xff, 3, 5, 2}},
		{"...i,...i->...", []byte{4, 1, 3, 0xff, 5, 3}},
		{"ii->i", []byte{4, 4}},
		{"i...->...i", []byte{3, 2, 4}},
		{"...i->i", []byte{2, 3}},
		{"ij,jk", []byte{2, 3, 0xff, 3, 4}},
		{"ij->ii", []byte{2, 3}},
		{"a.b->a", []byte{2, 3}},
	}
}

// FuzzEinsum parses an equation, the attribute a model carries, and runs
// Einsum on operands of the given shapes: it returns a result or an
// error (ErrEinsumEquation for the equation's faults), never panics, and
// its output has the size its shape says.
func FuzzEinsum(f *testing.F) {
	for _, s := range einsumSeeds() {
		f.Add(s[0].(string), s[1].([]byte))
	}
	f.Fuzz(func(t *testing.T, eq string, dims []byte) {
		var shapes [2]tensor.Shape
		k := 0
		for _, d := range dims {
			if d == 0xff {
				k++
				if k > 1 {
					break
				}
				continue
			}
			shapes[k] = append(shapes[k], int(d%6))
		}
		if len(shapes[0]) > 6 || len(shapes[1]) > 6 {
			return
		}
		var in []*tensor.Tensor
		for i := 0; i <= k && i < 2; i++ {
			in = append(in, tensor.MustNew(tensor.Float32, append(tensor.Shape{}, shapes[i]...)))
		}
		out, err := kerneltest.Call(graph.NewNode("n", "Einsum", nil, map[string]any{"T": tensor.Float32, "N": len(in), "equation": eq}), in...)
		if err != nil {
			if _, perr := ParseEinsum(eq); perr != nil && !errors.Is(err, ErrEinsumEquation) {
				t.Fatalf("equation %q: %v does not wrap ErrEinsumEquation", eq, err)
			}
			return
		}
		if out[0].NumElements() != out[0].Shape().NumElements() {
			t.Fatalf("output of shape %v holds %d elements", out[0].Shape(), out[0].NumElements())
		}
	})
}

// TestFuzzSeedCorpus checks the committed seed corpus, and rewrites it
// with -update.
func TestFuzzSeedCorpus(t *testing.T) {
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzEinsum"), einsumSeeds(), *update,
		"go test ./tfexec/kernels/linalg -run TestFuzzSeedCorpus -update")
}
