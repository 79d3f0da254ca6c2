package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tfoffload/tfoffload/engine"
	"github.com/tfoffload/tfoffload/graph"
	"github.com/tfoffload/tfoffload/internal/envconfig"
)

// commands are the subcommands of tfoffload, in help order. Adding a
// command is one line here plus its file.
var commands = []func() *cobra.Command{
	newInspectCmd,
	newRunCmd,
	newPartitionCmd,
	newBackendsCmd,
	newConvertCmd,
	newFreezeCmd,
	newBenchCmd,
	newAccuracyCmd,
}

// version is the release version, set at link time with
// -ldflags "-X main.version=v1.2.3"; without it the module version from
// the build info is used.
var version = ""

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// Exit statuses of run.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// run executes the command line args, writing output to stdout and errors
// to stderr, and returns the process exit status. It is main without the
// process: tests call it directly.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "tfoffload: %s\n", oneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "tfoffload",
		Short: "Run TensorFlow models faster by offloading subgraphs to ONNX Runtime",
		Long: `tfoffload runs TensorFlow models without TensorFlow. It reads frozen
GraphDefs (.pb, .pbtxt), SavedModel directories, TF1 .meta files and
TensorFlow.js graph models itself, offloads the clusters of the graph it can
translate to ONNX Runtime, and runs everything else on a Go executor with
TensorFlow semantics.

Errors are printed as one line, "tfoffload: <error>", on standard error.
Exit status: 0 on success, 1 when a command fails, 2 for a usage error.` + environmentHelp(),
		Version:       buildVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without Args cobra would report an unknown command as a plain
		// error; this makes it a usage error.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef(cmd, "unknown command %q", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usagef(cmd, "%v", err) })
	root.CompletionOptions.HiddenDefaultCmd = true
	for _, newCmd := range commands {
		root.AddCommand(newCmd())
	}
	return root
}

// environmentHelp lists the environment variables tfoffload reads, from
// internal/envconfig (their one definition), and ONNX Runtime's.
func environmentHelp() string {
	var b strings.Builder
	b.WriteString("\n\nEnvironment (flags and code options override these):\n")
	for _, v := range envconfig.Vars() {
		def := v.Default
		if def == "" {
			def = "unset"
		}
		fmt.Fprintf(&b, "  %s\n      %s (default: %s)\n", v.Name, v.Help, def)
	}
	fmt.Fprintf(&b, "  %s\n      the ONNX Runtime shared library to load (default: the one scripts/install-onnxruntime.sh installed, then the system's)", engine.LibraryPathEnv)
	return b.String()
}

// buildVersion returns the link-time version, else the module version
// recorded in the binary, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}

// usageError marks a command line that cannot be run as written: exit
// status 2 instead of 1.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }

func (e *usageError) Unwrap() error { return e.err }

// usagef builds a usage error that points to the command's help.
func usagef(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{fmt.Errorf(format+" (see '%s --help')", append(args, cmd.CommandPath())...)}
}

// flagErrorf builds a usage error for a flag value found wrong once the
// command runs (a shape too large for the model's input, say); the message
// starts with the flag.
func flagErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// exactArgs requires exactly the named positional arguments.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef(cmd, "%s needs %s, got %d argument(s)", cmd.Name(), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}

// loadModel loads a model, choosing a SavedModel's tag set when tags is
// not nil (--tags).
func loadModel(path string, tags []string) (*graph.Model, error) {
	var opts []graph.Option
	if tags != nil {
		opts = append(opts, graph.WithTags(tags...))
	}
	return graph.Load(path, opts...)
}
