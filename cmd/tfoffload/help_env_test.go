package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/envconfig"
)

// TestHelpListsEnvironment: tfoffload --help names every variable
// envconfig reads, with its default, and ONNX Runtime's library path.
func TestHelpListsEnvironment(t *testing.T) {
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetArgs([]string{"--help"})
	require.NoError(t, root.Execute())
	for _, v := range envconfig.Vars() {
		assert.Contains(t, out.String(), v.Name)
		assert.Contains(t, out.String(), v.Help)
	}
	assert.Contains(t, out.String(), engine.LibraryPathEnv)
}
