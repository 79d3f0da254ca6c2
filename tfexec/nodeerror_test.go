package tfexec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/tfpb"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestNodeErrorNamesNodeOnce checks that an error which already names its
// node (graph.Attrs errors, kernels that say which node they are) is not
// prefixed with the node a second time.
func TestNodeErrorNamesNodeOnce(t *testing.T) {
	badContent := graph.NewNode("c", "Const", nil, map[string]any{"dtype": tensor.Float32})
	badContent.Attr["value"] = &tfpb.AttrValue{Value: &tfpb.AttrValue_Tensor{Tensor: &tfpb.TensorProto{
		Dtype: tfpb.DataType_DT_FLOAT, TensorShape: &tfpb.TensorShapeProto{Dim: []*tfpb.TensorShapeProto_Dim{{Size: 3}}},
		TensorContent: []byte{1, 2}}}}
	tests := []struct {
		name  string
		nodes []*tfpb.NodeDef
		fetch string
		want  string
	}{
		{"attribute of the wrong kind", []*tfpb.NodeDef{graph.NewNode("c", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": int64(3)})},
			"c", `node "c" (Const): attribute "value" is not a tensor`},
		{"tensor attribute that does not decode", []*tfpb.NodeDef{badContent},
			"c", `node "c" (Const): attribute "value": tensor: bad TensorProto: float32[3] needs 12 bytes of tensor_content, has 2`},
		{"kernel naming its node", []*tfpb.NodeDef{
			graph.NewNode("d", "Const", nil, map[string]any{"dtype": tensor.Int32, "value": tensor.Scalar(int32(0))}),
			graph.NewNode("x", "Const", nil, map[string]any{"dtype": tensor.Float32, "value": tensor.MustFromSlice(tensor.Shape{2}, []float32{1, 2})}),
			graph.NewNode("s", "Split", []string{"d", "x"}, map[string]any{"num_split": int64(0), "T": tensor.Float32}),
		}, "s", `node "s" (Split): attribute "num_split" must be >= 1, got 0`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(&tfpb.GraphDef{Node: tc.nodes})
			if err == nil {
				_, err = e.Run(context.Background(), nil, []string{tc.fetch})
			}
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			var ne *NodeError
			assert.True(t, errors.As(err, &ne), "still a *NodeError")
		})
	}
}

func TestNodeErrorKeepsOtherNodes(t *testing.T) {
	err := &NodeError{Node: "outer", Op: "Cluster", Err: errors.New(`node "inner" (Relu): boom`)}
	assert.Equal(t, `node "outer" (Cluster): node "inner" (Relu): boom`, err.Error())
	assert.Equal(t, 1, strings.Count((&NodeError{Node: "a", Op: "B", Err: errors.New("x")}).Error(), `node "a"`))
}
