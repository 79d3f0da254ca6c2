package tfexec

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/tensor"
)

// TestNilAndZeroValuesAreErrors: every exported entry point given a nil
// or zero value returns an error (or a harmless value) instead of
// panicking.
func TestNilAndZeroValuesAreErrors(t *testing.T) {
	var b graph.Builder
	b.Placeholder("x", tensor.Int32, graph.ShapeAttr{})
	b.Add("y", "Identity", []string{"x"}, map[string]any{"T": tensor.Int32})
	good, err := New(b.Graph(), nil, WithKernel("Identity", nil), WithNodeTimer(nil))
	require.NoError(t, err, "nil options are ignored")
	feed := map[string]*tensor.Tensor{"x": i32(3)}
	ctx := context.Background()
	var nilExec *Executor
	var nilCtx context.Context

	for _, tc := range []struct {
		name string
		call func() error
		want error
	}{
		{"Run on a nil Executor", func() error { _, err := nilExec.Run(ctx, feed, []string{"y"}); return err }, ErrNoGraph},
		{"Run on a zero Executor", func() error { _, err := (&Executor{}).Run(ctx, feed, []string{"y"}); return err }, ErrNoGraph},
		{"Prepare on a nil Executor", func() error { return nilExec.Prepare([]string{"x"}, []string{"y"}) }, ErrNoGraph},
		{"Prepare on a zero Executor", func() error { return (&Executor{}).Prepare([]string{"x"}, []string{"y"}) }, ErrNoGraph},
		{"Run with a nil context", func() error { _, err := good.Run(nilCtx, feed, []string{"y"}); return err }, ErrNilContext},
		{"a nil feed", func() error { _, err := good.Run(ctx, map[string]*tensor.Tensor{"x": nil}, []string{"y"}); return err }, ErrFeed},
		{"no fetches", func() error { _, err := good.Run(ctx, feed, nil); return err }, ErrFetch},
		{"a nil graph is empty", func() error {
			e, err := New(nil)
			require.NoError(t, err)
			_, err = e.Run(ctx, nil, []string{"y"})
			return err
		}, ErrFetch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = tc.call() })
			assert.ErrorIs(t, err, tc.want)
		})
	}

	out, err := good.Run(ctx, feed, []string{"y"}, nil, WithRunStats(nil), WithObserver(nil))
	require.NoError(t, err, "nil run options are ignored")
	assert.Equal(t, int32(3), scalarOf(t, out[0]))
	assert.NotPanics(t, func() {
		assert.Nil(t, nilExec.Graph())
		assert.Equal(t, "tfexec.Executor(nil)", nilExec.String())
		assert.True(t, nilExec.Supported("Identity"))
		assert.True(t, (&Executor{}).Supported("Merge"))
		assert.Equal(t, "tfexec: no kernel for 1 op type(s): Foo", (&UnsupportedOpsError{Ops: map[string][]string{"Foo": nil}}).Error())
	})
}
