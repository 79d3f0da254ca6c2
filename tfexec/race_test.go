//go:build race

package tfexec

// raceEnabled skips the tests that measure memory: the race detector
// multiplies it.
const raceEnabled = true
