package compattest

import (
	"fmt"
	"os"
	"testing"

	"github.com/tfoffload/tfoffload/bridge"
	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/internal/envconfig"
	"github.com/tfoffload/tfoffload/internal/testutil"
)

// Offloading reports whether ONNX Runtime loads. When it does not and the
// run may go without it, it turns offloading off for this process
// (bridge.Disable) and says so on standard error.
func Offloading() bool {
	err := engine.Init()
	if err == nil {
		return true
	}
	if !testutil.Required() {
		fmt.Fprintf(os.Stderr, "ONNX Runtime unavailable (%v): running sessions on the Go executor only\n", err)
		bridge.Disable()
	}
	return false
}

// Main runs the package's tests after Offloading has decided; where ONNX
// Runtime is required but missing, the tests fail when they create a
// session, with bridge's error naming the cause.
func Main(m *testing.M) {
	Offloading()
	os.Exit(m.Run())
}

// SubprocessEnv returns the environment for example programs run by a
// test: the test's own, with offloading off when Offloading turned it off.
func SubprocessEnv() []string {
	env := os.Environ()
	if !bridge.IsEnabled() {
		env = append(env, envconfig.Disable+"=1")
	}
	return env
}
