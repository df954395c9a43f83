// Command omnivibe is OmniVibe Pro: the API server, its job workers, schema
// migrations and the built-in load test, in one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/omnivibepro/omnivibe/internal/loadtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `omnivibe: plan video campaigns, write scripts with AI, make verified voice-overs.

Usage:
  omnivibe serve     run the HTTP API (embedded default: SQLite, in-process jobs and cache)
  omnivibe worker    run voice-over job workers only (scale-out)
  omnivibe migrate   apply the database migrations and exit
  omnivibe loadtest  run the report's load scenario against a server (Locust-style reports)
                     (loadtest history | show RUN | compare A B | baseline: stored runs)
  omnivibe backup    copy the SQLite database to a file while the server runs

Run "omnivibe <command> --help" for a command's flags. Every flag is also an
environment variable (shown in the help), so a deployment needs no flags at all.
`

// run is the whole program; main only gives it the process's context,
// arguments, environment and output, so tests can run it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[1], args[2:]
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, rest, getenv, stdout, stderr)
	case "worker":
		err = worker(ctx, rest, getenv, stdout, stderr)
	case "loadtest":
		return loadtest.Main(ctx, rest, stdout, stderr)
	case "migrate":
		err = migrate(ctx, rest, getenv, stdout, stderr)
	case "backup":
		err = backupCmd(ctx, rest, getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "omnivibe: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "omnivibe %s: %v\n", cmd, err)
	return 1
}

// errUsage reports that the command line was wrong; the flag set has already
// said how.
var errUsage = errors.New("usage")

// newFlagSet returns a flag set whose errors and help go to stderr.
func newFlagSet(name, summary string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("omnivibe "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: omnivibe %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}
