package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

// TestInspectSaysWhatFreezingDoes: for a SavedModel with variables,
// inspect maps each variable to its checkpoint key and says which
// signatures freeze and which cannot, naming the node that changes state.
func TestInspectSaysWhatFreezingDoes(t *testing.T) {
	dir := testutil.SharedModel(t, "savedmodel/tfserving/saved_model_counter")
	var out bytes.Buffer
	cmd := newInspectCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--json", dir})
	require.NoError(t, cmd.Execute())
	var r inspectReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &r))
	require.NotNil(t, r.Freeze)
	require.Len(t, r.Freeze.Variables, 1)
	assert.Equal(t, "counter", r.Freeze.Variables[0].Key)
	assert.Equal(t, "restore graph", r.Freeze.Variables[0].Source)
	frozen := map[string]bool{}
	for _, s := range r.Freeze.Signatures {
		frozen[s.Key] = s.Frozen
		if !s.Frozen {
			assert.Contains(t, s.Error, "changes state", s.Key)
		}
	}
	assert.Equal(t, map[string]bool{"get_counter": true, "incr_counter": false, "incr_counter_by": false, "reset_counter": false}, frozen)

	out.Reset()
	cmd = newInspectCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--json", testutil.SharedModel(t, "tfjs/tiny_dense")})
	require.NoError(t, cmd.Execute())
	assert.Contains(t, out.String(), `"freeze": null`, "a model without variables")
}
