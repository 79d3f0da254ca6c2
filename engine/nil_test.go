package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/tensor"
)

// TestNilAndZeroValuesAreErrors: every exported entry point given a nil
// or zero value returns an error (or a harmless value) instead of
// panicking, and a nil context is an error, as in tfexec.
func TestNilAndZeroValuesAreErrors(t *testing.T) {
	var nilSession *Session
	var nilCache *Cache
	var nilCtx context.Context
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
		want error // nil: any error
	}{
		{"Run with a nil context", func() error { _, err := (&Session{}).Run(nilCtx, nil); return err }, ErrNilContext},
		{"Run on a nil Session", func() error { _, err := nilSession.Run(ctx, nil); return err }, ErrClosed},
		{"Run on a zero Session", func() error { _, err := (&Session{}).Run(ctx, nil); return err }, ErrClosed},
		{"NewSession of no model", func() error { _, err := NewSession(nil, SessionOptions{}); return err }, nil},
		{"Get on a nil Cache", func() error { _, _, err := nilCache.Get("k", nil); return err }, ErrClosed},
		{"Get with a nil compile", func() error { _, _, err := NewCache(1).Get("k", nil); return err }, nil},
		{"Get on a zero Cache", func() error {
			var c Cache
			_, _, err := c.Get("k", func() (*Session, error) { return nil, errors.New("no compiler here") })
			return err
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			require.Error(t, err)
			if tc.want != nil {
				assert.ErrorIs(t, err, tc.want)
			}
		})
	}
	assert.NotPanics(t, func() {
		assert.NoError(t, nilSession.Close())
		assert.Nil(t, nilSession.Inputs())
		assert.Nil(t, nilSession.Outputs())
		assert.Zero(t, nilCache.Len())
		assert.NoError(t, nilCache.Close())
		var zero Cache
		assert.Zero(t, zero.Len())
		assert.NoError(t, zero.Close())
		assert.Equal(t, "nil;float32[1]", Signature([]*tensor.Tensor{nil, tensor.MustNew(tensor.Float32, tensor.Shape{1})}))
	})
}

// TestRunWithNilContext on a real session: the nil context is refused
// before ONNX Runtime sees anything.
func TestRunWithNilContext(t *testing.T) {
	requireORT(t)
	s, err := NewSession(addModel(t), SessionOptions{})
	require.NoError(t, err)
	defer s.Close()
	a := tensor.MustFromSlice(tensor.Shape{1, 4}, []float32{1, 2, 3, 4})
	var nilCtx context.Context
	_, err = s.Run(nilCtx, []*tensor.Tensor{a, a})
	assert.ErrorIs(t, err, ErrNilContext)
	outs, err := s.Run(context.Background(), []*tensor.Tensor{a, a})
	require.NoError(t, err)
	assert.Equal(t, []float32{2, 4, 6, 8}, tensor.Values[float32](outs[0]))
}
