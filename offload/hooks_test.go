package offload

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/onnxpb"
	"github.com/tfoffload/tfoffload/internal/testutil"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestRewriteAndTap adds the cluster's intermediate Tanh output to its
// model's outputs: the tap sees it after the cluster's own output, and
// the cluster still returns only its own.
func TestRewriteAndTap(t *testing.T) {
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
	cl := tanhCluster("Tanh")
	var tapped [][]*tensor.Tensor
	rewrite := func(cluster int, m *onnxpb.ModelProto) error {
		assert.Equal(t, cl.ID, cluster)
		g := m.GetGraph()
		var tanh string
		for _, n := range g.GetNode() {
			if n.GetOpType() == "Tanh" {
				tanh = n.GetOutput()[0]
			}
		}
		require.NotEmpty(t, tanh)
		g.Output = append(g.Output, &onnxpb.ValueInfoProto{Name: proto.String(tanh), Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{
			TensorType: &onnxpb.TypeProto_Tensor{ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT))}}}})
		return nil
	}
	tap := func(cluster int, outs []*tensor.Tensor) { tapped = append(tapped, outs) }
	rt, err := New(cl, Options{CacheSize: 2, Rewrite: rewrite, Tap: tap})
	require.NoError(t, err)
	defer rt.Close()
	x := ramp(6)
	got, err := rt.Run(context.Background(), []*tensor.Tensor{x})
	require.NoError(t, err)
	require.Len(t, got, 1, "the cluster's own output only")
	require.Len(t, tapped, 1)
	require.Len(t, tapped[0], 2)
	assert.Equal(t, got[0], tapped[0][0])
	for i, v := range tensor.Values[float32](tapped[0][1]) {
		assert.InDelta(t, v*v, tensor.Values[float32](got[0])[i], 1e-6, "the tapped value is Tanh's, which the output squares")
	}
}

// TestRewriteErrorFallsBack: a rewrite that fails sends the signature to
// the executor, or fails the run without fallback.
func TestRewriteErrorFallsBack(t *testing.T) {
	testutil.RequireOrSkip(t, "ONNX Runtime", engine.Init())
	broken := errors.New("cannot rewrite")
	rewrite := func(int, *onnxpb.ModelProto) error { return broken }
	rt, err := New(tanhCluster("Tanh"), Options{CacheSize: 2, Rewrite: rewrite, Fallback: true})
	require.NoError(t, err)
	defer rt.Close()
	_, err = rt.Run(context.Background(), []*tensor.Tensor{ramp(4)})
	require.NoError(t, err)
	assert.ErrorIs(t, rt.Stats().FallbackErr, broken)

	strict, err := New(tanhCluster("Tanh"), Options{CacheSize: 2, Rewrite: rewrite})
	require.NoError(t, err)
	defer strict.Close()
	_, err = strict.Run(context.Background(), []*tensor.Tensor{ramp(4)})
	assert.ErrorIs(t, err, broken)
	assert.ErrorIs(t, err, ErrOffload)
}
