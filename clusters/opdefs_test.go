package clusters

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tfoffload/tfoffload/opdefs"
)

// TestTranslatorOpsHaveSignatures checks that every op with an ONNX
// translator has a signature in opdefs, and that a translator row naming
// the attribute it reads the element type from names one the op declares.
func TestTranslatorOpsHaveSignatures(t *testing.T) {
	for _, op := range Ops() {
		sig, ok := opdefs.SignatureOf(op)
		if !assert.True(t, ok, "translator op %s has no signature in opdefs", op) {
			continue
		}
		if attr := table[op].TypeAttr; attr != "" {
			declared := slices.ContainsFunc(sig.Attrs, func(d opdefs.AttrDef) bool {
				return d.Name == attr && (d.Type == "type" || d.Type == "list(type)")
			})
			assert.True(t, declared, "%s: the translator reads the element type from %q, which is not a type attribute of the op", op, attr)
		}
	}
}
