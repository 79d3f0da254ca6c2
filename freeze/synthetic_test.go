package freeze

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// The synthetic SavedModel of these tests mixes what real exports do: a
// TF1 VariableV2 read through Identity, a TF2 resource variable read
// inside a function called by StatefulPartitionedCall, a training flag
// feeding a tf.cond, a saver whose RestoreV2 restores all three, and a
// second signature that increments a counter. Its checkpoint is written
// here, in TensorFlow's bundle format.

// syntheticValues are the checkpoint's tensors.
func syntheticValues() map[string]*tensor.Tensor {
	return map[string]*tensor.Tensor{
		"c": tensor.Scalar[float32](1),
		"v": tensor.Scalar[float32](3),
		"w": tensor.MustFromSlice(tensor.Shape{2}, []float32{2, -1}),
	}
}

// syntheticSavedModel builds the SavedModel proto.
func syntheticSavedModel() *tfpb.SavedModel {
	fl := tensor.Float32
	var b graph.Builder
	b.Placeholder("x", fl, graph.ShapeAttr{-1, 2})
	b.Add("w", "VariableV2", nil, map[string]any{"dtype": fl, "shape": graph.ShapeAttr{2}})
	b.Add("w/read", "Identity", []string{"w"}, map[string]any{"T": fl})
	b.Add("v", "VarHandleOp", nil, map[string]any{"dtype": fl, "shape": graph.ShapeAttr{}, "shared_name": "v"})
	b.Add("c", "VariableV2", nil, map[string]any{"dtype": fl, "shape": graph.ShapeAttr{}})
	b.Const("flag", tensor.Scalar(false))
	b.Add("training", "PlaceholderWithDefault", []string{"flag"}, map[string]any{"dtype": tensor.Bool, "shape": graph.ShapeAttr{}})
	b.Add("cond/sw", "Switch", []string{"x", "training"}, map[string]any{"T": fl})
	b.Add("cond/neg", "Neg", []string{"cond/sw:1"}, map[string]any{"T": fl})
	b.Add("cond/merge", "Merge", []string{"cond/sw", "cond/neg"}, map[string]any{"T": fl, "N": 2})
	b.Add("mul", "Mul", []string{"cond/merge", "w/read"}, map[string]any{"T": fl})
	b.Add("call", "StatefulPartitionedCall", []string{"mul", "v"}, map[string]any{
		"Tin": []tensor.DType{fl, tensor.Resource}, "Tout": []tensor.DType{fl}, "f": graph.FuncAttr{Name: "scale"},
	})
	b.Add("y", "Identity", []string{"call"}, map[string]any{"T": fl})
	b.Const("one", tensor.Scalar[float32](1))
	b.Add("incr", "AssignAdd", []string{"c", "one"}, map[string]any{"T": fl})
	// The saver.
	b.Const("save/Const", tensor.Scalar("model"))
	b.Const("save/tensor_names", tensor.MustFromSlice(tensor.Shape{3}, []string{"c", "v", "w"}))
	b.Const("save/shape_and_slices", tensor.MustFromSlice(tensor.Shape{3}, []string{"", "", ""}))
	b.Add("save/RestoreV2", "RestoreV2", []string{"save/Const", "save/tensor_names", "save/shape_and_slices"},
		map[string]any{"dtypes": []tensor.DType{fl, fl, fl}})
	b.Add("save/Assign", "Assign", []string{"c", "save/RestoreV2"}, map[string]any{"T": fl})
	b.Add("save/read_v", "Identity", []string{"save/RestoreV2:1"}, map[string]any{"T": fl})
	b.Add("save/AssignVariableOp", "AssignVariableOp", []string{"v", "save/read_v"}, map[string]any{"dtype": fl})
	b.Add("save/Assign_1", "Assign", []string{"w", "save/RestoreV2:2"}, map[string]any{"T": fl})
	b.Add("save/restore_all", "NoOp", []string{"^save/Assign", "^save/AssignVariableOp", "^save/Assign_1"}, nil)

	g := b.Graph()
	g.Library = &tfpb.FunctionDefLibrary{Function: []*tfpb.FunctionDef{{
		Signature: &tfpb.OpDef{
			Name:      "scale",
			InputArg:  []*tfpb.OpDef_ArgDef{{Name: "x", Type: tfpb.DataType_DT_FLOAT}, {Name: "h", Type: tfpb.DataType_DT_RESOURCE}},
			OutputArg: []*tfpb.OpDef_ArgDef{{Name: "y", Type: tfpb.DataType_DT_FLOAT}},
		},
		NodeDef: []*tfpb.NodeDef{
			graph.NewNode("read", "ReadVariableOp", []string{"h"}, map[string]any{"dtype": fl}),
			graph.NewNode("mul", "Mul", []string{"x", "read:value:0"}, map[string]any{"T": fl}),
		},
		Ret: map[string]string{"y": "mul:z:0"},
	}}}
	info := func(name string, dt tensor.DType) *tfpb.TensorInfo {
		return &tfpb.TensorInfo{Encoding: &tfpb.TensorInfo_Name{Name: name}, Dtype: tfpb.DataType(dt)}
	}
	return &tfpb.SavedModel{SavedModelSchemaVersion: 1, MetaGraphs: []*tfpb.MetaGraphDef{{
		MetaInfoDef: &tfpb.MetaGraphDef_MetaInfoDef{Tags: []string{"serve"}},
		GraphDef:    g,
		SaverDef:    &tfpb.SaverDef{FilenameTensorName: "save/Const:0", RestoreOpName: "save/restore_all"},
		SignatureDef: map[string]*tfpb.SignatureDef{
			"serving_default": {
				Inputs:     map[string]*tfpb.TensorInfo{"x": info("x:0", fl)},
				Outputs:    map[string]*tfpb.TensorInfo{"y": info("y:0", fl)},
				MethodName: "tensorflow/serving/predict",
			},
			"incr": {Outputs: map[string]*tfpb.TensorInfo{"c": info("incr:0", fl)}},
		},
	}}}
}

// writeBundle writes tensors as a TensorFlow checkpoint with the given
// prefix: one data shard, and an index that is a one-block LevelDB table.
func writeBundle(t testing.TB, prefix string, tensors map[string]*tensor.Tensor) {
	t.Helper()
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	mask := func(crc uint32) uint32 { return (crc>>15 | crc<<17) + 0xa282ead8 }
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range tensors {
			if !yield(k) {
				return
			}
		}
	})
	var data []byte
	entries := [][2][]byte{{nil, mustMarshal(t, &tfpb.BundleHeaderProto{NumShards: 1, Version: &tfpb.VersionDef{Producer: 1}})}}
	for _, k := range keys {
		v := tensors[k]
		raw := v.Bytes()
		e := &tfpb.BundleEntryProto{Dtype: tfpb.DataType(v.DType()), Shape: tensor.TFShapeProto(v.Shape()),
			Offset: int64(len(data)), Size: int64(len(raw)), Crc32C: mask(crc32.Checksum(raw, castagnoli))}
		data = append(data, raw...)
		entries = append(entries, [2][]byte{[]byte(k), mustMarshal(t, e)})
	}
	var file []byte
	block := func(kvs [][2][]byte) (offset, size uint64) {
		var blk []byte
		for _, kv := range kvs {
			blk = binary.AppendUvarint(blk, 0)
			blk = binary.AppendUvarint(blk, uint64(len(kv[0])))
			blk = binary.AppendUvarint(blk, uint64(len(kv[1])))
			blk = append(append(blk, kv[0]...), kv[1]...)
		}
		blk = binary.LittleEndian.AppendUint32(blk, 0) // one restart point
		blk = binary.LittleEndian.AppendUint32(blk, 1)
		offset, size = uint64(len(file)), uint64(len(blk))
		file = append(file, blk...)
		file = append(file, 0)
		file = binary.LittleEndian.AppendUint32(file, mask(crc32.Checksum(append(blk, 0), castagnoli)))
		return offset, size
	}
	handle := func(b []byte, off, size uint64) []byte {
		return binary.AppendUvarint(binary.AppendUvarint(b, off), size)
	}
	off, size := block(entries)
	last := entries[len(entries)-1][0]
	ioff, isize := block([][2][]byte{{last, handle(nil, off, size)}})
	footer := handle(handle(nil, 0, 0), ioff, isize)
	footer = append(footer, make([]byte, 40-len(footer))...)
	file = binary.LittleEndian.AppendUint64(append(file, footer...), 0xdb4775248b80fb57)
	require.NoError(t, os.MkdirAll(filepath.Dir(prefix), 0o755))
	require.NoError(t, os.WriteFile(prefix+".index", file, 0o644))
	require.NoError(t, os.WriteFile(prefix+".data-00000-of-00001", data, 0o644))
}

func mustMarshal(t testing.TB, m proto.Message) []byte {
	b, err := proto.Marshal(m)
	require.NoError(t, err)
	return b
}

// writeSynthetic writes the synthetic SavedModel (or the given
// saved_model.pb bytes) and its checkpoint into a new directory.
func writeSynthetic(t testing.TB, savedModel []byte) string {
	dir := t.TempDir()
	if savedModel == nil {
		savedModel = mustMarshal(t, syntheticSavedModel())
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "saved_model.pb"), savedModel, 0o644))
	writeBundle(t, filepath.Join(dir, "variables", "variables"), syntheticValues())
	return dir
}

func TestSyntheticSavedModel(t *testing.T) {
	dir := writeSynthetic(t, nil)
	res, err := SavedModel(dir)
	require.NoError(t, err)
	keys := map[string]string{}
	for _, v := range res.Report.Variables {
		keys[v.Node] = v.Key + " by " + v.Source
	}
	assert.Equal(t, map[string]string{"w": "w by restore graph", "v": "v by restore graph", "c": "c by restore graph"}, keys)
	var se *StatefulError
	for _, st := range res.Report.Signatures {
		if st.Key == "incr" {
			require.ErrorAs(t, st.Err, &se)
			assert.Equal(t, "incr", se.Node)
		}
	}
	s := res.Signature("serving_default")
	require.NotNil(t, s)
	for _, n := range s.Graph.GetNode() {
		assert.NotContains(t, []string{"Switch", "Merge", "VariableV2", "VarHandleOp", "ReadVariableOp", "StatefulPartitionedCall", "PlaceholderWithDefault"}, n.GetOp(), n.GetName())
	}
	assert.Nil(t, s.Graph.GetLibrary(), "no function is needed any more")
	x := tensor.MustFromSlice(tensor.Shape{2, 2}, []float32{1, 2, 3, 4})
	out, err := runGraph(t, s.Graph, map[string]*tensor.Tensor{"x": x}, []string{"y"})
	require.NoError(t, err)
	// training is false: y = x * w * v.
	assert.Equal(t, []float32{6, -6, 18, -12}, tensor.Values[float32](out[0]))
}

func TestFoldBudget(t *testing.T) {
	i32 := func(v ...int32) *tfpb.NodeDef {
		return graph.NewNode("c", "Const", nil, map[string]any{"dtype": tensor.Int32, "value": tensor.MustFromSlice(tensor.Shape{len(v)}, v)})
	}
	scalar := func(v float32) *tfpb.NodeDef {
		return graph.NewNode("s", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": tensor.Scalar(v)})
	}
	shaped := func(dims ...int) *tfpb.NodeDef {
		return graph.NewNode("z", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": tensor.MustNew(tensor.Float32, dims)})
	}
	cases := []struct {
		name   string
		op     string
		consts []*tfpb.NodeDef
		ok     bool
	}{
		{"small fill", "Fill", []*tfpb.NodeDef{i32(4, 4), scalar(1)}, true},
		{"huge fill", "Fill", []*tfpb.NodeDef{i32(1<<15, 1<<15), scalar(1)}, false},
		{"huge range", "Range", []*tfpb.NodeDef{scalar(0), scalar(1e12), scalar(1)}, false},
		{"range with a tiny delta", "Range", []*tfpb.NodeDef{scalar(0), scalar(10), scalar(1e-9)}, false},
		{"range of zero delta", "Range", []*tfpb.NodeDef{scalar(0), scalar(10), scalar(0)}, false},
		{"small range", "Range", []*tfpb.NodeDef{scalar(0), scalar(10), scalar(0.5)}, true},
		{"huge broadcast", "AddV2", []*tfpb.NodeDef{shaped(8192, 1), shaped(1, 8192)}, false},
		{"broadcast within budget", "AddV2", []*tfpb.NodeDef{shaped(1024, 1), shaped(1, 1024)}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := &tfpb.NodeDef{Name: "n", Op: c.op}
			for range c.consts {
				n.Input = append(n.Input, "in")
			}
			assert.Equal(t, c.ok, withinBudget(n, c.consts))
		})
	}
}
