package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocsListEveryCommand: the package documentation lists every
// command with its short help, and the README's command table has a row
// for each.
func TestDocsListEveryCommand(t *testing.T) {
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	for _, c := range newRootCmd().Commands() {
		if c.Hidden || c.Name() == "help" {
			continue
		}
		short := strings.ToLower(c.Short[:1]) + c.Short[1:]
		assert.Regexp(t, `(?m)^//\t`+c.Name()+` +`+regexp.QuoteMeta(short)+`$`, string(doc), "doc.go lists %s", c.Name())
		assert.Contains(t, string(readme), "| `tfoffload "+c.Name()+" ", "README lists %s", c.Name())
	}
}
