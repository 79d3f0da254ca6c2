package tfexec

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

var updateFuzz = flag.Bool("update-fuzz", false, "rewrite testdata/fuzz/FuzzFunctionLibrary from the test graphs")

// functionalFuzzSeeds are the graphs of functional_test.go, serialized,
// each with a value for its placeholders.
func functionalFuzzSeeds() [][]any {
	var seeds [][]any
	for _, g := range []*tfpb.GraphDef{ifGraph(tensor.Int32), whileSum("While"), factorialLoop(6, tensor.Int64),
		caseGraph("StatelessCase"), nestedCalls(), recursiveFactorial()} {
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(g)
		if err != nil {
			panic(err)
		}
		seeds = append(seeds, []any{b, "5"})
	}
	return seeds
}

func TestFunctionalFuzzSeeds(t *testing.T) {
	testutil.CheckFuzzCorpus(t, filepath.Join("testdata", "fuzz", "FuzzFunctionLibrary"), functionalFuzzSeeds(), *updateFuzz,
		"go test ./tfexec -run TestFunctionalFuzzSeeds -update-fuzz")
}

// fuzzScalar is value as a scalar of dt (zero for dtypes it does not
// spell), to feed a placeholder.
func fuzzScalar(dt tensor.DType, value string) *tensor.Tensor {
	var n int64
	for _, c := range value {
		n = (n*10 + int64(c-'0')%10) % 100
	}
	switch dt {
	case tensor.Int32:
		return tensor.Scalar(int32(n))
	case tensor.Int64:
		return tensor.Scalar(n)
	case tensor.Float32:
		return tensor.Scalar(float32(n))
	case tensor.Float64:
		return tensor.Scalar(float64(n))
	case tensor.Bool:
		return tensor.Scalar(n%2 == 1)
	case tensor.String:
		return tensor.Scalar(value)
	}
	t, err := tensor.New(dt, tensor.Shape{})
	if err != nil {
		return tensor.Scalar(int32(n))
	}
	return t
}

// FuzzFunctionLibrary runs mutated graphs that call functions of their
// library (If, While, Case, nested and recursive calls), fetching every
// functional node: the executor must not panic or hang, and two runs
// that succeed must agree.
// Its seeds are the committed corpus (TestFunctionalFuzzSeeds).
func FuzzFunctionLibrary(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, value string) {
		var g tfpb.GraphDef
		if proto.Unmarshal(data, &g) != nil {
			return
		}
		e, err := New(&g)
		if err != nil {
			return
		}
		feeds := map[string]*tensor.Tensor{}
		var fetches []string
		for _, n := range g.GetNode() {
			switch {
			case n.GetOp() == "Placeholder":
				dt, _ := graph.AttrsOf(n).Type("dtype", tensor.Int32)
				feeds[n.GetName()] = fuzzScalar(dt, value)
			case graph.FunctionalKind(n.GetOp()) != "":
				fetches = append(fetches, n.GetName())
			}
		}
		if len(fetches) == 0 {
			return
		}
		run := func() ([]*tensor.Tensor, error) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			out, err := e.Run(ctx, feeds, fetches)
			if d := time.Since(start); d > 10*time.Second {
				t.Fatalf("run took %v after a 1s deadline", d)
			}
			if err != nil && strings.Contains(err.Error(), "panicked") {
				t.Fatalf("panic: %v", err)
			}
			if errors.Is(err, context.DeadlineExceeded) {
				return nil, nil
			}
			return out, err
		}
		first, err1 := run()
		second, err2 := run()
		if err1 != nil || err2 != nil || first == nil || second == nil {
			return
		}
		for i := range first {
			if err := tensor.Compare(second[i], first[i], tensor.Tolerance{}); err != nil {
				t.Fatalf("%s differs between runs: %v", fetches[i], err)
			}
		}
	})
}
