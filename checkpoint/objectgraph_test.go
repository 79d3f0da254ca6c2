package checkpoint

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

type (
	object  = tfpb.TrackableObjectGraph_TrackableObject
	edge    = tfpb.TrackableObjectGraph_TrackableObject_ObjectReference
	attr    = tfpb.TrackableObjectGraph_TrackableObject_SerializedTensor
	slotRef = tfpb.TrackableObjectGraph_TrackableObject_SlotVariableReference
)

// graphCheckpoint writes a checkpoint holding only an object graph.
func graphCheckpoint(t *testing.T, g *tfpb.TrackableObjectGraph) *Reader {
	t.Helper()
	value := tensor.Scalar(string(mustMarshal(g)))
	return openT(t, writeBundle(t, filepath.Join(t.TempDir(), "ckpt"), []stored{{key: ObjectGraphKey, t: value}}, bundleOpts{}))
}

func variable(fullName, key string) *object {
	return &object{Attributes: []*attr{{Name: "VARIABLE_VALUE", FullName: fullName, CheckpointKey: key}}}
}

func TestObjectValuesPaths(t *testing.T) {
	// root ─model─▶ 1 ─dense─▶ 2 ─kernel─▶ 3
	//   └──optimizer─▶ 4 (slot "m" of 3 is node 5)
	//   └──alias─▶ 2 (a second path to the layer: the first, shortest one wins)
	g := &tfpb.TrackableObjectGraph{Nodes: []*object{
		{Children: []*edge{{NodeId: 1, LocalName: "model"}, {NodeId: 4, LocalName: "optimizer"}, {NodeId: 2, LocalName: "alias"}}},
		{Children: []*edge{{NodeId: 2, LocalName: "dense"}}},
		{Children: []*edge{{NodeId: 3, LocalName: "kernel"}}},
		variable("dense/kernel", "model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"),
		{SlotVariables: []*slotRef{{OriginalVariableNodeId: 3, SlotName: "m", SlotVariableNodeId: 5}}},
		variable("dense/kernel/m", "alias/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE"),
		variable("unreachable", "x"),
	}}
	r := graphCheckpoint(t, g)
	got, err := r.ObjectValues()
	require.NoError(t, err)
	assert.Equal(t, []ObjectValue{
		{Path: "alias/kernel", Name: "VARIABLE_VALUE", FullName: "dense/kernel", Key: "model/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE"},
		{Path: "alias/kernel/.OPTIMIZER_SLOT/optimizer/m", Name: "VARIABLE_VALUE", FullName: "dense/kernel/m", Key: "alias/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE"},
	}, got)
}

func TestObjectGraphMalformed(t *testing.T) {
	cases := map[string]*tfpb.TrackableObjectGraph{
		"child out of range": {Nodes: []*object{{Children: []*edge{{NodeId: 7, LocalName: "x"}}}}},
		"negative child":     {Nodes: []*object{{Children: []*edge{{NodeId: -1, LocalName: "x"}}}}},
		"slot out of range":  {Nodes: []*object{{SlotVariables: []*slotRef{{OriginalVariableNodeId: 0, SlotVariableNodeId: 3}}}}},
	}
	for name, g := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := graphCheckpoint(t, g).ObjectValues()
			assert.ErrorIs(t, err, ErrCorrupt)
			var ce *Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, ObjectGraphKey, ce.Key)
		})
	}
	t.Run("not a string", func(t *testing.T) {
		r := openT(t, writeBundle(t, filepath.Join(t.TempDir(), "ckpt"), []stored{{key: ObjectGraphKey, t: tensor.Scalar[int32](1)}}, bundleOpts{}))
		_, err := r.ObjectGraph()
		assert.ErrorIs(t, err, ErrCorrupt)
	})
	t.Run("not a proto", func(t *testing.T) {
		r := openT(t, writeBundle(t, filepath.Join(t.TempDir(), "ckpt"), []stored{{key: ObjectGraphKey, t: tensor.Scalar("\xff\xff")}}, bundleOpts{}))
		_, err := r.ObjectGraph()
		assert.ErrorIs(t, err, ErrCorrupt)
	})
}
