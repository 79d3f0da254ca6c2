package bridge

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/envconfig"
)

// TestUnknownDisabledOpWarns checks that a disabled op type no kernel or
// translator knows is named in a warning, from the option and from
// TFOFFLOAD_DISABLED_OPS, and that real op types are not.
func TestUnknownDisabledOpWarns(t *testing.T) {
	tests := []struct {
		name string
		env  string
		opts []Option
	}{
		{"option", "", []Option{WithDisabledOps("NoSuchOp", "Conv2D", "DecodeWav", "Switch")}},
		{"environment", "NoSuchOp,Conv2D,DecodeWav,Switch", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envconfig.DisabledOps, tc.env)
			var logs bytes.Buffer
			_, err := Partition(mlp(t), append(tc.opts, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))...)
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			require.Len(t, lines, 1, logs.String())
			assert.Contains(t, lines[0], "level=WARN")
			assert.Contains(t, lines[0], "disabled op type is unknown")
			assert.Contains(t, lines[0], "op=NoSuchOp")
		})
	}
}
