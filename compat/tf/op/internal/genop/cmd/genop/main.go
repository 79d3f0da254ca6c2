// Command genop writes compat/tf/op's generated wrappers (see package
// genop):
//
//	go generate ./compat/tf/op
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tfoffload/tfoffload/compat/tf/op/internal/genop"
)

func main() {
	out := flag.String("out", "wrappers.go", "file to write")
	shim := flag.Bool("shim", false, "write the drop-in module's aliases instead of the wrappers")
	flag.Parse()
	src, err := genop.Generate(*shim)
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genop:", err)
		os.Exit(1)
	}
}
