package loadtest

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// cpuIdle measures how much of the machine's CPU time was idle between two
// calls, from /proc/stat. The open model grows its worker pool only while the
// machine has CPU to spare: a late schedule then means too few workers (add one),
// not too little CPU, where another worker and its connection would only make
// every request dearer, the schedule later still, and the pool grow again.
type cpuIdle struct {
	prevIdle, prevTotal uint64
	ok                  bool
}

func newCPUIdle() *cpuIdle {
	c := &cpuIdle{}
	c.prevIdle, c.prevTotal, c.ok = readProcStat()
	return c
}

// fraction returns the idle share (0-1) since the previous call, and false where
// the system does not say (not Linux) or too little time passed to tell.
func (c *cpuIdle) fraction() (float64, bool) {
	idle, total, ok := readProcStat()
	if !ok || !c.ok {
		c.ok = ok
		c.prevIdle, c.prevTotal = idle, total
		return 0, false
	}
	di, dt := idle-c.prevIdle, total-c.prevTotal
	if dt == 0 {
		return 0, false
	}
	c.prevIdle, c.prevTotal = idle, total
	return float64(di) / float64(dt), true
}

// readProcStat returns the idle (idle + iowait) and total jiffies of all CPUs.
func readProcStat() (idle, total uint64, ok bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return 0, 0, false
	}
	fields := strings.Fields(line)
	if len(fields) < 6 || fields[0] != "cpu" {
		return 0, 0, false
	}
	for i, f := range fields[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return 0, 0, false
		}
		if i == 7 || i == 8 { // guest time is already counted in user time
			continue
		}
		total += v
		if i == 3 || i == 4 {
			idle += v
		}
	}
	return idle, total, true
}
