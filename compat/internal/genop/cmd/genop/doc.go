// Command genop writes the generated files of the compat packages (see
// package genop): compat/tf/op/wrappers.go, compat/tfproto and the alias
// packages of the drop-in modules under compat/shims. Run it through
//
//	go generate ./compat/tf/op
package main
