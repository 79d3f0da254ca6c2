// Package tfops reads the TensorFlow op conformance corpus in
// ../shared/models/tfops: small frozen graphs, each with the inputs it was
// fed and the outputs TensorFlow computed. Tests run each case through an
// executor and compare with TensorFlow's numbers.
//
// # Layout of a case
//
// A case is a folder holding frozen_model.pb; optional "dtypes" lines
// "<tensor>.<output> <dtype>"; inputs "<name>.placeholder.csv" with a
// ".shape" file; expected outputs "<node>[.<output>].prediction.csv" with a
// ".shape" file. In file names "____" stands for "/", and some cases keep
// node paths as sub-folders instead. A CSV holds one value per line in
// row-major order; a shape file one dimension per line. A scalar has an
// empty shape file, or a single "0" line with exactly one value.
package tfops

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// Case is one corpus graph with its inputs and TensorFlow's outputs.
type Case struct {
	Name     string // path relative to the corpus root, e.g. "reductions/add_n"
	Dir      string
	Graph    *tfpb.GraphDef
	Feeds    map[string]*tensor.Tensor
	Expected []Expected
}

// Expected is one output TensorFlow computed.
type Expected struct {
	Tensor string       // "node:output"
	DType  tensor.DType // from the dtypes file; Invalid when it is silent
	Shape  tensor.Shape
	Values []string // CSV fields, row-major
}

// Find returns the names of all cases under root, sorted.
func Find(root string) ([]string, error) {
	var names []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() == "frozen_model.pb" {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(names)
	return names, err
}

// Load reads one case.
func Load(root, name string) (*Case, error) {
	dir := filepath.Join(root, filepath.FromSlash(name))
	b, err := os.ReadFile(filepath.Join(dir, "frozen_model.pb"))
	if err != nil {
		return nil, err
	}
	g := &tfpb.GraphDef{}
	if err := proto.Unmarshal(b, g); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ix, err := graph.NewIndex(g)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	dtypes, err := readDTypes(filepath.Join(dir, "dtypes"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &Case{Name: name, Dir: dir, Graph: g, Feeds: map[string]*tensor.Tensor{}}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = strings.ReplaceAll(filepath.ToSlash(rel), "____", "/")
		switch {
		case strings.HasSuffix(rel, ".placeholder.csv"):
			node := strings.TrimSuffix(rel, ".placeholder.csv")
			n := ix.Node(node)
			if n == nil {
				return fmt.Errorf("input file %s names no node", rel)
			}
			dt, err := graph.AttrsOf(n).Type("dtype", tensor.Float32)
			if err != nil {
				return err
			}
			shape, vals, err := readValues(strings.TrimSuffix(p, ".csv"))
			if err != nil {
				return err
			}
			t, err := Parse(dt, shape, vals)
			if err != nil {
				return fmt.Errorf("input %s: %w", node, err)
			}
			c.Feeds[node] = t
		case strings.HasSuffix(rel, ".prediction.csv"):
			tname, ok := resolve(ix, strings.TrimSuffix(rel, ".prediction.csv"))
			if !ok {
				return fmt.Errorf("expected-output file %s names no tensor", rel)
			}
			shape, vals, err := readValues(strings.TrimSuffix(p, ".csv"))
			if err != nil {
				return err
			}
			c.Expected = append(c.Expected, Expected{Tensor: tname, DType: dtypes[tname], Shape: shape, Values: vals})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	slices.SortFunc(c.Expected, func(a, b Expected) int { return strings.Compare(a.Tensor, b.Tensor) })
	return c, nil
}

var outputSuffix = regexp.MustCompile(`^(.*)\.(\d+)$`)

// resolve maps a file's node path to a tensor name: the node's output 0,
// or output N when the path ends in ".N" and names no node as a whole.
func resolve(ix *graph.Index, s string) (string, bool) {
	if ix.Node(s) != nil {
		return s + ":0", true
	}
	if m := outputSuffix.FindStringSubmatch(s); m != nil && ix.Node(m[1]) != nil {
		return m[1] + ":" + m[2], true
	}
	return "", false
}

// readDTypes reads "name.N dtype" lines, keyed "name:N".
func readDTypes(path string) (map[string]tensor.DType, error) {
	out := map[string]tensor.DType{}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		m := outputSuffix.FindStringSubmatch(strings.ReplaceAll(fields[0], "____", "/"))
		if m == nil {
			continue
		}
		dt, err := tensor.ParseDType(fields[1])
		if err != nil {
			continue // e.g. "resource": not an output we compare
		}
		out[m[1]+":"+m[2]] = dt
	}
	return out, sc.Err()
}

// readValues reads base+".shape" and base+".csv".
func readValues(base string) (tensor.Shape, []string, error) {
	shapeText, err := os.ReadFile(base + ".shape")
	if err != nil {
		return nil, nil, err
	}
	csvText, err := os.ReadFile(base + ".csv")
	if err != nil {
		return nil, nil, err
	}
	shape := tensor.Shape{}
	for _, line := range strings.Fields(string(shapeText)) {
		d, err := strconv.Atoi(line)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.shape: bad dimension %q", base, line)
		}
		shape = append(shape, d)
	}
	var vals []string
	for _, line := range strings.Split(string(csvText), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			vals = append(vals, line)
		}
	}
	if len(shape) == 1 && shape[0] == 0 && len(vals) == 1 {
		shape = tensor.Shape{} // the corpus writes some scalars as shape "0"
	}
	if shape.NumElements() != len(vals) {
		return nil, nil, fmt.Errorf("%s: shape %v but %d values", base, shape, len(vals))
	}
	return shape, vals, nil
}

// Parse builds a tensor of dtype dt from CSV fields.
func Parse(dt tensor.DType, shape tensor.Shape, vals []string) (*tensor.Tensor, error) {
	switch {
	case dt == tensor.String:
		return tensor.FromSlice(shape, slices.Clone(vals))
	case dt == tensor.Bool:
		b := make([]bool, len(vals))
		for i, v := range vals {
			switch strings.ToLower(v) {
			case "true":
				b[i] = true
			case "false":
			default: // some cases write bools as numbers: "1.00000000"
				f, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return nil, fmt.Errorf("bad bool %q", v)
				}
				b[i] = f != 0
			}
		}
		return tensor.FromSlice(shape, b)
	case dt == tensor.Int64 || dt == tensor.Uint64:
		// Parse exactly: float64 cannot hold every 64-bit integer.
		if dt == tensor.Uint64 {
			u := make([]uint64, len(vals))
			for i, v := range vals {
				x, err := strconv.ParseUint(v, 10, 64)
				if err != nil {
					f, ferr := strconv.ParseFloat(v, 64)
					if ferr != nil {
						return nil, fmt.Errorf("bad uint64 %q", v)
					}
					x = uint64(f)
				}
				u[i] = x
			}
			return tensor.FromSlice(shape, u)
		}
		n := make([]int64, len(vals))
		for i, v := range vals {
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				f, ferr := strconv.ParseFloat(v, 64)
				if ferr != nil {
					return nil, fmt.Errorf("bad int64 %q", v)
				}
				x = int64(f)
			}
			n[i] = x
		}
		return tensor.FromSlice(shape, n)
	}
	f := make([]float64, len(vals))
	for i, v := range vals {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, fmt.Errorf("bad number %q", v)
		}
		f[i] = x
	}
	if dt.IsComplex() {
		c := make([]complex128, len(f))
		for i, x := range f {
			c[i] = complex(x, 0)
		}
		if dt == tensor.Complex64 {
			c64 := make([]complex64, len(c))
			for i, x := range c {
				c64[i] = complex64(x)
			}
			return tensor.FromSlice(shape, c64)
		}
		return tensor.FromSlice(shape, c)
	}
	return tensor.FromFloat64s(dt, shape, f)
}

// Tolerance is the comparison bound for a dtype: float32 and complex
// rtol 1e-4/atol 1e-5, half and bfloat16 rtol 1e-2/atol 1e-3, exact
// otherwise, and float64 as tight as the corpus's printing allows: it
// writes inputs and outputs with 8 decimals, so every value is off by up
// to 5e-9, and an input's rounding reaches the output through the
// graph's conditioning. On the executor the worst float64 case is g_04
// (Tan near its pole: relative error 1.9e-6 where tan' = 1 + tan² turns
// the inputs' 5e-9 into up to 2.5e-6); every other stays within 1.6e-9
// relative or 1.9e-8 absolute. Hence rtol 5e-6/atol 1e-8.
func Tolerance(dt tensor.DType) tensor.Tolerance {
	switch dt {
	case tensor.Float64:
		return tensor.Tolerance{RTol: 5e-6, ATol: 1e-8}
	case tensor.Float32, tensor.Complex64, tensor.Complex128:
		return tensor.Tolerance{RTol: 1e-4, ATol: 1e-5}
	case tensor.Float16, tensor.BFloat16:
		return tensor.Tolerance{RTol: 1e-2, ATol: 1e-3}
	}
	return tensor.Tolerance{}
}

// Fetches returns the tensors a case expects, in Expected order.
func (c *Case) Fetches() []string {
	out := make([]string, len(c.Expected))
	for i, e := range c.Expected {
		out[i] = e.Tensor
	}
	return out
}

// Check compares outputs (in Fetches order) with TensorFlow's values.
func (c *Case) Check(got []*tensor.Tensor) error {
	if len(got) != len(c.Expected) {
		return fmt.Errorf("got %d outputs, want %d", len(got), len(c.Expected))
	}
	var errs []error
	for i, e := range c.Expected {
		g := got[i]
		dt := e.DType
		if dt == tensor.Invalid {
			dt = g.DType()
		}
		if g.DType() != dt {
			errs = append(errs, fmt.Errorf("%s: dtype %v, TensorFlow gave %v", e.Tensor, g.DType(), dt))
			continue
		}
		want, err := Parse(dt, e.Shape, e.Values)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: expected values: %w", e.Tensor, err))
			continue
		}
		if err := tensor.Compare(g, want, Tolerance(dt)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", e.Tensor, err))
		}
	}
	return errors.Join(errs...)
}

// Each calls fn for every name on GOMAXPROCS goroutines and returns the
// results in the order of names.
func Each[T any](names []string, fn func(name string) T) []T {
	out := make([]T, len(names))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = fn(names[i])
			}
		}()
	}
	for i := range names {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}
