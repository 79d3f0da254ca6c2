// Command genop writes the generated files of the compat packages (see
// package genop): compat/tf/op/wrappers.go and the alias packages of the
// drop-in modules under compat/shims. Run it through
//
//	go generate ./compat/tf/op
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tfoffload/tfoffload/compat/internal/genop"
)

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "genop:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	src, err := genop.Wrappers()
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(root, "compat", "tf", "op", "wrappers.go"), src, 0o644); err != nil {
		return err
	}
	for _, s := range genop.Shims {
		src, err := genop.ShimFile(s)
		if err != nil {
			return err
		}
		p := filepath.Join(root, filepath.FromSlash(genop.ShimPath(s)))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return err
		}
	}
	return nil
}
