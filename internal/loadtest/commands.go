package loadtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// subcommands are the history commands of `omnivibe loadtest`.
var subcommands = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) int{
	"history":  cmdHistory,
	"show":     cmdShow,
	"compare":  cmdCompare,
	"baseline": cmdBaseline,
}

const subUsage = `Usage:
  omnivibe loadtest history [--history-dir DIR] [-n N]   list stored runs, newest first
  omnivibe loadtest show RUN [--history-dir DIR] [--json]  print a stored run's report
  omnivibe loadtest compare A B [--history-dir DIR] [--max-regression L]...
                                 per-endpoint differences of B against A, with significance;
                                 exit 1 when a --max-regression limit failed
  omnivibe loadtest baseline set NAME RUN | list | delete NAME [--history-dir DIR]
RUN is a run id (or an unambiguous prefix), latest, or a baseline name.
`

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, and returns the positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newSubFlags(name string, dir *string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(dir, "history-dir", DefaultOptions().HistoryDir, "")
	return fs
}

// subFail prints a usage error and returns exit status 2.
func subFail(stderr io.Writer, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, subUsage)
		return 2
	}
	fmt.Fprintf(stderr, "loadtest: %v\n%s", err, subUsage)
	return 2
}

func cmdHistory(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var dir string
	fs := newSubFlags("history", &dir)
	n := fs.Int("n", 20, "")
	pos, err := parseInterleaved(fs, args)
	if err != nil || len(pos) > 0 {
		return subFail(stderr, errors.Join(err, extraArgs(pos, 0)))
	}
	h, err := OpenHistory(dir)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	defer h.Close()
	runs, err := h.List(ctx, *n)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	if len(runs) == 0 {
		fmt.Fprintf(stdout, "No runs stored in %s yet.\n", dir)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED (UTC)\tLENGTH\tMODEL\tSERVER\tREQUESTS\tFAILS\tREQ/S\tP50\tP99\tSLO\tBASELINE\tHOSTS")
	for _, r := range runs {
		slo := "-"
		if r.SLOMet != nil {
			slo = map[bool]string{true: "met", false: "missed"}[*r.SLOMet]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%.1f\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Start.UTC().Format("2006-01-02 15:04:05"),
			r.Duration.Round(time.Second), r.Model, r.ServerVersion, r.Requests, r.Failures, r.RPS, formatLatency(r.P50),
			formatLatency(r.P99), slo, strings.Join(r.Baselines, ","), r.Hosts)
	}
	tw.Flush()
	return 0
}

func extraArgs(pos []string, want int) error {
	if len(pos) > want {
		return fmt.Errorf("unexpected argument %q", pos[want])
	}
	return nil
}

func cmdShow(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var dir string
	fs := newSubFlags("show", &dir)
	asJSON := fs.Bool("json", false, "")
	pos, err := parseInterleaved(fs, args)
	if err == nil && len(pos) != 1 {
		err = errors.New("show needs one run")
	}
	if err != nil {
		return subFail(stderr, err)
	}
	h, err := OpenHistory(dir)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	defer h.Close()
	res, err := h.Load(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	if *asJSON {
		if err := WriteJSON(stdout, res); err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 2
		}
		return 0
	}
	fmt.Fprintf(stdout, "Run %s, started %s, server %s, load from %s (%d cores)\n\n", res.RunID,
		res.Start.UTC().Format(time.RFC3339), res.ServerVersion, res.Machine.CPUModel, res.Machine.Cores)
	WriteConsoleReport(stdout, res)
	return 0
}

func cmdCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var dir string
	fs := newSubFlags("compare", &dir)
	var gateSpecs stringList
	fs.Var(&gateSpecs, "max-regression", "")
	pos, err := parseInterleaved(fs, args)
	if err == nil && len(pos) != 2 {
		err = errors.New("compare needs two runs: the base, then the one to judge")
	}
	var gates []Gate
	for _, g := range gateSpecs {
		parsed, perr := ParseGates(g)
		if perr != nil {
			err = errors.Join(err, fmt.Errorf("--max-regression %q: %w", g, perr))
		}
		gates = append(gates, parsed...)
	}
	if err != nil {
		return subFail(stderr, err)
	}
	h, err := OpenHistory(dir)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	defer h.Close()
	base, err := h.Load(ctx, pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	cur, err := h.Load(ctx, pos[1])
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	c := Compare(base, cur)
	WriteComparison(stdout, c, "run "+base.RunID, "run "+cur.RunID)
	if len(gates) == 0 {
		return 0
	}
	cur.Gates = CheckGates(c, gates)
	fmt.Fprintln(stdout)
	writeGateVerdicts(stdout, cur)
	if !cur.GatesPassed() {
		return 1
	}
	return 0
}

func cmdBaseline(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var dir string
	fs := newSubFlags("baseline", &dir)
	pos, err := parseInterleaved(fs, args)
	if err == nil && len(pos) == 0 {
		err = errors.New("baseline needs set, list or delete")
	}
	if err != nil {
		return subFail(stderr, err)
	}
	h, err := OpenHistory(dir)
	if err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 2
	}
	defer h.Close()
	switch {
	case pos[0] == "set" && len(pos) == 3:
		id, err := h.SetBaseline(ctx, pos[1], pos[2])
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "baseline %s is run %s\n", pos[1], id)
	case pos[0] == "list" && len(pos) == 1:
		bs, err := h.Baselines(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 2
		}
		if len(bs) == 0 {
			fmt.Fprintln(stdout, "No baselines. Name one with: omnivibe loadtest baseline set NAME RUN")
		}
		for _, b := range bs {
			fmt.Fprintf(stdout, "%s\t%s\tset %s\n", b.Name, b.RunID, b.Created.UTC().Format(time.RFC3339))
		}
	case pos[0] == "delete" && len(pos) == 2:
		if err := h.DeleteBaseline(ctx, pos[1]); err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "baseline %s deleted\n", pos[1])
	default:
		return subFail(stderr, fmt.Errorf("baseline %s: wrong arguments", strings.Join(pos, " ")))
	}
	return 0
}
