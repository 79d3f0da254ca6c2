// Package kerneltest runs single kernels in unit tests and benchmarks,
// without building a graph: it prepares the kernel of a NodeDef from the
// registry and calls it. It also runs the op corpus (RunCorpus) and
// reference files of outputs another implementation computed
// (RunReferences; CheckGenerator reruns the TensorFlow.js program that
// wrote one and compares its output with the committed file).
package kerneltest

import (
	"context"
	"fmt"
	"testing"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// Call prepares def's kernel and runs it once on inputs. def's inputs are
// filled with placeholders ("in0", "in1", ...) when it has none, so the
// node's input count matches.
func Call(def *tfpb.NodeDef, inputs ...*tensor.Tensor) ([]*tensor.Tensor, error) {
	k, ctx, err := prepare(def, len(inputs))
	if err != nil {
		return nil, err
	}
	return k(ctx, inputs)
}

// Run is Call that fails the test on error.
func Run(t testing.TB, def *tfpb.NodeDef, inputs ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	out, err := Call(def, inputs...)
	if err != nil {
		t.Fatalf("%s %q: %v", def.GetOp(), def.GetName(), err)
	}
	return out
}

// Bench prepares def's kernel once, as the executor does, and times its
// runs on inputs, reporting allocations.
func Bench(b *testing.B, def *tfpb.NodeDef, inputs ...*tensor.Tensor) {
	b.Helper()
	k, ctx, err := prepare(def, len(inputs))
	if err != nil {
		b.Fatalf("%s %q: %v", def.GetOp(), def.GetName(), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k(ctx, inputs); err != nil {
			b.Fatal(err)
		}
	}
}

// prepare builds def's kernel from the registry, first giving def
// numInputs placeholder inputs when it has none.
func prepare(def *tfpb.NodeDef, numInputs int) (kernel.Kernel, *kernel.Context, error) {
	if len(def.Input) == 0 {
		for i := range numInputs {
			def.Input = append(def.Input, fmt.Sprintf("in%d", i))
		}
	}
	f, ok := kernel.Lookup(def.GetOp())
	if !ok {
		return nil, nil, fmt.Errorf("no kernel registered for %s", def.GetOp())
	}
	node := kernel.NewNode(def)
	k, err := f(node)
	if err != nil {
		return nil, nil, err
	}
	return k, &kernel.Context{Context: context.Background(), Node: node}, nil
}
