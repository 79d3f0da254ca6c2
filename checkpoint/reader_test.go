package checkpoint

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// sharedCheckpoints returns the prefix of every checkpoint (every .index
// file) under the shared models folder, in path order.
func sharedCheckpoints(t testing.TB) []string {
	t.Helper()
	root := testutil.SharedModels(t)
	var prefixes []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".index") {
			prefixes = append(prefixes, strings.TrimSuffix(p, ".index"))
		}
		return err
	}))
	require.NotEmpty(t, prefixes, "no .index file under %s", root)
	return prefixes
}

func openT(t testing.TB, path string) *Reader {
	t.Helper()
	r, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, r.Close()) })
	return r
}

// TestEveryRealCheckpoint reads every tensor of every checkpoint under
// ../shared/models, which verifies each one's CRC32C, and checks it agrees
// with its index entry.
func TestEveryRealCheckpoint(t *testing.T) {
	checkpoints, tensors, bytes := 0, 0, int64(0)
	for _, prefix := range sharedCheckpoints(t) {
		r := openT(t, prefix)
		keys := r.Keys()
		require.True(t, slices.IsSorted(keys), prefix)
		for _, k := range keys {
			e, ok := r.Entry(k)
			require.True(t, ok, k)
			got, err := r.Tensor(k)
			require.NoError(t, err, "%s: %s", prefix, k)
			assert.Equal(t, e.DType, got.DType(), k)
			assert.Equal(t, e.Shape, got.Shape(), k)
			tensors++
			bytes += e.Size
		}
		checkpoints++
	}
	t.Logf("read %d checkpoints, %d tensors, %d data bytes, every CRC32C verified", checkpoints, tensors, bytes)
	assert.GreaterOrEqual(t, checkpoints, 26, "the shared folder had 26 checkpoints when this test was written")
}

// TestKnownValues checks variables whose values the models' sources state.
func TestKnownValues(t *testing.T) {
	scalar := func(v float32) *tensor.Tensor { return tensor.Scalar(v) }
	cases := []struct {
		path string
		want map[string]*tensor.Tensor
	}{
		{"savedmodel/tfserving/saved_model_half_plus_two_cpu", map[string]*tensor.Tensor{"a": scalar(0.5), "b": scalar(2), "c": scalar(3)}},
		{"savedmodel/tfserving/saved_model_half_plus_three", map[string]*tensor.Tensor{"a": scalar(0.5), "b": scalar(3)}},
		{"savedmodel/tfserving/saved_model_half_plus_two_tf2_cpu", map[string]*tensor.Tensor{
			"a/.ATTRIBUTES/VARIABLE_VALUE": scalar(0.5), "b/.ATTRIBUTES/VARIABLE_VALUE": scalar(2)}},
		{"savedmodel/tfjs_node/times_two_int", map[string]*tensor.Tensor{"v/.ATTRIBUTES/VARIABLE_VALUE": tensor.Scalar[int32](2)}},
		{"savedmodel/tfjs_node/times_three_float", map[string]*tensor.Tensor{"v/.ATTRIBUTES/VARIABLE_VALUE": scalar(3)}},
		{"savedmodel/tfjs_node/int64_multiply", map[string]*tensor.Tensor{"v1/.ATTRIBUTES/VARIABLE_VALUE": tensor.Scalar[int64](3)}},
		{"savedmodel/freeze/tfjava_multisig_module", map[string]*tensor.Tensor{"variable/.ATTRIBUTES/VARIABLE_VALUE": scalar(2)}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			r := openT(t, testutil.SharedModel(t, c.path))
			for k, want := range c.want {
				got, err := r.Tensor(k)
				require.NoError(t, err)
				assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}), k)
			}
		})
	}
}

// TestKerasMLPObjectGraph maps the Keras variable names to checkpoint keys
// through the object graph and compares the values with the .npy files
// saved next to the model.
func TestKerasMLPObjectGraph(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/freeze/tfnet_keras_mlp")
	r := openT(t, dir)
	values, err := r.ObjectValues()
	require.NoError(t, err)
	byName := map[string]ObjectValue{}
	for _, v := range values {
		byName[v.FullName] = v
	}
	assert.Equal(t, ObjectValue{Path: "layer_with_weights-1/kernel", Name: "VARIABLE_VALUE", FullName: "dense_1/kernel",
		Key: "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"}, byName["dense_1/kernel"])
	for name, file := range map[string]string{"dense_1/kernel": "kernel1.npy", "dense/bias": "bias0.npy"} {
		want, err := tensor.ReadNPYFile(filepath.Join(dir, file))
		require.NoError(t, err)
		got, err := r.Tensor(byName[name].Key)
		require.NoError(t, err)
		assert.NoError(t, tensor.Compare(got, want, tensor.Tolerance{}), name)
	}
}

// TestObjectValuesSlots checks optimizer slot paths against the keys
// TensorFlow gave them, and that every value listed exists.
func TestObjectValuesSlots(t *testing.T) {
	r := openT(t, testutil.SharedModel(t, "savedmodel/tfrust/keras_multiple_inputs_saved_model"))
	values, err := r.ObjectValues()
	require.NoError(t, err)
	slots := 0
	for _, v := range values {
		assert.Equal(t, v.Path+"/.ATTRIBUTES/"+v.Name, v.Key)
		_, ok := r.Entry(v.Key)
		assert.True(t, ok, v.Key)
		if strings.Contains(v.Path, ".OPTIMIZER_SLOT") {
			slots++
		}
	}
	assert.Equal(t, 8, slots)
}

func TestObjectGraphAbsentFromTF1(t *testing.T) {
	r := openT(t, testutil.SharedModel(t, "savedmodel/tfserving/saved_model_half_plus_two_cpu"))
	_, err := r.ObjectValues()
	assert.ErrorIs(t, err, ErrNotFound)
}

// TestOpenForms opens the same checkpoints through every path form Open
// accepts.
func TestOpenForms(t *testing.T) {
	root := testutil.SharedModels(t)
	cases := []struct{ name, path, prefix string }{
		{"prefix", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt"},
		{"index file", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt.index", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt"},
		{"meta file", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt.meta", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt"},
		{"data shard", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt.data-00000-of-00001", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt"},
		{"state file dir", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta", "savedmodel/freeze/mlnet_cifar_tf1/extra_ckpt_meta/model.ckpt"},
		{"state file dir without .ckpt", "frozen/tf2onnx/regression/checkpoint", "frozen/tf2onnx/regression/checkpoint/model"},
		{"SavedModel dir", "savedmodel/freeze/mlnet_cifar_tf1", "savedmodel/freeze/mlnet_cifar_tf1/variables/variables"},
		{"variables dir", "savedmodel/freeze/mlnet_cifar_tf1/variables", "savedmodel/freeze/mlnet_cifar_tf1/variables/variables"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := openT(t, filepath.Join(root, filepath.FromSlash(c.path)))
			assert.Equal(t, filepath.Join(root, filepath.FromSlash(c.prefix)), r.prefix)
			assert.NotEmpty(t, r.Keys())
		})
	}
}

// TestSnappyIndexBlock checks that the TFX estimator's index really has a
// snappy block, so TestEveryRealCheckpoint reads one.
func TestSnappyIndexBlock(t *testing.T) {
	data, err := os.ReadFile(testutil.SharedModel(t, "savedmodel/freeze/tfx_chicago_taxi_estimator/variables/variables.index"))
	require.NoError(t, err)
	footer := data[len(data)-footerLen:]
	_, n, err := readHandle(footer)
	require.NoError(t, err)
	idx, _, err := readHandle(footer[n:])
	require.NoError(t, err)
	index, err := readBlock(data, len(data)-footerLen, idx)
	require.NoError(t, err)
	kinds := map[byte]int{data[idx.offset+idx.size]: 1}
	require.NoError(t, blockEntries(index, func(_, v []byte) error {
		h, _, err := readHandle(v)
		kinds[data[h.offset+h.size]]++
		return err
	}))
	assert.Positive(t, kinds[snappyCompression], "compression types of the blocks: %v", kinds)
}

func TestV1FormatRefused(t *testing.T) {
	p := filepath.Join(t.TempDir(), "model.ckpt")
	require.NoError(t, os.WriteFile(p, binary.LittleEndian.AppendUint64(make([]byte, 48), tableMagic), 0o644))
	_, err := Open(p)
	require.ErrorIs(t, err, ErrUnsupported)
	assert.Contains(t, err.Error(), "V1")
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, p, ce.File)
}

func TestOpenNotACheckpoint(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(other, []byte("hello"), 0o644))
	for _, p := range []string{filepath.Join(dir, "missing"), other, dir} {
		_, err := Open(p)
		assert.ErrorIs(t, err, ErrNotFound, p)
	}
}

func TestStateFile(t *testing.T) {
	cases := []struct {
		name, content, want string // want "" expects ErrCorrupt
	}{
		{"relative", `model_checkpoint_path: "model.ckpt-100"` + "\n" + `all_model_checkpoint_paths: "model.ckpt-50"`, "model.ckpt-100"},
		{"spaces and single quotes", `  model_checkpoint_path :  'sub/model.ckpt'  `, "sub/model.ckpt"},
		{"all_ field first", `all_model_checkpoint_paths: "a"` + "\n" + `model_checkpoint_path: "b"`, "b"},
		{"escapes", `model_checkpoint_path: "caf\303\251 \"x\"\\y\x41"`, "café \"x\"\\yA"},
		{"absolute outside", `model_checkpoint_path: "/tmp/training/run1/model.ckpt-7"`, "model.ckpt-7"},
		{"escaping the directory", `model_checkpoint_path: "../other/model.ckpt"`, ""},
		{"no field", `all_model_checkpoint_paths: "a"`, ""},
		{"unquoted", `model_checkpoint_path: model.ckpt`, ""},
		{"empty", `model_checkpoint_path: ""`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, StateFile)
			require.NoError(t, os.WriteFile(state, []byte(c.content), 0o644))
			got, err := readStateFile(state)
			if c.want == "" {
				require.ErrorIs(t, err, ErrCorrupt)
				var ce *Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, state, ce.File)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, filepath.Join(dir, filepath.FromSlash(c.want)), got)
		})
	}
	t.Run("absolute inside", func(t *testing.T) {
		dir := t.TempDir()
		state := filepath.Join(dir, StateFile)
		want := filepath.Join(dir, "sub", "model.ckpt")
		require.NoError(t, os.WriteFile(state, []byte(`model_checkpoint_path: "`+want+`"`), 0o644))
		got, err := readStateFile(state)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	})
}

// TestStateFileOpensCheckpoint opens a moved TF1 checkpoint through its
// directory, whose state file still holds the absolute path it was saved
// under.
func TestStateFileOpensCheckpoint(t *testing.T) {
	dir := t.TempDir()
	writeBundle(t, filepath.Join(dir, "model.ckpt-3"), []stored{{key: "w", t: tensor.Scalar[float32](1.5)}}, bundleOpts{})
	require.NoError(t, os.WriteFile(filepath.Join(dir, StateFile), []byte(`model_checkpoint_path: "/gone/train/model.ckpt-3"`+"\n"), 0o644))
	r := openT(t, dir)
	got, err := r.Tensor("w")
	require.NoError(t, err)
	assert.Equal(t, []float32{1.5}, tensor.Values[float32](got))
}

func TestCloseIdempotent(t *testing.T) {
	r, err := Open(writeBundle(t, filepath.Join(t.TempDir(), "m"), []stored{{key: "w", t: tensor.Scalar[int64](4)}}, bundleOpts{}))
	require.NoError(t, err)
	_, err = r.Tensor("w")
	require.NoError(t, err)
	require.NoError(t, r.Close())
	require.NoError(t, r.Close())
	_, err = r.Tensor("w")
	assert.ErrorIs(t, err, ErrClosed)
	_, ok := r.Entry("w")
	assert.True(t, ok, "the index stays readable after Close")
}

// TestConcurrentReads reads every tensor of a real checkpoint from several
// goroutines at once (run with -race).
func TestConcurrentReads(t *testing.T) {
	r := openT(t, testutil.SharedModel(t, "savedmodel/freeze/vespa_batchnorm_tf1"))
	var wg sync.WaitGroup
	errs := make(chan error, 8*len(r.Keys()))
	for range 8 {
		wg.Go(func() {
			for _, k := range r.Keys() {
				if _, err := r.Tensor(k); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTensorNotFound(t *testing.T) {
	r := openT(t, testutil.SharedModel(t, "savedmodel/tfserving/saved_model_counter"))
	_, err := r.Tensor("nope")
	require.ErrorIs(t, err, ErrNotFound)
	var ce *Error
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, "nope", ce.Key)
	assert.True(t, strings.HasSuffix(ce.File, "variables.index"), ce.File)
}
