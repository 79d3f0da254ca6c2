package lookup_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
	"github.com/tfoffload/tfoffload/tfexec"
	"github.com/tfoffload/tfoffload/tfexec/kernel"
)

// tableGraph is a graph with one HashTableV2 "table" from kt to vt, a
// placeholder "keys" and a LookupTableFindV2 "find" of them with default
// def, and a LookupTableSizeV2 "size"; init adds the table's
// initialisers.
func tableGraph(kt, vt tensor.DType, def *tensor.Tensor, init func(b *graph.Builder)) *graph.Builder {
	var b graph.Builder
	b.Add("table", "HashTableV2", nil, map[string]any{"key_dtype": kt, "value_dtype": vt, "shared_name": "t"})
	b.Placeholder("keys", kt, nil)
	b.Const("default", def)
	b.Add("find", "LookupTableFindV2", []string{"table", "keys", "default"}, map[string]any{"Tin": kt, "Tout": vt})
	b.Add("size", "LookupTableSizeV2", []string{"table"}, nil)
	if init != nil {
		init(&b)
	}
	return &b
}

// initFrom returns what adds a node "init" of op (InitializeTableV2 or
// LookupTableImportV2) filling "table" from constant keys and values.
func initFrom(op string, keys, values *tensor.Tensor) func(b *graph.Builder) {
	return func(b *graph.Builder) { addInit(b, "init", op, keys, values) }
}

// addInit adds node name of op filling "table" from keys and values.
func addInit(b *graph.Builder, name, op string, keys, values *tensor.Tensor) {
	b.Const(name+"/keys", keys)
	b.Const(name+"/values", values)
	attrs := map[string]any{"Tin": keys.DType(), "Tout": values.DType()}
	if op == "InitializeTableV2" {
		attrs = map[string]any{"Tkey": keys.DType(), "Tval": values.DType()}
	}
	b.Add(name, op, []string{"table", name + "/keys", name + "/values"}, attrs)
}

// fromFile returns what adds a node "init" filling "table" from the file
// of the model directory.
func fromFile(file string, keyIndex, valueIndex int, attrs map[string]any) func(b *graph.Builder) {
	return func(b *graph.Builder) { addFileInit(b, "init", file, keyIndex, valueIndex, attrs) }
}

// addFileInit adds node name, an InitializeTableFromTextFileV2 of file.
func addFileInit(b *graph.Builder, name, file string, keyIndex, valueIndex int, attrs map[string]any) {
	b.Const(name+"/filename", tensor.Scalar(file))
	a := map[string]any{"key_index": keyIndex, "value_index": valueIndex}
	for k, v := range attrs {
		a[k] = v
	}
	b.Add(name, "InitializeTableFromTextFileV2", []string{"table", name + "/filename"}, a)
}

// target is a Const run after node, so that a run can execute node,
// which has no outputs.
func target(b *graph.Builder, node string) string {
	name := node + "/done"
	b.Const(name, tensor.Scalar(true)).Input = []string{"^" + node}
	return name
}

func newExec(t *testing.T, b *graph.Builder, opts ...tfexec.Option) *tfexec.Executor {
	t.Helper()
	e, err := tfexec.New(b.Graph(), opts...)
	require.NoError(t, err)
	return e
}

func runOne(e *tfexec.Executor, keys *tensor.Tensor, fetch string) (*tensor.Tensor, error) {
	var feeds map[string]*tensor.Tensor
	if keys != nil {
		feeds = map[string]*tensor.Tensor{"keys": keys}
	}
	out, err := e.Run(context.Background(), feeds, []string{fetch})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func mustRun(t *testing.T, e *tfexec.Executor, keys *tensor.Tensor, fetch string) *tensor.Tensor {
	t.Helper()
	out, err := runOne(e, keys, fetch)
	require.NoError(t, err, fetch)
	return out
}

func strs(v ...string) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600))
}

// TestStaticHashTableDocExample runs the examples of the docstrings of
// tf.lookup.StaticHashTable and tf.lookup.KeyValueTensorInitializer
// (tensorflow/python/ops/lookup_ops.py): keys a, b, c map to 7, 8, 9 with
// default -1; a lookup keeps the keys' shape. KeyValueTensorInitializer
// writes LookupTableImportV2 in TensorFlow 2, InitializeTableV2 in 1.
func TestStaticHashTableDocExample(t *testing.T) {
	for _, op := range []string{"LookupTableImportV2", "InitializeTableV2"} {
		t.Run(op, func(t *testing.T) {
			b := tableGraph(tensor.String, tensor.Int32, tensor.Scalar(int32(-1)),
				initFrom(op, strs("a", "b", "c"), tensor.MustFromSlice(tensor.Shape{3}, []int32{7, 8, 9})))
			done := target(b, "init")
			e := newExec(t, b)

			assert.Equal(t, int64(0), tensor.Values[int64](mustRun(t, e, nil, "size"))[0], "size before initialisation")
			_, err := runOne(e, strs("a"), "find")
			require.ErrorIs(t, err, kernel.ErrInvalidArgument)
			assert.ErrorContains(t, err, "Table not initialized.")

			// The init op runs once, the lookups in later runs: the
			// table lives in the executor as in a session.
			mustRun(t, e, nil, done)
			assert.Equal(t, []int32{7, -1}, tensor.Values[int32](mustRun(t, e, strs("a", "f"), "find")))
			got := mustRun(t, e, tensor.MustFromSlice(tensor.Shape{2, 2}, []string{"a", "b", "c", "d"}), "find")
			assert.Equal(t, tensor.Shape{2, 2}, got.Shape())
			assert.Equal(t, []int32{7, 8, 9, -1}, tensor.Values[int32](got))
			assert.Equal(t, int64(3), tensor.Values[int64](mustRun(t, e, nil, "size"))[0])
		})
	}
}

// TestTextFileInitializerDocExamples runs the two examples of the
// docstring of tf.lookup.TextFileInitializer (lookup_ops.py), on the
// file it writes: "emerson 10", "lake 20", "palmer 30" joined by "\n"
// (no newline at the end).
func TestTextFileInitializerDocExamples(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "file.txt", "emerson 10\nlake 20\npalmer 30")

	// First column to second: palmer -> 30, lake -> 20, tarkus missing.
	b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), fromFile("file.txt", 0, 1, map[string]any{"delimiter": " "}))
	done := target(b, "init")
	e := newExec(t, b, tfexec.WithModelFiles(dir))
	mustRun(t, e, nil, done)
	assert.Equal(t, []int64{30, 20, -1}, tensor.Values[int64](mustRun(t, e, strs("palmer", "lake", "tarkus"), "find")))

	// The whole line (TextFileIndex.WHOLE_LINE = -2) to the line number
	// (LINE_NUMBER = -1): "palmer 30" -> 2.
	b = tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), fromFile("file.txt", -2, -1, nil))
	done = target(b, "init")
	e = newExec(t, b, tfexec.WithModelFiles(dir))
	mustRun(t, e, nil, done)
	assert.Equal(t, []int64{2, 0, -1}, tensor.Values[int64](mustRun(t, e, strs("palmer 30", "emerson 10", "palmer"), "find")))
}

func TestDuplicateKeys(t *testing.T) {
	i64 := func(v ...int64) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }
	t.Run("different values", func(t *testing.T) {
		b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), initFrom("InitializeTableV2", strs("a", "b", "a"), i64(1, 2, 3)))
		done := target(b, "init")
		e := newExec(t, b)
		_, err := runOne(e, nil, done)
		require.ErrorIs(t, err, kernel.ErrInvalidArgument)
		assert.ErrorContains(t, err, "HashTable has different value for same key. Key a has 1 and trying to add value 3")
		// A failed initialisation leaves the table uninitialised.
		_, err = runOne(e, strs("a"), "find")
		assert.ErrorContains(t, err, "Table not initialized.")
	})
	t.Run("same value", func(t *testing.T) {
		b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), initFrom("InitializeTableV2", strs("a", "b", "a"), i64(1, 2, 1)))
		done := target(b, "init")
		e := newExec(t, b)
		mustRun(t, e, nil, done)
		assert.Equal(t, int64(2), tensor.Values[int64](mustRun(t, e, nil, "size"))[0])
	})
	t.Run("text file", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "vocab", "x\ny\nx\n")
		b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), fromFile("vocab", -2, -1, nil))
		done := target(b, "init")
		_, err := runOne(newExec(t, b, tfexec.WithModelFiles(dir)), nil, done)
		require.ErrorIs(t, err, kernel.ErrInvalidArgument)
		assert.ErrorContains(t, err, "Key x has 0 and trying to add value 2")
		assert.ErrorContains(t, err, `"vocab"`)
	})
}

// TestSecondInitialisation checks InitializableLookupTable's rule: an
// initialised table is left as it is by a second initialisation that
// brings as many entries, refuses one that brings another number, and
// ignores a text file.
func TestSecondInitialisation(t *testing.T) {
	i32 := func(v ...int32) *tensor.Tensor { return tensor.MustFromSlice(tensor.Shape{len(v)}, v) }
	b := tableGraph(tensor.String, tensor.Int32, tensor.Scalar(int32(-1)), initFrom("InitializeTableV2", strs("a", "b"), i32(1, 2)))
	addInit(b, "same_size", "InitializeTableV2", strs("c", "d"), i32(3, 4))
	addInit(b, "other_size", "LookupTableImportV2", strs("c"), i32(3))
	dir := t.TempDir()
	writeFile(t, dir, "other", "p 1\nq 2\nr 3\n")
	addFileInit(b, "from_file", "other", 0, 1, map[string]any{"delimiter": " "})
	first, sameSize, otherSize, file := target(b, "init"), target(b, "same_size"), target(b, "other_size"), target(b, "from_file")
	e := newExec(t, b, tfexec.WithModelFiles(dir))
	mustRun(t, e, nil, first)
	mustRun(t, e, nil, first)
	mustRun(t, e, nil, sameSize)
	mustRun(t, e, nil, file)
	_, err := runOne(e, nil, otherSize)
	require.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "Table was already initialized with different data.")
	assert.Equal(t, []int32{1, 2, -1, -1}, tensor.Values[int32](mustRun(t, e, strs("a", "b", "c", "p"), "find")))
}

// TestVocabularyFileRefused checks the files a table may read: inside the
// model directory given to the executor, and only there.
func TestVocabularyFileRefused(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "model")
	require.NoError(t, os.Mkdir(model, 0o700))
	writeFile(t, dir, "outside", "secret\n")
	for _, tc := range []struct {
		name, file string
		opts       []tfexec.Option
		want       error
		msg        string
	}{
		{"missing", "assets/vocab.txt", []tfexec.Option{tfexec.WithModelFiles(model)}, os.ErrNotExist, "assets/vocab.txt"},
		{"outside the model", "../outside", []tfexec.Option{tfexec.WithModelFiles(model)}, graph.ErrUnsafePath, "../outside"},
		{"absolute", filepath.Join(dir, "outside"), []tfexec.Option{tfexec.WithModelFiles(model)}, graph.ErrUnsafePath, "outside"},
		{"no model directory", "vocab.txt", nil, kernel.ErrNoModelFiles, "vocab.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), fromFile(tc.file, -2, -1, nil))
			done := target(b, "init")
			_, err := runOne(newExec(t, b, tc.opts...), strs("secret"), done)
			require.ErrorIs(t, err, tc.want)
			assert.ErrorContains(t, err, tc.msg)
			assert.ErrorContains(t, err, `"init"`, "the error names the node")
		})
	}
}

// TestTextFileFormat checks TextFileLineIterator's reading rules.
func TestTextFileFormat(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		kt, vt        tensor.DType
		key, value    int
		attrs         map[string]any
		keys          *tensor.Tensor
		want          any
		err           string
		def           *tensor.Tensor
	}{
		{name: "crlf and no final newline", content: "a\r\nb\r\nc", kt: tensor.String, vt: tensor.Int64, key: -2, value: -1,
			keys: strs("a", "b", "c", "a\r"), want: []int64{0, 1, 2, -1}},
		{name: "offset on line numbers", content: "a\nb\n", kt: tensor.String, vt: tensor.Int64, key: -2, value: -1, attrs: map[string]any{"offset": 5},
			keys: strs("a", "b"), want: []int64{5, 6}},
		{name: "offset on int32 fields", content: "a,7\nb,-2\n", kt: tensor.String, vt: tensor.Int32, key: 0, value: 1, attrs: map[string]any{"delimiter": ",", "offset": 10},
			keys: strs("a", "b"), want: []int32{17, 8}},
		{name: "int64 fields keep their value", content: "a,7\n", kt: tensor.String, vt: tensor.Int64, key: 0, value: 1, attrs: map[string]any{"delimiter": ",", "offset": 10},
			keys: strs("a"), want: []int64{7}},
		{name: "tab columns and spaces around numbers", content: "x\t 1.5 \ty\n", kt: tensor.String, vt: tensor.Float32, key: 2, value: 1,
			keys: strs("y"), want: []float32{1.5}},
		{name: "empty columns count", content: "a,,3\n", kt: tensor.String, vt: tensor.Float64, key: 0, value: 2, attrs: map[string]any{"delimiter": ","},
			keys: strs("a"), want: []float64{3}},
		{name: "integer keys from whole lines", content: "10\n20\n", kt: tensor.Int64, vt: tensor.String, key: -2, value: -2,
			keys: tensor.MustFromSlice(tensor.Shape{2}, []int64{20, 30}), want: []string{"20", "?"}, def: tensor.Scalar("?")},
		{name: "vocab_size cuts", content: "a\nb\nc\n", kt: tensor.String, vt: tensor.Int64, key: -2, value: -1, attrs: map[string]any{"vocab_size": 2},
			keys: strs("b", "c"), want: []int64{1, -1}},
		{name: "vocab_size too large", content: "a\nb\n", kt: tensor.String, vt: tensor.Int64, key: -2, value: -1, attrs: map[string]any{"vocab_size": 3},
			err: "Invalid vocab_size in f: expected 3 but got 2"},
		{name: "empty line", content: "a\n\nb\n", kt: tensor.String, vt: tensor.Int64, key: -2, value: -1,
			err: "Invalid content in f: empty line found at position 3."},
		{name: "empty file", content: "", kt: tensor.String, vt: tensor.Int64, key: -2, value: -1, err: "no lines"},
		{name: "too few columns", content: "a b\nc\n", kt: tensor.String, vt: tensor.String, key: 0, value: 1, attrs: map[string]any{"delimiter": " "},
			err: "Invalid number of columns in f line 1 (c) : expected at least 2 got 1"},
		{name: "plus sign", content: "a +1\n", kt: tensor.String, vt: tensor.Int64, key: 0, value: 1, attrs: map[string]any{"delimiter": " "},
			err: "Field +1 in line 0 is not a valid int64."},
		{name: "int32 overflow", content: "a 2147483648\n", kt: tensor.String, vt: tensor.Int32, key: 0, value: 1, attrs: map[string]any{"delimiter": " "},
			err: "is not a valid int32."},
		{name: "line number needs int64", content: "a\n", kt: tensor.String, vt: tensor.Int32, key: -2, value: -1,
			err: "Value index for line number requires table value dtype of int64, got int32"},
		{name: "whole line needs string or integer", content: "a\n", kt: tensor.String, vt: tensor.Float32, key: -2, value: -2,
			err: "Value index for whole line requires table value dtype of integer or string, got float32"},
		{name: "bool values", content: "a true\n", kt: tensor.String, vt: tensor.Bool, key: 0, value: 1, attrs: map[string]any{"delimiter": " "},
			err: "Data type bool not supported."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "f", tc.content)
			def := tc.def
			if def == nil {
				def = zero(tc.vt)
			}
			b := tableGraph(tc.kt, tc.vt, def, fromFile("f", tc.key, tc.value, tc.attrs))
			done := target(b, "init")
			e := newExec(t, b, tfexec.WithModelFiles(dir))
			_, err := runOne(e, nil, done)
			if tc.err != "" {
				require.ErrorIs(t, err, kernel.ErrInvalidArgument)
				assert.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, mustRun(t, e, tc.keys, "find").Data())
		})
	}
}

// zero is the default a test table of vt uses: -1 for numbers.
func zero(vt tensor.DType) *tensor.Tensor {
	switch vt {
	case tensor.String:
		return tensor.Scalar("")
	case tensor.Bool:
		return tensor.Scalar(false)
	case tensor.Int32:
		return tensor.Scalar(int32(-1))
	case tensor.Float32:
		return tensor.Scalar(float32(-1))
	case tensor.Float64:
		return tensor.Scalar(float64(-1))
	}
	return tensor.Scalar(int64(-1))
}

// TestPerKeyDefault checks that default_value may hold one default per
// key (TensorFlow 2.9 and later), and nothing else.
func TestPerKeyDefault(t *testing.T) {
	var b graph.Builder
	b.Add("table", "HashTableV2", nil, map[string]any{"key_dtype": tensor.Int64, "value_dtype": tensor.Float32})
	b.Const("k", tensor.MustFromSlice(tensor.Shape{2}, []int64{1, 2}))
	b.Const("v", tensor.MustFromSlice(tensor.Shape{2}, []float32{0.5, 1.5}))
	b.Add("init", "LookupTableImportV2", []string{"table", "k", "v"}, map[string]any{"Tin": tensor.Int64, "Tout": tensor.Float32})
	b.Placeholder("keys", tensor.Int64, nil)
	b.Placeholder("default", tensor.Float32, nil)
	b.Add("find", "LookupTableFindV2", []string{"table", "keys", "default", "^init"}, map[string]any{"Tin": tensor.Int64, "Tout": tensor.Float32})
	e := newExec(t, &b)
	keys := tensor.MustFromSlice(tensor.Shape{3}, []int64{2, 7, 9})
	out, err := e.Run(context.Background(), map[string]*tensor.Tensor{"keys": keys, "default": tensor.MustFromSlice(tensor.Shape{3}, []float32{-1, -2, -3})}, []string{"find"})
	require.NoError(t, err)
	assert.Equal(t, []float32{1.5, -2, -3}, tensor.Values[float32](out[0]))
	_, err = e.Run(context.Background(), map[string]*tensor.Tensor{"keys": keys, "default": tensor.MustFromSlice(tensor.Shape{2}, []float32{-1, -2})}, []string{"find"})
	require.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "Expected shape [] or [3] for default value, got [2]")
	_, err = e.Run(context.Background(), map[string]*tensor.Tensor{"keys": tensor.MustFromSlice(tensor.Shape{1}, []int32{2}), "default": tensor.Scalar(float32(0))}, []string{"find"})
	require.Error(t, err, "keys of another dtype than the table's")
}

// TestV1Handles runs the TF1 ops, whose handles are the two strings
// container and name, and checks how tables are named and shared.
func TestV1Handles(t *testing.T) {
	var b graph.Builder
	attrs := map[string]any{"key_dtype": tensor.Int64, "value_dtype": tensor.String}
	b.Add("table", "HashTable", nil, attrs)
	b.Const("k", tensor.MustFromSlice(tensor.Shape{2}, []int64{3, 4}))
	b.Const("v", strs("three", "four"))
	b.Add("init", "InitializeTable", []string{"table", "k", "v"}, map[string]any{"Tkey": tensor.Int64, "Tval": tensor.String})
	b.Placeholder("keys", tensor.Int64, nil)
	b.Const("default", tensor.Scalar("UNK"))
	b.Add("find", "LookupTableFind", []string{"table", "keys", "default", "^init"}, map[string]any{"Tin": tensor.Int64, "Tout": tensor.String})
	b.Add("size", "LookupTableSize", []string{"table"}, nil)
	b.Add("shared", "HashTable", nil, map[string]any{"key_dtype": tensor.Int64, "value_dtype": tensor.String, "shared_name": "s", "container": "c"})
	e := newExec(t, &b)
	assert.Equal(t, []string{"four", "UNK"}, tensor.Values[string](mustRun(t, e, tensor.MustFromSlice(tensor.Shape{2}, []int64{4, 5}), "find")))
	assert.Equal(t, int64(2), tensor.Values[int64](mustRun(t, e, nil, "size"))[0])
	h := tensor.Values[string](mustRun(t, e, nil, "table"))
	assert.Equal(t, "localhost", h[0])
	assert.Regexp(t, `^_\d+_table$`, h[1], "a table without shared_name is private to its node")
	assert.Equal(t, []string{"c", "s"}, tensor.Values[string](mustRun(t, e, nil, "shared")))
}

// TestSharedTables checks that two nodes with one shared_name are one
// table, and that they must agree on its dtypes.
func TestSharedTables(t *testing.T) {
	b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), initFrom("LookupTableImportV2", strs("a"), tensor.MustFromSlice(tensor.Shape{1}, []int64{1})))
	done := target(b, "init")
	b.Add("twin", "HashTableV2", nil, map[string]any{"key_dtype": tensor.String, "value_dtype": tensor.Int64, "shared_name": "t"})
	b.Add("twin_size", "LookupTableSizeV2", []string{"twin"}, nil)
	b.Add("clash", "HashTableV2", nil, map[string]any{"key_dtype": tensor.String, "value_dtype": tensor.Int32, "shared_name": "t"})
	e := newExec(t, b)
	mustRun(t, e, nil, done)
	assert.Equal(t, int64(1), tensor.Values[int64](mustRun(t, e, nil, "twin_size"))[0])
	_, err := runOne(e, nil, "clash")
	require.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "Conflicting key/value dtypes string->int32 with string-int64 for table t")
}

// TestMutableHashTable runs MutableHashTableV2 through insert, remove,
// import and export.
func TestMutableHashTable(t *testing.T) {
	var b graph.Builder
	b.Add("table", "MutableHashTableV2", nil, map[string]any{"key_dtype": tensor.String, "value_dtype": tensor.Float32})
	b.Placeholder("keys", tensor.String, nil)
	b.Placeholder("values", tensor.Float32, nil)
	kv := map[string]any{"Tin": tensor.String, "Tout": tensor.Float32}
	b.Add("insert", "LookupTableInsertV2", []string{"table", "keys", "values"}, kv)
	b.Add("import", "LookupTableImportV2", []string{"table", "keys", "values"}, kv)
	b.Add("remove", "LookupTableRemoveV2", []string{"table", "keys"}, map[string]any{"Tin": tensor.String})
	b.Const("default", tensor.Scalar(float32(0)))
	b.Add("find", "LookupTableFindV2", []string{"table", "keys", "default"}, kv)
	b.Add("export", "LookupTableExportV2", []string{"table"}, map[string]any{"Tkeys": tensor.String, "Tvalues": tensor.Float32})
	b.Add("init", "InitializeTableV2", []string{"table", "keys", "values"}, map[string]any{"Tkey": tensor.String, "Tval": tensor.Float32})
	targets := map[string]string{}
	for _, n := range []string{"insert", "import", "remove", "init"} {
		targets[n] = target(&b, n)
	}
	e := newExec(t, &b)
	do := func(op string, keys []string, values ...float32) error {
		feeds := map[string]*tensor.Tensor{"keys": strs(keys...), "values": tensor.MustFromSlice(tensor.Shape{len(values)}, values)}
		if values == nil {
			delete(feeds, "values")
		}
		_, err := e.Run(context.Background(), feeds, []string{targets[op]})
		return err
	}
	exported := func() ([]string, []float32) {
		out, err := e.Run(context.Background(), nil, []string{"export:0", "export:1"})
		require.NoError(t, err)
		return tensor.Values[string](out[0]), tensor.Values[float32](out[1])
	}
	// A mutable table needs no initialisation; finding in it is fine.
	assert.Equal(t, []float32{0}, tensor.Values[float32](mustRun(t, e, strs("x"), "find")))
	require.NoError(t, do("insert", []string{"b", "a"}, 2, 1))
	require.NoError(t, do("insert", []string{"a", "c"}, 10, 3))
	ks, vs := exported()
	assert.Equal(t, []string{"a", "b", "c"}, ks)
	assert.Equal(t, []float32{10, 2, 3}, vs)
	require.NoError(t, do("remove", []string{"b", "zz"}))
	assert.Equal(t, []float32{10, 0, 3}, tensor.Values[float32](mustRun(t, e, strs("a", "b", "c"), "find")))
	require.NoError(t, do("import", []string{"q"}, 7))
	ks, vs = exported()
	assert.Equal(t, []string{"q"}, ks)
	assert.Equal(t, []float32{7}, vs)
	err := do("init", []string{"r"}, 1)
	require.ErrorIs(t, err, kernel.ErrInvalidArgument)
	assert.ErrorContains(t, err, "is not initializable")
}

// TestHashTableIsReadOnly checks that a HashTable refuses insertions and
// removals, and exports only once initialised.
func TestHashTableIsReadOnly(t *testing.T) {
	b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), nil)
	b.Const("v", tensor.MustFromSlice(tensor.Shape{1}, []int64{1}))
	b.Add("insert", "LookupTableInsertV2", []string{"table", "keys", "v"}, map[string]any{"Tin": tensor.String, "Tout": tensor.Int64})
	b.Add("export", "LookupTableExportV2", []string{"table"}, map[string]any{"Tkeys": tensor.String, "Tvalues": tensor.Int64})
	inserted := target(b, "insert")
	e := newExec(t, b)
	_, err := runOne(e, strs("a"), inserted)
	assert.ErrorIs(t, err, kernel.ErrUnsupported)
	_, err = runOne(e, nil, "export")
	assert.ErrorContains(t, err, "HashTable is not initialized.")
}

// TestUnregisteredPairs checks that a table of a key and value dtype
// pair TensorFlow has no kernel for is refused when prepared.
func TestUnregisteredPairs(t *testing.T) {
	for _, tc := range []struct {
		op     string
		kt, vt tensor.DType
	}{
		{"HashTableV2", tensor.Float32, tensor.Int64},
		{"HashTableV2", tensor.Int32, tensor.Int64},
		{"MutableHashTableV2", tensor.String, tensor.String},
		{"HashTable", tensor.Int64, tensor.Bool},
	} {
		var b graph.Builder
		b.Add("table", tc.op, nil, map[string]any{"key_dtype": tc.kt, "value_dtype": tc.vt})
		err := newExec(t, &b).Prepare(nil, []string{"table"})
		assert.ErrorIs(t, err, kernel.ErrUnsupported, "%s %v→%v", tc.op, tc.kt, tc.vt)
	}
}

// TestConcurrentInitialisation runs the initialisation and lookups of one
// table from many goroutines at once: one of them initialises, the others
// find it initialised; every lookup sees the whole table.
func TestConcurrentInitialisation(t *testing.T) {
	n := 1000
	keys, values := make([]string, n), make([]int64, n)
	for i := range keys {
		keys[i], values[i] = string(rune('a'+i%26))+string(rune('A'+i/26)), int64(i)
	}
	b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), initFrom("LookupTableImportV2", strs(keys...), tensor.MustFromSlice(tensor.Shape{n}, values)))
	b.Add("find_after_init", "LookupTableFindV2", []string{"table", "keys", "default", "^init"}, map[string]any{"Tin": tensor.String, "Tout": tensor.Int64})
	e := newExec(t, b)
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			i := g * 37 % n
			out, err := runOne(e, strs(keys[i], "?"), "find_after_init")
			if assert.NoError(t, err) {
				assert.Equal(t, []int64{int64(i), -1}, tensor.Values[int64](out))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(n), tensor.Values[int64](mustRun(t, e, nil, "size"))[0])
}

// TestFunctionsShareTables checks that a function the graph calls sees
// the executor's tables: its own HashTableV2 node of the same
// shared_name is the table the graph initialised, as in a session.
func TestFunctionsShareTables(t *testing.T) {
	b := tableGraph(tensor.String, tensor.Int64, tensor.Scalar(int64(-1)), initFrom("LookupTableImportV2", strs("a", "b"), tensor.MustFromSlice(tensor.Shape{2}, []int64{1, 2})))
	done := target(b, "init")
	table := graph.NewNode("t", "HashTableV2", nil, map[string]any{"key_dtype": tensor.String, "value_dtype": tensor.Int64, "shared_name": "t"})
	size := graph.NewNode("n", "LookupTableSizeV2", []string{"t:table_handle:0"}, nil)
	b.Graph().Library = &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{{
		Signature: &tfpb.OpDef{Name: "table_size", OutputArg: []*tfpb.OpDef_ArgDef{{Name: "size", Type: tfpb.DataType_DT_INT64}}, IsStateful: true},
		NodeDef:   []*tfpb.NodeDef{table, size},
		Ret:       map[string]string{"size": "n:size:0"},
	}}}
	b.Add("call", "StatefulPartitionedCall", nil, map[string]any{"f": graph.FuncAttr{Name: "table_size"}, "Tin": []tensor.DType{}, "Tout": []tensor.DType{tensor.Int64}})
	e := newExec(t, b)
	mustRun(t, e, nil, done)
	assert.Equal(t, int64(2), tensor.Values[int64](mustRun(t, e, nil, "call"))[0])
}
