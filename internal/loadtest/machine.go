package loadtest

import (
	"bufio"
	"os"
	"runtime"
	"strings"
)

// Machine describes the computer that generated the load, so that runs from
// different machines are not compared as if they were alike.
type Machine struct {
	CPUModel string `json:"cpu_model"`
	Cores    int    `json:"cores"`
}

// thisMachine reads the CPU model from /proc/cpuinfo (Linux); elsewhere the
// model is the architecture's name.
func thisMachine() Machine {
	m := Machine{CPUModel: runtime.GOARCH, Cores: runtime.NumCPU()}
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		// x86 names it "model name"; some ARM kernels give only "Hardware" or "Processor".
		if k := strings.TrimSpace(key); ok && (k == "model name" || k == "Hardware" || k == "Processor") {
			if v := strings.TrimSpace(value); v != "" {
				m.CPUModel = v
				return m
			}
		}
	}
	return m
}
