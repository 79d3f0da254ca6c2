package bridge

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/graph"
)

// TestNilAndZeroSessions: a nil model, a nil *Session and a zero Session
// are errors (or harmless), never panics.
func TestNilAndZeroSessions(t *testing.T) {
	_, err := NewSession(nil)
	assert.ErrorIs(t, err, ErrNoSession)
	_, err = NewSession(&graph.Model{})
	assert.ErrorIs(t, err, ErrNoSession)

	for name, s := range map[string]*Session{"nil": nil, "zero": {}} {
		t.Run(name, func(t *testing.T) {
			assert.NotPanics(t, func() {
				_, err := s.Run(context.Background(), nil, []string{"x"})
				assert.ErrorIs(t, err, ErrNoSession)
				assert.NoError(t, s.Close())
				assert.Equal(t, Stats{}, s.Stats())
				assert.Nil(t, s.Plan())
				assert.Empty(t, s.BackendName())
				assert.Nil(t, s.Inputs())
				assert.Nil(t, s.Outputs())
			})
		})
	}
}
