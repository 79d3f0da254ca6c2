package kernel

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

func TestCheckTypeAttr(t *testing.T) {
	node := func(attrs map[string]any) *Node { return NewNode(graph.NewNode("n", "Op", nil, attrs)) }
	floats := FloatTypes()
	assert.NoError(t, CheckTypeAttr(node(nil), "T", floats), "an absent attribute passes")
	assert.NoError(t, CheckTypeAttr(node(map[string]any{"T": tensor.Float32}), "T", floats))
	err := CheckTypeAttr(node(map[string]any{"T": tensor.Int32}), "T", floats)
	assert.ErrorIs(t, err, ErrUnsupported)
	assert.EqualError(t, err, `node "n" (Op): attribute "T": int32 not supported`)
	err = CheckTypeAttr(node(map[string]any{"dtype": tensor.String}), "dtype", floats)
	assert.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorContains(t, err, `attribute "dtype"`)
}

func TestShapeChecks(t *testing.T) {
	assert.True(t, HasPrefix(tensor.Shape{2, 3, 4}, tensor.Shape{2, 3}))
	assert.True(t, HasPrefix(tensor.Shape{2}, tensor.Shape{}))
	assert.False(t, HasPrefix(tensor.Shape{2, 3}, tensor.Shape{3}))
	assert.False(t, HasPrefix(tensor.Shape{2}, tensor.Shape{2, 1}))

	assert.NoError(t, CheckOutput(tensor.Float32, tensor.Shape{1 << 10, 1 << 10}))
	assert.ErrorIs(t, CheckOutput(tensor.Float32, tensor.Shape{1 << 20, 1 << 20}), tensor.ErrTooLarge, "4 TiB is over any budget here")
	assert.ErrorIs(t, CheckOutput(tensor.Float32, tensor.Shape{-1}), ErrInvalidArgument)
}
