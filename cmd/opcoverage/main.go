// Command opcoverage writes docs/ops.md, the table of every TensorFlow op
// tfoffload knows of: whether the executor has a kernel for it and for
// which dtypes, whether it has an ONNX translator and for which dtypes,
// whether TensorFlow.js's graph-model converter maps it, and which op
// corpus cases exercise it.
//
// It reads the kernel table (tfexec/kernels, with the executor's built-in
// control flow), the translator table (clusters), the op signatures
// (opdefs), the committed op list of the pinned TensorFlow.js converter
// (testdata/tfjs/converter_ops.txt) and the op corpus in
// ../shared/models/tfops. Run it from anywhere in the repository:
//
//	go generate ./cmd/opcoverage
//
// Its test fails when docs/ops.md differs from a fresh generation.
package main

//go:generate go run . -out ../../docs/ops.md

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfoffload/tfoffload/internal/testutil"
)

func main() {
	out := flag.String("out", "", "file to write (default: docs/ops.md of the repository)")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "opcoverage:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	root, err := testutil.RepoRoot()
	if err != nil {
		return err
	}
	shared, err := testutil.SharedModelsDir()
	if err != nil {
		return err
	}
	cov, err := collect(root, filepath.Join(shared, "tfops"))
	if err != nil {
		return err
	}
	if out == "" {
		out = filepath.Join(root, "docs", "ops.md")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.WriteFile(out, cov.markdown(), 0o644)
}
