// Package genop generates compat/tf/op's wrappers.go: one function with
// TensorFlow's Go name, argument order and optional-attribute types for
// every op the executor runs, from the op signatures of package opdefs
// (opdefs/ops.txt, the table the executor and the freezer read), as
// TensorFlow's own genop generates the bindings' wrappers from its OpDefs.
// It also generates the alias packages of the drop-in modules under
// compat/shims (ShimFile), so that they forward every name.
package genop
